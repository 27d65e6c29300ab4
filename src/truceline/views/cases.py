"""What a case and its findings look like to a principal: the case summary, the cases one may read, and the
bytes a mediator signs for a finding. Read-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from truceline.cases import evidence as evidence_service
from truceline.cases import findings as findings_service
from truceline.cases import penalties
from truceline.cases import service as cases
from truceline.cases.findings import get_finding, signing_message
from truceline.cases.rules import FindingStatus
from truceline.cases.service import list_cases, read_case
from truceline.db.versions import base_id
from truceline.errors import NotFound
from truceline.users.rules import Principal

__all__ = [
    "case_summary",
    "finding_signing_message",
    "get_finding",
    "list_cases",
    "read_case",
    "signing_message",
]


def finding_signing_message(session: Session, finding_id: str) -> bytes:
    """The bytes a mediator signs for the finding as it stands (for offline signing tools)."""
    return findings_service.signing_message(findings_service.get_finding(session, finding_id))


def case_summary(session: Session, *, principal: Principal, case_id: str) -> dict[str, object]:
    """The case as the principal may see it: status, complaints, evidence, findings and their state."""
    case = cases.read_case(session, principal=principal, case_id=case_id)
    findings = []
    for finding in findings_service.list_findings(session, case_id=case.id):
        try:  # a party or monitor sees only the findings it may read (published ones, for a party)
            findings_service.read_finding(session, principal=principal, finding_id=finding.id)
        except NotFound:
            continue
        penalty = penalties.find_penalty(session, finding.id)
        findings.append(
            {
                "id": base_id(finding.id),
                "version": finding.id,
                "status": finding.status,
                "verdict": finding.verdict,
                "responsible_party": finding.responsible_party,
                "signers": findings_service.valid_signers(session, finding),
                "penalty": None if penalty is None else {"level": penalty.level, "name": penalty.name},
            }
        )
    return {
        "id": base_id(case.id),
        "version": case.id,
        "status": case.status,
        "title": case.title,
        "complaint_ids": list(case.complaint_ids),
        "incident_ids": list(case.incident_ids),
        "monitors": list(case.monitors),
        "evidence": [
            {"id": e.id, "kind": e.kind, "sha256": e.sha256, "is_sealed": e.is_sealed, "url": e.url}
            for e in evidence_service.list_evidence(session, principal=principal, case_id=case.id)
        ],
        "findings": findings,
        "is_closed": case.status == "closed",
        "is_published": any(f["status"] == FindingStatus.PUBLISHED for f in findings),
    }
