"""Incident tables: each version is a record; merges and splits create new versions that supersede.

Beside the records, two derived tables that recluster reads by index (both insert-only, never ledgered:
each can be rebuilt from the ledgered records): which incident versions hold which claim, and how far the
ledger had been read by each recluster.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, column
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Base, Record


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


class IncidentMember(Base):
    """One claim of one incident version: `Incident.claim_ids` as rows, written with the version.

    The current incident of a claim is the member row whose incident no other row supersedes (both lookups
    indexed). No foreign keys: inside `batched_appends` the incident row is written after its members."""

    __tablename__ = "incident_members"

    claim_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(80), primary_key=True)


class ReclusterMark(Base):
    """A committed recluster: every ledger entry below `ledger_size` had been appended when it started.

    The next incremental run reads only the entries from the latest mark on (new claims, corrections,
    rejections, incident versions): every claim before it is already in a current incident or withdrawn."""

    __tablename__ = "recluster_marks"

    ledger_size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
