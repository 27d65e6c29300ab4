"""Notice and notice-receipt tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Notice(Record):
    """A message the mechanism sends one party; ledgered, so the party cannot later deny it was told."""

    __tablename__ = "notices"

    party: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    complaint_id: Mapped[str | None] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime | None]


class NoticeReceipt(Record):
    """A liaison of the notice's party marked it read: when, and who."""

    __tablename__ = "notice_receipts"

    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), index=True)
    reader: Mapped[str] = mapped_column(String(120))
