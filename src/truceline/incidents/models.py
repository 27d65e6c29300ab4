"""Incident table: each version is a record; merges and splits create new versions that supersede."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Index, String, Text, column
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Incident(Record):
    """One happening: member claims, canonical fields (UCDP-style fatality range) and corroboration."""

    __tablename__ = "incidents"

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

    # The incident list's order (newest first, undated last): a page is read from this index in order, where
    # the `date_start` index alone leaves PostgreSQL sorting every current incident for each page.
    __table_args__ = (
        Index("ix_incidents_supersedes_id", "supersedes_id"),
        Index("ix_incidents_date_start_desc_id", column("date_start").desc().nulls_last(), "id"),
    )
