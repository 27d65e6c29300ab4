"""Talks-round use cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger.service import add_record
from truceline.scenarios.schema import TalksRound as TalksRoundSpec
from truceline.talks.models import TalksRound


def list_talks_rounds(session: Session) -> list[TalksRound]:
    return list(session.scalars(select(TalksRound).order_by(TalksRound.start_date)))


def load_talks_rounds(
    session: Session, specs: list[TalksRoundSpec], *, author: str, now: datetime
) -> list[TalksRound]:
    """Record the scenario's talks rounds that are not recorded yet (by id)."""
    added = []
    for spec in specs:
        if session.get(TalksRound, spec.id) is not None:
            continue
        talks = TalksRound(
            id=spec.id,
            created_at=now,
            created_by=author,
            supersedes_id=None,
            name=spec.name,
            place=spec.place,
            start_date=spec.start,
            end_date=spec.end,
            mediators=list(spec.mediators),
            outcome=spec.outcome,
            source=spec.source,
        )
        add_record(session, talks, author=author, now=now)
        added.append(talks)
    return added
