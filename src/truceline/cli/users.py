"""`truceline users add|list|disable|token|revoke-token` and `truceline keys generate`: accounts, API
tokens and signing keys."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy.orm import Session

from truceline.cli.acting import acting_author
from truceline.cli.context import Context, pass_context
from truceline.errors import Conflict, InvalidInput
from truceline.ledger.encoding import format_time
from truceline.ledger.keystore import load_verifier
from truceline.ledger.signing import generate_key
from truceline.users.rules import Action
from truceline.views.accounts import list_users
from truceline.workflows.accounts import (
    DEFAULT_TOKEN_TTL,
    MAX_TOKEN_TTL,
    create_user,
    disable_user,
    issue_api_token,
    revoke_token,
)


def _author(session: Session, acting_as: str | None) -> str:
    return acting_author(session, acting_as, Action.MANAGE_USERS)


@click.group()
def users() -> None:
    """Create, list and disable accounts; issue and revoke their API tokens.

    Without --as the command runs as the local administrator (whoever can run it on the server);
    with --as USERNAME that user's role must allow managing users.

    \b
    Examples:
      truceline users add mediator-doha --role mediator --public-key qatar.pub --password-file pw.txt
      truceline users add liaison-pk-north --role party --party PK --public-key pk.pub
      truceline users list --format json
      truceline users token liaison-pk --expires 30
      truceline users revoke-token tok-0a1b2c3d4e5f6a7b
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
    with ctx.runtime.transaction() as session:
        author = _author(session, acting_as)
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            party=party,
            public_key=vkey,
            known_parties=[p.id for p in ctx.runtime.scenario.parties],
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


def parse_days(value: str) -> timedelta:
    """`--expires 30` as a lifetime: a whole number of days, 1 up to the service's maximum."""
    if not value.strip().isdecimal() or not 1 <= int(value) <= MAX_TOKEN_TTL.days:
        raise InvalidInput(
            f"--expires: expected a whole number of days from 1 to {MAX_TOKEN_TTL.days}, got {value!r}"
        )
    return timedelta(days=int(value))


@users.command("token")
@click.argument("username")
@click.option(
    "--expires",
    "expires_days",
    metavar="DAYS",
    default=str(DEFAULT_TOKEN_TTL.days),
    show_default=True,
    help=f"Days until the token expires (1 to {MAX_TOKEN_TTL.days}).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--as", "acting_as", help="Act as this user (must be allowed to manage users).")
@pass_context
def issue_token_command(
    ctx: Context, username: str, expires_days: str, fmt: str, acting_as: str | None
) -> None:
    """Issue a new API token for USERNAME and print it, this once: only its hash is kept.

    Prints the token's id, the user, when it expires and the token (a tab-separated line, or JSON).
    Keep the id to revoke the token later; the token itself cannot be shown again.

    \b
    Examples:
      truceline users token liaison-pk --expires 30
      TOKEN=$(truceline users token liaison-pk --format json | jq -r .token)
    """
    ttl = parse_days(expires_days)
    with ctx.runtime.transaction() as session:
        author = _author(session, acting_as)
        issued = issue_api_token(session, username=username, author=author, now=ctx.now(), ttl=ttl)
    row = {
        "id": issued.id,
        "username": issued.username,
        "expires_at": format_time(issued.expires_at),
        "token": issued.token,
    }
    if fmt == "json":
        click.echo(json.dumps(row))
    else:
        click.echo("\t".join(row.values()))
    click.echo("store the token now: it is not kept and cannot be shown again", err=True)


@users.command("revoke-token")
@click.argument("token_id")
@click.option("--as", "acting_as", help="Act as this user (must be allowed to manage users).")
@pass_context
def revoke_token_command(ctx: Context, token_id: str, acting_as: str | None) -> None:
    """Revoke the API token with id TOKEN_ID (as printed by `users token`): it is refused from now on.

    The revocation is a ledgered record of its own; the token's record is not changed.

    \b
    Example:
      truceline users revoke-token tok-0a1b2c3d4e5f6a7b --as mediator-qatar
    """
    with ctx.runtime.transaction() as session:
        revocation = revoke_token(
            session, token_id=token_id, author=_author(session, acting_as), now=ctx.now()
        )
    click.echo(f"{token_id}\trevoked\t{revocation.id}")


@click.group()
def keys() -> None:
    """Ed25519 signing keys in the C2SP note format (for parties, mediators and witnesses).

    \b
    Example:
      truceline keys generate liaison-pk-north
      truceline users add liaison-pk-north --role party --party PK --public-key liaison-pk-north.pub
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
