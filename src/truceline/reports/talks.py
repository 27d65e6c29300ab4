"""The talks rounds a report lists: those that overlap the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from truceline.reports.phrasing import format_period
from truceline.talks.service import list_talks_rounds


@dataclass(frozen=True, slots=True)
class TalksRow:
    name: str
    place: str
    dates: str
    outcome: str


def list_talks_rows(session: Session, *, date_from: date, date_to: date) -> list[TalksRow]:
    """The talks rounds held (at least in part) in the period, in the order the talks service lists them."""
    return [
        TalksRow(t.name, t.place, format_period(t.start_date, t.end_date), t.outcome)
        for t in list_talks_rounds(session)
        if t.start_date <= date_to and t.end_date >= date_from
    ]
