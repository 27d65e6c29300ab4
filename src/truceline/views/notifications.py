"""Advance notices of permitted activities, and the claims that fall inside one (flagged, not violations).
Read-only (filing a notice: `workflows.verification.file_notification`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Notification
from truceline.cases.notifications import claims_in_notified_activities
from truceline.claims.models import Claim


def list_notifications(session: Session) -> list[Notification]:
    return list(session.scalars(select(Notification).order_by(Notification.starts_at.desc())))


def flag_claims_in_notices(session: Session, *, limit: int = 5000) -> list[Any]:
    """Each claim whose place and date fall inside a notified activity, with that notice."""
    claims = list(session.scalars(select(Claim).order_by(Claim.event_date.desc()).limit(limit)))
    return list(claims_in_notified_activities(session, claims))
