"""Account acts: create and disable an account, sign in (every attempt is ledgered), issue and revoke API
tokens and sign-in sessions. Each is one step of `users.service` that already is the whole act, run in the
caller's transaction; it is imported here so that web and CLI change accounts only through `workflows/`."""

from __future__ import annotations

from truceline.users.service import (
    DEFAULT_TOKEN_TTL,
    MAX_TOKEN_TTL,
    attempt_login,
    create_user,
    disable_user,
    issue_api_token,
    issue_token,
    revoke_session_token,
    revoke_token,
)

__all__ = [
    "DEFAULT_TOKEN_TTL",
    "MAX_TOKEN_TTL",
    "attempt_login",
    "create_user",
    "disable_user",
    "issue_api_token",
    "issue_token",
    "revoke_session_token",
    "revoke_token",
]
