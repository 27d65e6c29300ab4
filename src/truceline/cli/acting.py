"""Acting as a user from the command line: the `--as` option's help, the principal it names, the output."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy.orm import Session

from truceline.users.rules import Action, require
from truceline.views.accounts import active_principal

# The principal of the active user named by `--as`; Conflict when that account is disabled.
acting_principal = active_principal

AS_HELP = "Act as this user; the access policy applies to them."
Format = click.Choice(["text", "json"])
# Who the ledger names when a trusted local administrator acts without --as.
LOCAL_ADMIN = "cli:admin"


def acting_author(session: Session, acting_as: str | None, action: Action) -> str:
    """The ledger author of an administrative act: the user named by `--as`, who must be allowed `action`,
    or the local administrator when no one is named."""
    if acting_as is None:
        return LOCAL_ADMIN
    require(active_principal(session, acting_as), action)
    return acting_as


def emit(fmt: str, data: dict[str, Any], text: str) -> None:
    """`data` as JSON with `--format json`, else the line of text."""
    click.echo(json.dumps(data, indent=2, default=str) if fmt == "json" else text)
