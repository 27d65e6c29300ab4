"""What the mechanism publishes: the findings whose latest version is published."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Finding


def list_published_findings(session: Session) -> list[Finding]:
    """Published finding versions, newest first (a published version is final: nothing supersedes it)."""
    query = (
        select(Finding).where(Finding.status == "published").order_by(Finding.created_at.desc(), Finding.id)
    )
    return list(session.scalars(query))
