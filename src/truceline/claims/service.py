"""Claim use cases: read; writes come with the extraction and review workflows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim
from truceline.errors import NotFound


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
