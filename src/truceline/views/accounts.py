"""Who is who, read-only: accounts, their API tokens, and the principal a token or an active account stands
for (the web app's dependencies and the CLI's `--as`). Account changes are `workflows.accounts`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from truceline.errors import Conflict
from truceline.users.rules import Principal
from truceline.users.service import (
    find_user,
    get_user,
    is_token_revoked,
    list_tokens,
    list_users,
    principal_for_token,
    principal_of,
)

__all__ = [
    "active_principal",
    "find_user",
    "get_user",
    "is_token_revoked",
    "list_tokens",
    "list_users",
    "principal_for_token",
    "principal_of",
]


def active_principal(session: Session, username: str) -> Principal:
    """The principal of the active account named `username`; NotFound when there is none, Conflict when it is
    disabled."""
    user = get_user(session, username)
    if not user.is_active:
        raise Conflict(f"user {username!r} is disabled")
    return principal_of(user)
