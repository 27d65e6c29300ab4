"""Case, evidence, finding, penalty and notification shapes at the edges (API, CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CaseCreate(_In):
    title: str = Field(min_length=1, max_length=300)
    complaint_ids: list[str] = Field(default=[], max_length=100)
    incident_ids: list[str] = Field(default=[], max_length=100)
    monitors: list[str] = Field(default=[], max_length=50, description="usernames of monitor accounts")
    deadline: datetime | None = None
    notes: str = Field(default="", max_length=20_000)


class FindingCreate(_In):
    verdict: str
    responsible_party: str | None = None
    responsibility: str | None = Field(default=None, description="forces, or host of an armed group")
    clause_ids: list[str] = Field(default=[], max_length=50)
    confidence: str
    rationale: str = Field(min_length=1, max_length=50_000)


class NotificationCreate(_In):
    kind: str
    area: dict[str, Any] = Field(description="GeoJSON Polygon, or Point with radius_km")
    starts_at: datetime
    ends_at: datetime
    description: str = Field(default="", max_length=5_000)


class CaseRead(BaseModel):
    id: str
    case_id: str
    version: int
    created_at: datetime
    created_by: str
    title: str
    status: str
    complaint_ids: list[Any]
    incident_ids: list[Any]
    monitors: list[Any]
    deadline: datetime | None


class EvidenceRead(BaseModel):
    id: str
    case_id: str
    kind: str
    sha256: str | None
    filename: str
    media_type: str
    size_bytes: int | None
    url: str
    is_sealed: bool
    is_confidential: bool
    submitted_by_party: str | None
    metadata: dict[str, Any]


class FindingRead(BaseModel):
    id: str
    finding_id: str
    case_id: str
    verdict: str
    responsible_party: str | None
    responsibility: str | None
    clause_ids: list[Any]
    confidence: str
    rationale: str
    status: str
    signers: list[str]


class PenaltyRead(BaseModel):
    id: str
    finding_id: str
    party: str
    level: int
    name: str
    description: str
