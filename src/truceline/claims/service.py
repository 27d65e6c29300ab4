"""Claim use cases: store extracted or filed claims with their ledger entries, read them back."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim
from truceline.errors import NotFound
from truceline.ledger.service import add_record
from truceline.pipeline.claims import ClaimValue, Evidence, Fatalities, Location


def get_claim(session: Session, claim_id: str) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def list_claims(
    session: Session, *, document_id: str | None = None, limit: int = 50, offset: int = 0
) -> list[Claim]:
    query = select(Claim)
    if document_id is not None:
        query = query.where(Claim.document_id == document_id)
    query = query.order_by(Claim.event_date.desc(), Claim.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_claims(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim)) or 0


def create_claim(
    session: Session, value: ClaimValue, *, author: str, now: datetime, **links: str | None
) -> Claim:
    """Store one extracted or filed claim with its ledger entry. `links`: `supersedes_id`, `source_id`, and
    `document_id` when it is not the value's (None: no stored document, as for an imported event)."""
    claim = Claim(
        id=value.id,
        created_at=now,
        created_by=author,
        supersedes_id=links.get("supersedes_id"),
        document_id=links.get("document_id", value.document_id) or None,
        source_id=links.get("source_id"),
        event_type=value.event_type,
        sub_event_type=value.sub_event_type,
        process_type=value.process_type,
        event_date=value.event_date,
        time_precision=value.time_precision,
        actor1=value.actor1,
        actor2=value.actor2,
        alleged=value.alleged,
        claimant=value.claimant,
        location=value.location.to_json(),
        fatalities=value.fatalities.to_json(),
        injuries=value.injuries,
        evidence=value.evidence.to_json(),
        confidence=value.confidence,
        extractor=value.extractor,
    )
    add_record(session, claim, author=author, now=now)
    return claim


class ClaimColumns(Protocol):
    """What a claim value is read from: a `Claim`, or a row of `VALUE_COLUMNS` (no ORM object made)."""

    @property
    def id(self) -> str: ...
    @property
    def document_id(self) -> str | None: ...
    @property
    def event_type(self) -> str: ...
    @property
    def sub_event_type(self) -> str: ...
    @property
    def process_type(self) -> str | None: ...
    @property
    def event_date(self) -> date | None: ...
    @property
    def time_precision(self) -> int | None: ...
    @property
    def actor1(self) -> str | None: ...
    @property
    def actor2(self) -> str | None: ...
    @property
    def alleged(self) -> bool: ...
    @property
    def claimant(self) -> str | None: ...
    @property
    def location(self) -> dict[str, Any]: ...
    @property
    def fatalities(self) -> dict[str, Any]: ...
    @property
    def injuries(self) -> int | None: ...
    @property
    def evidence(self) -> dict[str, Any]: ...
    @property
    def confidence(self) -> float: ...
    @property
    def extractor(self) -> str: ...


# What a pool of claims follows from a claim (its correction, source and document), and with its value.
LINK_COLUMNS = (Claim.id, Claim.supersedes_id, Claim.source_id, Claim.document_id)
VALUE_COLUMNS = (
    *LINK_COLUMNS,
    Claim.event_type,
    Claim.sub_event_type,
    Claim.process_type,
    Claim.event_date,
    Claim.time_precision,
    Claim.actor1,
    Claim.actor2,
    Claim.alleged,
    Claim.claimant,
    Claim.location,
    Claim.fatalities,
    Claim.injuries,
    Claim.evidence,
    Claim.confidence,
    Claim.extractor,
)


def to_claim_value(claim: ClaimColumns, *, document_id: str | None = None) -> ClaimValue:
    """The stored claim back as the pipeline's frozen value (for clustering and export); `document_id`,
    when given, stands for the stored one (imported events have none).

    The same value as `ClaimValue.from_json` of the claim's JSON, built without the JSON in between."""
    return ClaimValue(
        id=str(claim.id),
        document_id=str(claim.document_id or "") if document_id is None else document_id,
        event_type=str(claim.event_type),
        sub_event_type=str(claim.sub_event_type),
        process_type=claim.process_type,
        event_date=claim.event_date,
        time_precision=claim.time_precision,
        actor1=claim.actor1,
        actor2=claim.actor2,
        alleged=bool(claim.alleged),
        claimant=claim.claimant,
        location=Location.from_json(claim.location or {}),
        fatalities=Fatalities.from_json(claim.fatalities or {}),
        evidence=Evidence.from_json(claim.evidence),
        confidence=float(claim.confidence),
        extractor=str(claim.extractor),
        injuries=claim.injuries,
    )
