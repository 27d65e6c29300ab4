"""Acting as a user from the command line: the `--as` option's help, the principal it names, the output."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy.orm import Session

from truceline.errors import Conflict
from truceline.users.rules import Principal
from truceline.users.service import get_user, principal_of

AS_HELP = "Act as this user; the access policy applies to them."
Format = click.Choice(["text", "json"])


def acting_principal(session: Session, username: str) -> Principal:
    """The principal of the active user named by `--as`; Conflict when that account is disabled."""
    user = get_user(session, username)
    if not user.is_active:
        raise Conflict(f"user {username!r} is disabled")
    return principal_of(user)


def emit(fmt: str, data: dict[str, Any], text: str) -> None:
    """`data` as JSON with `--format json`, else the line of text."""
    click.echo(json.dumps(data, indent=2, default=str) if fmt == "json" else text)
