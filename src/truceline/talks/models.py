"""Talks-round table."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class TalksRound(Record):
    """A negotiation session (Doha, Istanbul I, ...): dates, place, mediators, outcome."""

    __tablename__ = "talks_rounds"

    name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date]
    mediators: Mapped[list[Any]]
    outcome: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
