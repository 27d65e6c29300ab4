"""User and user event tables: an account as created, and each later change of its state."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class User(Record):
    """An account with one role (mediator, monitor, analyst, party, public); `party` set for party users.

    The row holds the account as it was created and is never changed: a later change of its state (disabled,
    password rehashed) is a `UserEvent`. Read the current state with `users.service.get_user`, which folds
    the events in (`users.accounts.Account`); the columns alone are the state before the first event.
    """

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    party: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool]
    public_key: Mapped[str | None] = mapped_column(String(300))


class UserEventKind(StrEnum):
    """What a user event changes; `users.accounts.apply_event` says what each does to the account."""

    DISABLED = "disabled"  # payload {}: no more logins, and the account's tokens stop working
    PASSWORD_CHANGED = "password_changed"  # payload {"password_hash": <argon2id PHC string>}


class UserEvent(Record):
    """One change of an account's state: a record of its own naming the user; the user row stays as it is."""

    __tablename__ = "user_events"
    ledger_subject: ClassVar[tuple[str, str] | None] = ("user_id", "users")

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # a UserEventKind
    payload: Mapped[dict[str, Any]]
