"""User table."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class User(Record):
    """An account with one role (mediator, monitor, analyst, party, public); `party` set for party users."""

    ledger_repeats: ClassVar[bool] = True  # an account's state changes are new entries for its id

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    party: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool]
    public_key: Mapped[str | None] = mapped_column(String(300))
