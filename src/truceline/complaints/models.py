"""Complaint and response tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Complaint(Record):
    """A party's formal allegation that an incident breaches clauses by the other party."""

    __tablename__ = "complaints"

    complainant_party: Mapped[str] = mapped_column(String(20))
    accused_party: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"))
    claim_ids: Mapped[list[Any]]
    clause_ids: Mapped[list[Any]]
    summary: Mapped[str] = mapped_column(Text)
    signature: Mapped[dict[str, Any] | None]


class Response(Record):
    """The accused party's reply to a complaint, filed within the scenario's reply window."""

    __tablename__ = "responses"

    complaint_id: Mapped[str] = mapped_column(ForeignKey("complaints.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    signature: Mapped[dict[str, Any] | None]
