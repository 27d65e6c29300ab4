"""`truceline users add|list|disable` and `truceline keys generate`: accounts and signing keys."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from sqlalchemy.orm import Session

from truceline.cli.main import Context, pass_context
from truceline.errors import Conflict, InvalidInput
from truceline.ledger.keystore import load_verifier
from truceline.ledger.signing import generate_key
from truceline.users.rules import Action, require
from truceline.users.service import create_user, disable_user, get_user, list_users, principal_of

# Who the ledger names when a trusted local administrator acts without --as.
LOCAL_ADMIN = "cli:admin"


def _author(session: Session, acting_as: str | None) -> str:
    """The ledger author: the named user, who must hold manage_users, or the local administrator."""
    if acting_as is None:
        return LOCAL_ADMIN
    user = get_user(session, acting_as)
    if not user.is_active:
        raise Conflict(f"user {acting_as!r} is disabled")
    require(principal_of(user), Action.MANAGE_USERS)
    return user.username


@click.group()
def users() -> None:
    """Create, list and disable accounts.

    Without --as the command runs as the local administrator (whoever can run it on the server);
    with --as USERNAME that user's role must allow managing users.

    \b
    Examples:
      truceline users add mediator-qatar --role mediator --public-key qatar.pub --password-file pw.txt
      truceline users add liaison-pk --role party --party PK --public-key pk.pub
      truceline users list --format json
      truceline users disable liaison-pk --as mediator-qatar
    """


@users.command("add")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice(["mediator", "monitor", "analyst", "party", "public"])
)
@click.option("--party", help="The party (e.g. PK, AF) of a party user.")
@click.option("--public-key", help="The user's signing key: a .pub file or a name+hash+key string.")
@click.option(
    "--password-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the password from the first line of this file (default: ask).",
)
@click.option("--as", "acting_as", help="Act as this user (must be allowed to manage users).")
@pass_context
def add_user(
    ctx: Context,
    username: str,
    role: str,
    party: str | None,
    public_key: str | None,
    password_file: Path | None,
    acting_as: str | None,
) -> None:
    """Create an account; its ledger entry names who created it."""
    if password_file is not None:
        if not password_file.is_file():
            raise InvalidInput(f"{password_file}: no such file")
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    vkey = load_verifier(public_key).vkey() if public_key else None
    runtime = ctx.runtime
    with runtime.transaction() as session:
        author = _author(session, acting_as)
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            party=party,
            public_key=vkey,
            known_parties=[p.id for p in runtime.scenario.parties],
            author=author,
            now=ctx.now(),
        )
    click.echo(f"{user.username}\t{user.role}\t{user.party or ''}")


@users.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@pass_context
def list_users_command(ctx: Context, fmt: str) -> None:
    """List accounts: username, role, party, active, whether a signing key is registered."""
    with ctx.runtime.sessions() as session:
        rows = [
            {
                "username": u.username,
                "role": u.role,
                "party": u.party,
                "is_active": u.is_active,
                "has_key": bool(u.public_key),
            }
            for u in list_users(session)
        ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "active" if row["is_active"] else "disabled"
        key = "key" if row["has_key"] else "-"
        click.echo(f"{row['username']}\t{row['role']}\t{row['party'] or '-'}\t{state}\t{key}")


@users.command("disable")
@click.argument("username")
@click.option("--as", "acting_as", help="Act as this user (must be allowed to manage users).")
@pass_context
def disable_user_command(ctx: Context, username: str, acting_as: str | None) -> None:
    """Disable an account: no more logins or tokens; nothing is deleted."""
    runtime = ctx.runtime
    with runtime.transaction() as session:
        disable_user(session, username=username, author=_author(session, acting_as), now=ctx.now())
    click.echo(f"{username}\tdisabled")


@click.group()
def keys() -> None:
    """Ed25519 signing keys in the C2SP note format (for parties, mediators and witnesses).

    \b
    Example:
      truceline keys generate liaison-pk
      truceline users add liaison-pk --role party --party PK --public-key liaison-pk.pub
    """


@keys.command("generate")
@click.argument("name")
@click.option(
    "--dir", "directory", type=click.Path(path_type=Path, file_okay=False), default=".", show_default=True
)
def generate(name: str, directory: Path) -> None:
    """Write NAME.key (secret, mode 0600) and NAME.pub; never overwrites an existing key.

    \b
    Example:
      truceline keys generate mediator-qatar --dir ~/.truceline
    """
    skey, vkey = generate_key(name)
    directory.mkdir(parents=True, exist_ok=True)
    key_path, pub_path = directory / f"{name}.key", directory / f"{name}.pub"
    for path in (key_path, pub_path):
        if path.exists():
            raise Conflict(f"{path} already exists; refusing to overwrite a key")
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(skey + "\n")
    pub_path.write_text(vkey + "\n", encoding="utf-8")
    click.echo(str(pub_path))
    click.echo(f"wrote {key_path} (keep it secret) and {pub_path}", err=True)


COMMANDS = [users, keys]
