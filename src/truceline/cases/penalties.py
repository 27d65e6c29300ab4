"""Penalties: the schedule's step for a party's nth confirmed violation, applied to an adopted finding."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.findings import finding_target, get_finding
from truceline.cases.models import Finding, Penalty
from truceline.cases.rules import FindingStatus, Verdict
from truceline.db.versions import base_id, list_versions, new_id
from truceline.errors import Conflict
from truceline.ledger.service import add_record
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, require


def confirmed_violations(session: Session, *, party: str, since: datetime, until: datetime) -> int:
    """How many findings confirming a violation by `party` were adopted in (since, until]."""
    query = select(Finding.id).where(
        Finding.status == FindingStatus.ADOPTED.value,
        Finding.verdict == Verdict.VIOLATION_CONFIRMED.value,
        Finding.responsible_party == party,
        Finding.created_at > since,
        Finding.created_at <= until,
    )
    return len({base_id(finding_id) for finding_id in session.scalars(query)})


def apply_penalty(
    session: Session, *, principal: Principal, scenario: Scenario, finding_id: str, now: datetime
) -> Penalty:
    """The schedule's step for the party's nth confirmed violation within `penalty_window_days`."""
    finding = get_finding(session, finding_id)
    require(principal, Action.APPLY_PENALTY, finding_target(session, finding)[0])
    base = base_id(finding.id)
    if finding.status not in (FindingStatus.ADOPTED, FindingStatus.PUBLISHED):
        raise Conflict(f"finding {base} is {finding.status}; a penalty follows an adopted finding")
    if finding.verdict != Verdict.VIOLATION_CONFIRMED or finding.responsible_party is None:
        raise Conflict(f"finding {base} confirms no violation, so no penalty applies")
    if find_penalty(session, finding.id) is not None:
        raise Conflict(f"finding {base} already has its penalty")
    adopted = next(
        v for v in list_versions(session, Finding, finding.id) if v.status == FindingStatus.ADOPTED
    )
    window = timedelta(days=scenario.penalty_window_days)
    nth = confirmed_violations(
        session, party=finding.responsible_party, since=adopted.created_at - window, until=adopted.created_at
    )
    step = scenario.penalty_for(max(nth, 1))
    penalty = Penalty(
        id=new_id("pen"),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        finding_id=adopted.id,
        party=finding.responsible_party,
        level=step.level,
        name=step.name,
        description=f"{step.description} (confirmed violation {nth} in {scenario.penalty_window_days} days)",
    )
    add_record(session, penalty, author=principal.username, now=now)
    return penalty


def find_penalty(session: Session, finding_id: str) -> Penalty | None:
    ids = [f.id for f in list_versions(session, Finding, finding_id)]
    return (
        session.scalars(select(Penalty).where(Penalty.finding_id.in_(ids)).limit(1)).first() if ids else None
    )
