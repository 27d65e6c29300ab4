"""The mediator's desk: everything the dashboard shows (counts, ceasefire status, escalation, deadlines)."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from truceline.cases import service as cases_service
from truceline.claims.models import Claim, ClaimReview
from truceline.complaints import service as complaints_service
from truceline.complaints.rules import reply_deadline
from truceline.db.versions import base_id
from truceline.documents.models import Document
from truceline.errors import NotFound
from truceline.ledger.schemas import CheckpointRead
from truceline.ledger.service import recorded_by, size_at
from truceline.scenarios.schema import Scenario
from truceline.talks.models import TalksRound
from truceline.users.rules import Action, Principal, scopes_for
from truceline.views.ceasefire import CeasefireStatus, Escalation, ceasefire_status, escalation
from truceline.views.filters import INCIDENT_STATUSES
from truceline.views.incidents import incident_points, ledger_head, ledger_size, sees_every_verdict
from truceline.views.ledger import published_checkpoint
from truceline.wording import party_name


@dataclass(frozen=True, slots=True)
class Deadline:
    """An open case or an unanswered complaint, and when it is due."""

    kind: str
    id: str
    title: str
    status: str
    due: datetime | None
    overdue: bool
    url: str


@dataclass(frozen=True, slots=True)
class DeskView:
    today: date
    as_of: datetime | None  # the moment a past day's desk shows (None: now)
    ceasefire: CeasefireStatus
    escalation: Escalation
    counts: dict[str, int]
    deadlines: list[Deadline] | None  # None when the principal may see no cases or complaints
    intake_queue: int | None  # None when the principal may not review claims
    checkpoint: CheckpointRead | None
    ledger_size: int
    talks_rounds: list[TalksRound]


OPEN_CASE_STATUSES = frozenset({"open", "investigating", "finding_proposed"})


def desk_view(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    now: datetime,
    as_of: datetime | None = None,
) -> DeskView:
    """Everything the dashboard shows, as the principal may see it: now, or as the record stood `as_of`
    (every count, status, deadline and the checkpoint from the records the ledger held then)."""
    moment = as_of or now
    today = moment.date()
    may_review = bool(scopes_for(principal.role, Action.REVIEW_CLAIM))
    summary = _summary(session, scenario, principal, today=today, as_of=as_of, may_review=may_review)
    deadlines = None
    if scopes_for(principal.role, Action.READ_CASE) or scopes_for(principal.role, Action.READ_COMPLAINT):
        deadlines = _deadlines(session, scenario, principal, now=moment, as_of=as_of)
    size = ledger_size(session) if as_of is None else size_at(session, as_of)
    checkpoint = None
    with suppress(NotFound):
        checkpoint = published_checkpoint(session, max_size=size)
    talks = select(TalksRound).where(recorded_by(TalksRound, as_of)).order_by(TalksRound.start_date.desc())
    return DeskView(
        today=today,
        as_of=as_of,
        ceasefire=summary.ceasefire,
        escalation=summary.escalation,
        counts=dict(summary.counts),
        deadlines=deadlines,
        intake_queue=summary.intake_queue,
        checkpoint=checkpoint,
        ledger_size=size,
        talks_rounds=list(session.scalars(talks)),
    )


@dataclass(frozen=True, slots=True)
class _Summary:
    """The parts of the desk that are a function of the records alone (and the day): kept per ledger head."""

    counts: dict[str, int]
    ceasefire: CeasefireStatus
    escalation: Escalation
    intake_queue: int | None


_summary_lock = threading.Lock()
_summaries: dict[tuple[Any, ...], _Summary] = {}
_making: dict[tuple[Any, ...], threading.Lock] = {}  # the summaries being made, each by one request
MAX_SUMMARIES = 32


def _summary(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    today: date,
    as_of: datetime | None,
    may_review: bool,
) -> _Summary:
    """Counts, ceasefire status and escalation, computed once per ledger head, view and day: every write
    appends an entry, so the same head means the same records (at 1M claims the counts alone are a second
    of database work, and the passes over the incident index a few hundred ms)."""
    key = (
        str(session.get_bind().engine.url),
        scenario.id,
        sees_every_verdict(principal),
        may_review,
        today,
        as_of,
        ledger_head(session),
    )
    with _summary_lock:
        found = _summaries.get(key)
        making = _making.setdefault(key, threading.Lock()) if found is None else None
    if found is not None:
        return found
    assert making is not None
    # One request makes a head's summary at a time: 20 clients after a write waited for 20 recounts at once.
    with making:
        with _summary_lock:
            found = _summaries.get(key)
        if found is None:
            found = _make_summary(
                session, scenario, principal, today=today, as_of=as_of, may_review=may_review
            )
        with _summary_lock:
            if len(_summaries) >= MAX_SUMMARIES:
                _summaries.clear()
            _summaries[key] = found
            _making.pop(key, None)
    return found


def _make_summary(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    today: date,
    as_of: datetime | None,
    may_review: bool,
) -> _Summary:
    points = incident_points(session, scenario, principal, as_of=as_of)
    month_ago = today - timedelta(days=30)
    counts = {
        "incidents": len(points),
        "violent_30d": sum(1 for p in points if p.date_start and p.date_start > month_ago and p.is_violent),
        "documents": session.scalar(select(func.count(Document.id)).where(recorded_by(Document, as_of))) or 0,
        "claims": session.scalar(select(func.count(Claim.id)).where(recorded_by(Claim, as_of))) or 0,
    }
    by_status = Counter(p.verdict[0] for p in points)  # one pass (a point's status is its verdict's first)
    for status in INCIDENT_STATUSES:
        counts[status] = by_status[status]
    intake = None
    if may_review:
        reviewed = exists().where(ClaimReview.claim_id == Claim.id, recorded_by(ClaimReview, as_of))
        query = select(func.count(Claim.id)).where(~reviewed, recorded_by(Claim, as_of))
        intake = session.scalar(query) or 0
    return _Summary(
        counts=counts,
        ceasefire=ceasefire_status(session, scenario, today=today, principal=principal, as_of=as_of),
        escalation=escalation(session, scenario, at=today, principal=principal, as_of=as_of),
        intake_queue=intake,
    )


def _deadlines(
    session: Session, scenario: Scenario, principal: Principal, *, now: datetime, as_of: datetime | None
) -> list[Deadline]:
    found: list[Deadline] = []
    if scopes_for(principal.role, Action.READ_CASE):
        for case in cases_service.list_cases(session, principal=principal, as_of=as_of):
            if case.status in OPEN_CASE_STATUSES:
                due = case.deadline
                found.append(
                    Deadline(
                        "case",
                        base_id(case.id),
                        case.title,
                        case.status.replace("_", " "),
                        due,
                        bool(due and due < now),
                        f"/cases/{base_id(case.id)}",
                    )
                )
    if scopes_for(principal.role, Action.READ_COMPLAINT):
        for complaint in complaints_service.list_complaints(session, principal=principal, as_of=as_of):
            if complaints_service.find_current_response(session, complaint.id, as_of=as_of) is not None:
                continue
            due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
            found.append(
                Deadline(
                    "reply",
                    complaint.id,
                    f"Reply due from {party_name(scenario, complaint.accused_party)}: "
                    + complaint.summary[:80],
                    "awaiting reply",
                    due,
                    due < now,
                    f"/complaints/{complaint.id}",
                )
            )
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda d: (d.due or far, d.id))
