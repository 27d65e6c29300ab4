"""API token and authentication event tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class AuthEventKind(StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"
    TOKEN_ISSUED = "token_issued"
    TOKEN_REVOKED = "token_revoked"
    USER_DISABLED = "user_disabled"


class ApiToken(Record):
    """An API token: only the SHA-256 of the secret is kept; revoking it is a new ledger entry."""

    ledger_repeats: ClassVar[bool] = True  # an account's state changes are new entries for its id

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    expires_at: Mapped[datetime]
    is_revoked: Mapped[bool]


class AuthEvent(Record):
    """One authentication event (login succeeded/failed/throttled, token issued/revoked, user disabled)."""

    __tablename__ = "auth_events"

    username: Mapped[str] = mapped_column(String(80), index=True)
    event: Mapped[str] = mapped_column(String(30))  # an AuthEventKind
    detail: Mapped[str] = mapped_column(Text, default="")
