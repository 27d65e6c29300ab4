"""Case, evidence, custody, finding, finding-signature and penalty tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class Case(Record):
    """The verification of complaints/incidents; a status change is a new version superseding the last."""

    __tablename__ = "cases"

    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30))
    complaint_ids: Mapped[list[Any]]
    incident_ids: Mapped[list[Any]]
    monitors: Mapped[list[Any]]
    deadline: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")


class Evidence(Record):
    """A file (content-addressed by SHA-256) or URL reference attached to a case; may be sealed."""

    __tablename__ = "evidence"

    case_id: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300), default="")
    media_type: Mapped[str] = mapped_column(String(120), default="")
    size_bytes: Mapped[int | None]
    url: Mapped[str] = mapped_column(String(2000), default="")
    is_sealed: Mapped[bool]
    is_confidential: Mapped[bool]
    submitted_by_party: Mapped[str | None] = mapped_column(String(20))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")


class CustodyEvent(Record):
    """One access to or transfer of an evidence item (chain of custody)."""

    __tablename__ = "custody_events"

    evidence_id: Mapped[str] = mapped_column(ForeignKey("evidence.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text, default="")


class Finding(Record):
    """A verdict on a case: responsible party (as forces or as host), clauses, estimative confidence."""

    __tablename__ = "findings"

    case_id: Mapped[str] = mapped_column(String(80), index=True)
    verdict: Mapped[str] = mapped_column(String(30))
    responsible_party: Mapped[str | None] = mapped_column(String(20))
    responsibility: Mapped[str | None] = mapped_column(String(20))
    clause_ids: Mapped[list[Any]]
    confidence: Mapped[str] = mapped_column(String(30))
    rationale: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))


class FindingSignature(Record):
    """A mediator's Ed25519 signature over the canonical finding."""

    __tablename__ = "finding_signatures"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"), index=True)
    signer: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(300))
    signature: Mapped[str] = mapped_column(String(200))


class Penalty(Record):
    """The consequence the penalty schedule assigns to a confirmed violation."""

    __tablename__ = "penalties"

    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))
    level: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)


class Notification(Record):
    """A party's advance notice of a permitted activity: area (GeoJSON) and time window."""

    __tablename__ = "notifications"

    party: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    area: Mapped[dict[str, Any]]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(Text, default="")
