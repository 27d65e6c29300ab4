"""Source table."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Source(Record):
    """An outlet, feed, party, monitor team or dataset; `reliability` is the Admiralty grade A–F."""

    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000), default="")
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    language: Mapped[str] = mapped_column(String(8), default="en")
