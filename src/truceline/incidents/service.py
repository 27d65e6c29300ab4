"""Incident use cases: read; clustering, merge and split come with the incidents workflow."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.errors import NotFound
from truceline.incidents.models import Incident


def get_incident(session: Session, incident_id: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


def list_incidents(session: Session, *, limit: int = 50, offset: int = 0) -> list[Incident]:
    query = select(Incident).order_by(Incident.date_start.desc(), Incident.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_incidents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0
