"""Verification cases: opening them, their status and monitors, who may read them. Each use case takes the
caller's session, checks the access policy for the acting principal before it writes, writes every record
with its ledger entry, and flushes, never commits.

A case that changes is a new version (see `rules.base_id`): `get_case` returns the latest version of the base
id it is given. A case involves the parties of its complaints; that is read here from the complaint table
because the policy needs it for every act. Evidence, findings, penalties and notified activities have
modules of their own beside this one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Case
from truceline.cases.rules import CaseStatus, check_transition
from truceline.cases.schemas import CaseCreate
from truceline.complaints.models import Complaint
from truceline.db.versions import (
    base_id,
    copy_version,
    latest_of,
    latest_version,
    list_versions,
    new_id,
)
from truceline.errors import Conflict, InvalidInput, NotFound
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record, recorded_by
from truceline.users.rules import Action, Principal, Role, Target, can, require
from truceline.users.service import get_user

log = logging.getLogger(__name__)


def get_case(session: Session, case_id: str) -> Case:
    return latest_version(session, Case, case_id, "case")


def list_case_versions(session: Session, case_id: str) -> list[Case]:
    return list_versions(session, Case, case_id)


def case_parties(session: Session, case: Case) -> frozenset[str]:
    """The parties a case involves: complainants and accused of its complaints."""
    parties: set[str] = set()
    for complaint_id in case.complaint_ids:
        complaint = session.get(Complaint, complaint_id)
        if complaint is not None:
            parties |= {complaint.complainant_party, complaint.accused_party}
    return frozenset(parties)


def case_target(session: Session, case: Case) -> Target:
    return Target(case, involved_parties=case_parties(session, case))


def read_case(session: Session, *, principal: Principal, case_id: str) -> Case:
    """The latest version, if the principal may read it; NotFound otherwise."""
    case = get_case(session, case_id)
    if not can(principal, Action.READ_CASE, case_target(session, case)):
        raise NotFound("case", case_id)
    return case


def list_cases(session: Session, *, principal: Principal, as_of: datetime | None = None) -> list[Case]:
    """Latest versions of the cases the principal may read, newest first (as the ledger held them `as_of`)."""
    latest: dict[str, Case] = latest_of(session.scalars(select(Case).where(recorded_by(Case, as_of))))
    visible = [c for c in latest.values() if can(principal, Action.READ_CASE, case_target(session, c))]
    return sorted(visible, key=lambda c: (c.created_at, c.id), reverse=True)


def open_case(session: Session, *, principal: Principal, case_in: CaseCreate, now: datetime) -> Case:
    """A mediator opens a case on complaints and/or incidents and assigns monitors (by username)."""
    require(principal, Action.OPEN_CASE)
    if not case_in.complaint_ids and not case_in.incident_ids:
        raise InvalidInput("a case needs at least one complaint or incident")
    for complaint_id in case_in.complaint_ids:
        if session.get(Complaint, complaint_id) is None:
            raise NotFound("complaint", complaint_id)
    for incident_id in case_in.incident_ids:
        if session.get(Incident, incident_id) is None:
            raise NotFound("incident", incident_id)
    monitors = _check_monitors(session, case_in.monitors)
    if case_in.deadline is not None and case_in.deadline <= now:
        raise InvalidInput(f"deadline: expected a time after now, got {case_in.deadline.isoformat()}")
    case = Case(
        id=new_id("case"),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        title=case_in.title,
        status=CaseStatus.OPEN.value,
        complaint_ids=list(dict.fromkeys(case_in.complaint_ids)),
        incident_ids=list(dict.fromkeys(case_in.incident_ids)),
        monitors=monitors,
        deadline=case_in.deadline,
        notes=case_in.notes,
    )
    add_record(session, case, author=principal.username, now=now)
    log.info("case %s opened by %s", case.id, principal.username)
    return case


def _check_monitors(session: Session, usernames: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(usernames))
    for name in names:
        user = get_user(session, name)
        if user.role != Role.MONITOR.value or not user.is_active:
            raise InvalidInput(f"monitors: {name!r} is not an active monitor account (role {user.role})")
    return names


def transition_case(
    session: Session, *, principal: Principal, case_id: str, status: str, now: datetime
) -> Case:
    """A mediator moves a case along the status machine; the new status is a new version of the case."""
    case = get_case(session, case_id)
    require(principal, Action.UPDATE_CASE, case_target(session, case))
    return advance_case(session, case, status=status, author=principal.username, now=now)


def assign_monitors(
    session: Session, *, principal: Principal, case_id: str, monitors: Sequence[str], now: datetime
) -> Case:
    case = get_case(session, case_id)
    require(principal, Action.UPDATE_CASE, case_target(session, case))
    if case.status == CaseStatus.CLOSED:
        raise Conflict(f"case {base_id(case.id)} is closed")
    new = copy_version(case, author=principal.username, now=now, monitors=_check_monitors(session, monitors))
    add_record(session, new, author=principal.username, now=now)
    return new


def advance_case(session: Session, case: Case, *, status: str, author: str, now: datetime) -> Case:
    target = check_transition(base_id(case.id), case.status, status)
    new = copy_version(case, author=author, now=now, status=target.value)
    add_record(session, new, author=author, now=now)
    log.info("case %s: %s -> %s", base_id(case.id), case.status, target.value)
    return new
