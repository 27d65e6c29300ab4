"""Claim and claim-review tables."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Claim(Record):
    """One claim in the claim format of DESIGN.md; `location`, `fatalities`, `evidence` are JSON objects."""

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_supersedes_id", "supersedes_id"),
        Index("ix_claims_created_at_id", "created_at", "id"),
    )

    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    sub_event_type: Mapped[str] = mapped_column(String(80))
    process_type: Mapped[str | None] = mapped_column(String(60))
    event_date: Mapped[date | None] = mapped_column(index=True)
    time_precision: Mapped[int | None]
    actor1: Mapped[str | None] = mapped_column(String(120))
    actor2: Mapped[str | None] = mapped_column(String(120))
    alleged: Mapped[bool]
    claimant: Mapped[str | None] = mapped_column(String(120))
    location: Mapped[dict[str, Any]]
    fatalities: Mapped[dict[str, Any]]
    injuries: Mapped[int | None]
    evidence: Mapped[dict[str, Any]]
    confidence: Mapped[float]
    extractor: Mapped[str] = mapped_column(String(80))


class ClaimReview(Record):
    """An analyst's decision on a claim: accepted, rejected, or corrected by a superseding claim."""

    __tablename__ = "claim_reviews"

    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    correction_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"))
