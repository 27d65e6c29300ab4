"""The review queue: claims nobody has reviewed yet. Read-only (the review itself: `workflows.review`)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim, ClaimReview


def list_review_queue(session: Session, *, limit: int = 50, offset: int = 0) -> list[Claim]:
    """Claims nobody has reviewed yet, oldest evidence first."""
    reviewed = exists().where(ClaimReview.claim_id == Claim.id)
    query = select(Claim).where(~reviewed).order_by(Claim.created_at, Claim.id).limit(limit).offset(offset)
    return list(session.scalars(query))
