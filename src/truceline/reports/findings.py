"""The findings a report lists: adopted or published in the period, each as the principal may read it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases import findings as findings_service
from truceline.cases import penalties
from truceline.cases import service as cases
from truceline.cases.models import Finding
from truceline.cases.rules import FindingStatus
from truceline.db.versions import base_id
from truceline.ledger.service import recorded_by
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, can
from truceline.wording import (
    clauses_words,
    confidence_words,
    party_name,
    penalty_words,
    verdict_words,
)


@dataclass(frozen=True, slots=True)
class FindingRow:
    id: str  # base id, shared by every version
    status: str
    verdict: str
    responsible: str | None  # "Pakistan (its forces)", "Afghanistan (as host)"
    clauses: str
    confidence: str
    penalty: str | None  # None when there is none or the principal may not read it
    case_id: str | None  # None when the principal may not read the case
    adopted_on: date | None
    published_on: date | None
    rationale: str
    url: str


def findings_by_base(session: Session, *, as_of: datetime | None) -> dict[str, list[Finding]]:
    """Every finding's versions in order, by base id (those the ledger held `as_of`)."""
    found: dict[str, list[Finding]] = defaultdict(list)
    for finding in session.scalars(select(Finding).where(recorded_by(Finding, as_of))):
        found[base_id(finding.id)].append(finding)
    for versions in found.values():
        versions.sort(key=lambda f: (f.created_at, f.id))
    return found


def list_finding_rows(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    findings_by_base: Mapping[str, list[Finding]],
    *,
    date_from: date,
    date_to: date,
) -> list[FindingRow]:
    rows = []
    for base, versions in sorted(findings_by_base.items()):
        adopted = next((v.created_at.date() for v in versions if v.status == FindingStatus.ADOPTED), None)
        published = next((v.created_at.date() for v in versions if v.status == FindingStatus.PUBLISHED), None)
        if not any(day is not None and date_from <= day <= date_to for day in (adopted, published)):
            continue
        finding = versions[-1]  # the version the ledger held then
        if not findings_service.may_read_finding(session, principal, finding):
            continue
        case = cases.get_case(session, finding.case_id)
        penalty = penalties.find_penalty(session, finding.id)
        responsible = None
        if finding.responsible_party:
            how = {"forces": "its forces", "host": "as host"}.get(finding.responsibility or "", "")
            who = party_name(scenario, finding.responsible_party)
            responsible = f"{who} ({how})" if how else who
        rows.append(
            FindingRow(
                id=base,
                status=finding.status,
                verdict=verdict_words(finding.verdict),
                responsible=responsible,
                clauses=clauses_words(scenario, finding.clause_ids),
                confidence=confidence_words(finding.confidence),
                penalty=(
                    penalty_words(scenario, penalty.level, penalty.name)
                    if penalty is not None and can(principal, Action.READ_PENALTY, penalty)
                    else None
                ),
                case_id=(
                    base_id(case.id)
                    if can(principal, Action.READ_CASE, cases.case_target(session, case))
                    else None
                ),
                adopted_on=adopted,
                published_on=published,
                rationale=finding.rationale,
                url=f"/findings/{base}",
            )
        )
    return sorted(rows, key=lambda r: (r.adopted_on or r.published_on or date.min, r.id))
