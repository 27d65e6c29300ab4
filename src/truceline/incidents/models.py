"""Incident table: each version is a record; merges and splits create new versions that supersede."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Incident(Record):
    """One happening: member claims, canonical fields (UCDP-style fatality range) and corroboration."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_supersedes_id", "supersedes_id"),)

    title: Mapped[str] = mapped_column(Text)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(80))
    process_type: Mapped[str | None] = mapped_column(String(60))
    date_start: Mapped[date | None] = mapped_column(index=True)
    date_end: Mapped[date | None]
    actors: Mapped[list[Any]]
    location: Mapped[dict[str, Any]]
    fatalities: Mapped[dict[str, Any]]
    claim_ids: Mapped[list[Any]]
    independent_sources: Mapped[int]
    corroboration: Mapped[float]
    reasons: Mapped[list[Any]]
