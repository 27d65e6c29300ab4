"""The complaints a report lists: filed, answered or unanswered in the period, as the principal may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint
from truceline.complaints.rules import reply_deadline
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, can


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    id: str
    filed_at: datetime
    complainant: str
    accused: str
    clauses: str
    summary: str
    incident_id: str | None
    reply_due: datetime
    replied_at: datetime | None  # the first reply, if it came by the end of the period
    reply_state: str  # answered | overdue | awaiting
    url: str

    @property
    def is_overdue(self) -> bool:
        return self.reply_state == "overdue"


def list_complaint_rows(
    session: Session, scenario: Scenario, principal: Principal, *, date_from: date, as_of: datetime
) -> list[ComplaintRow]:
    """Complaints the principal may read that were filed in the period, answered in it, or still unanswered
    at its end (an overdue reply stays in every report until it comes)."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    names = {p.id: p.short_name for p in scenario.parties}
    titles = {c.id: c.title for c in scenario.agreement.clauses}
    query = (
        select(Complaint).where(Complaint.created_at <= as_of).order_by(Complaint.created_at, Complaint.id)
    )
    rows = []
    for complaint in session.scalars(query):
        if not can(principal, Action.READ_COMPLAINT, complaint):
            continue
        replies = [
            r.created_at for r in complaints.list_responses(session, complaint.id) if r.created_at <= as_of
        ]
        replied = min(replies, default=None)
        filed_in_period = complaint.created_at >= start
        if not filed_in_period and replied is not None and replied < start:
            continue  # settled before the period
        due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
        state = "answered" if replied is not None else "overdue" if due < as_of else "awaiting"
        rows.append(
            ComplaintRow(
                id=complaint.id,
                filed_at=complaint.created_at,
                complainant=names.get(complaint.complainant_party, complaint.complainant_party),
                accused=names.get(complaint.accused_party, complaint.accused_party),
                clauses=", ".join(f"{c} {titles.get(str(c), '')}".strip() for c in complaint.clause_ids),
                summary=complaint.summary,
                incident_id=complaint.incident_id,
                reply_due=due,
                replied_at=replied,
                reply_state=state,
                url=f"/complaints/{complaint.id}",
            )
        )
    return rows
