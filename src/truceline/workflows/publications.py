"""What the mechanism publishes: the findings whose latest version is published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Finding
from truceline.ledger.service import recorded_by


def list_published_findings(session: Session, *, as_of: datetime | None = None) -> list[Finding]:
    """Published finding versions, newest first (a published version is final: nothing supersedes it);
    with `as_of`, those the ledger held then."""
    query = (
        select(Finding)
        .where(Finding.status == "published", recorded_by(Finding, as_of))
        .order_by(Finding.created_at.desc(), Finding.id)
    )
    return list(session.scalars(query))
