"""Case, evidence, finding, penalty and notification shapes at the edges (API, CLI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from truceline.ledger.schemas import RecordProofRead


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


class PenaltyRead(BaseModel):
    party: str
    level: int
    name: str
    words: str = Field(
        description="the step in words: 'Step 2 of 5 of the penalty schedule: Public attribution'"
    )
    description: str


class ClauseRead(BaseModel):
    id: str
    title: str


class FindingSignatureRead(BaseModel):
    signer: str
    key: str = Field(description="the signer's Ed25519 key as a C2SP vkey")
    key_hash: str = Field(description="the key's 4-byte id (hex), as in signed notes")
    signed_at: datetime
    is_valid: bool = Field(
        description="verifies now, by an active mediator, with the key the account holds now"
    )


class FindingVersionRead(BaseModel):
    version: int
    version_id: str = Field(description="'fnd-x' for version 1, 'fnd-x.v2' for the next, ...")
    status: str
    created_at: datetime
    created_by: str


class FindingRead(BaseModel):
    """A finding under its one public id (`id`), as its latest version the caller may read says it."""

    id: str
    version: int
    version_id: str
    case_id: str | None = Field(description="null when the caller may not read the case")
    status: str
    verdict: str
    verdict_words: str
    responsible_party: str | None
    responsibility: str | None
    responsible_words: str | None = Field(description="'Pakistan, its own forces'; null when none is named")
    clauses: list[ClauseRead]
    confidence: str
    confidence_words: str = Field(description="estimative language with its range: 'likely (55–80%)'")
    rationale: str
    penalty: PenaltyRead | None = Field(description="null when there is none or the caller may not read it")
    signatures: list[FindingSignatureRead]
    valid_signers: list[str]
    quorum: int
    adopted_at: datetime | None
    published_at: datetime | None
    versions: list[FindingVersionRead] = Field(description="the versions the caller may read, oldest first")
    proof: RecordProofRead | None = Field(
        description="the ledger entry of this version and its inclusion proof"
    )
