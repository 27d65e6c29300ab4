"""Claim use cases: store extracted or filed claims with their ledger entries, read them back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim
from truceline.errors import NotFound
from truceline.ledger.service import add_record
from truceline.pipeline.claims import ClaimValue


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
    """Store one extracted or filed claim with its ledger entry."""
    claim = Claim(
        id=value.id,
        created_at=now,
        created_by=author,
        supersedes_id=links.get("supersedes_id"),
        document_id=value.document_id or None,
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


def to_claim_value(claim: Claim) -> ClaimValue:
    """The stored claim back as the pipeline's frozen value (for clustering and export)."""
    return ClaimValue.from_json(
        {
            "id": claim.id,
            "document_id": claim.document_id or "",
            "event_type": claim.event_type,
            "sub_event_type": claim.sub_event_type,
            "process_type": claim.process_type,
            "event_date": claim.event_date.isoformat() if claim.event_date else None,
            "time_precision": claim.time_precision,
            "actor1": claim.actor1,
            "actor2": claim.actor2,
            "alleged": claim.alleged,
            "claimant": claim.claimant,
            "location": claim.location,
            "fatalities": claim.fatalities,
            "injuries": claim.injuries,
            "evidence": claim.evidence,
            "confidence": claim.confidence,
            "extractor": claim.extractor,
        }
    )
