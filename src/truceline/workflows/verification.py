"""The verification workflow: complaint, reply, case, evidence, finding, quorum, penalty, publication.

Each function is one act of one principal, run in the caller's transaction: every record it writes
goes in with its ledger entry, and a refusal (policy, state, signature) raises before anything is
written, so the caller's rollback leaves nothing behind. The steps themselves live in
`complaints.service` and the `cases` package; this module combines them where one act spans both
(a complaint that notifies the accused, an adoption that applies the penalty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from truceline.cases import evidence as evidence_service
from truceline.cases import findings as findings_service
from truceline.cases import penalties
from truceline.cases import service as cases
from truceline.cases.blobs import BlobStore
from truceline.cases.models import Case, Evidence, Finding, FindingSignature, Penalty
from truceline.cases.rules import FindingStatus, Verdict
from truceline.cases.schemas import CaseCreate, FindingCreate
from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint, Response
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate
from truceline.config import Settings
from truceline.db.versions import base_id
from truceline.errors import InvalidInput, NotFound
from truceline.notices.models import Notice
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Principal
from truceline.workflows import notices


@dataclass(frozen=True, slots=True)
class FiledComplaint:
    complaint: Complaint
    notices: list[Notice] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Adoption:
    finding: Finding
    penalty: Penalty | None


def evidence_store(settings: Settings) -> BlobStore:
    """The blob store of a Truceline home directory, with the one upload limit of web and CLI."""
    return BlobStore(settings.home / "blobs", max_bytes=settings.max_upload_bytes)


def file_complaint(
    session: Session,
    *,
    principal: Principal,
    scenario: Scenario,
    complaint_in: ComplaintCreate,
    now: datetime,
) -> FiledComplaint:
    """File a complaint; the accused party is notified in the same transaction (a ledgered notice with the
    time its reply window closes), so the complaint never stands without its notice."""
    complaint = complaints.file_complaint(
        session, principal=principal, scenario=scenario, complaint_in=complaint_in, now=now
    )
    notice = notices.notify_complaint_filed(session, scenario, complaint, now=now)
    return FiledComplaint(complaint=complaint, notices=[notice])


def respond_to_complaint(
    session: Session, *, principal: Principal, scenario: Scenario, response_in: ResponseCreate, now: datetime
) -> Response:
    return complaints.file_response(
        session, principal=principal, scenario=scenario, response_in=response_in, now=now
    )


def list_complaints(
    session: Session, *, principal: Principal, as_of: datetime | None = None
) -> list[Complaint]:
    return complaints.list_complaints(session, principal=principal, as_of=as_of)


def complaint_to_sign(party: str, complaint_in: ComplaintCreate) -> dict[str, Any]:
    """The content a party signs for this complaint (see `complaints.rules.signing_message`)."""
    return complaints.complaint_signing_content(party, complaint_in)


def response_to_sign(session: Session, response_in: ResponseCreate) -> dict[str, Any]:
    """The content the accused party signs for this reply."""
    return complaints.response_signing_content(
        complaints.get_complaint(session, response_in.complaint_id), response_in
    )


def open_case(session: Session, *, principal: Principal, case_in: CaseCreate, now: datetime) -> Case:
    return cases.open_case(session, principal=principal, case_in=case_in, now=now)


def transition_case(
    session: Session, *, principal: Principal, case_id: str, status: str, now: datetime
) -> Case:
    return cases.transition_case(session, principal=principal, case_id=case_id, status=status, now=now)


def add_evidence(
    session: Session,
    *,
    principal: Principal,
    store: BlobStore,
    case_id: str,
    now: datetime,
    file: tuple[str, bytes] | None = None,
    url: str | None = None,
    sealed_sha256: str | None = None,
    media_type: str = "",
    description: str = "",
    is_confidential: bool = False,
) -> Evidence:
    """Attach exactly one of: a file (name, bytes), a URL, or a sealed item's SHA-256 commitment."""
    if sum(x is not None for x in (file, url, sealed_sha256)) != 1:
        raise InvalidInput("evidence: give exactly one of a file, a URL or a sealed SHA-256")
    if file is not None:
        return evidence_service.add_file_evidence(
            session,
            principal=principal,
            store=store,
            case_id=case_id,
            filename=file[0],
            data=file[1],
            media_type=media_type,
            description=description,
            is_confidential=is_confidential,
            now=now,
        )
    if url is not None:
        return evidence_service.add_url_evidence(
            session,
            principal=principal,
            case_id=case_id,
            url=url,
            description=description,
            is_confidential=is_confidential,
            now=now,
        )
    return evidence_service.add_sealed_evidence(
        session,
        principal=principal,
        case_id=case_id,
        sha256=sealed_sha256 or "",
        media_type=media_type,
        description=description,
        now=now,
    )


def disclose_evidence(
    session: Session,
    *,
    principal: Principal,
    store: BlobStore,
    evidence_id: str,
    data: bytes,
    filename: str = "",
    now: datetime,
) -> Evidence:
    return evidence_service.disclose_evidence(
        session,
        principal=principal,
        store=store,
        evidence_id=evidence_id,
        data=data,
        filename=filename,
        now=now,
    )


def read_evidence_file(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> tuple[Evidence, bytes]:
    """An evidence file for someone allowed to read it: its bytes, checked against the stored SHA-256
    (a mismatch raises and serves nothing), and the read recorded in the item's chain of custody."""
    data = evidence_service.read_evidence(
        session, principal=principal, store=store, evidence_id=evidence_id, now=now
    )
    return evidence_service.get_evidence(session, evidence_id), data


def propose_finding(
    session: Session,
    *,
    principal: Principal,
    scenario: Scenario,
    case_id: str,
    finding_in: FindingCreate,
    now: datetime,
) -> Finding:
    return findings_service.propose_finding(
        session, principal=principal, scenario=scenario, case_id=case_id, finding_in=finding_in, now=now
    )


def finding_signing_message(session: Session, finding_id: str) -> bytes:
    """The bytes a mediator signs for the finding as it stands (for offline signing tools)."""
    return findings_service.signing_message(findings_service.get_finding(session, finding_id))


def sign_finding(
    session: Session, *, principal: Principal, finding_id: str, signature: str, now: datetime
) -> FindingSignature:
    return findings_service.sign_finding(
        session, principal=principal, finding_id=finding_id, signature=signature, now=now
    )


def adopt_finding(
    session: Session, *, principal: Principal, scenario: Scenario, finding_id: str, now: datetime
) -> Adoption:
    """Adopt the finding on quorum and, for a confirmed violation, apply the schedule's penalty: one act."""
    adopted = findings_service.adopt_finding(
        session, principal=principal, scenario=scenario, finding_id=finding_id, now=now
    )
    penalty = None
    if adopted.verdict == Verdict.VIOLATION_CONFIRMED:
        penalty = penalties.apply_penalty(
            session, principal=principal, scenario=scenario, finding_id=adopted.id, now=now
        )
    return Adoption(finding=adopted, penalty=penalty)


def publish_finding(session: Session, *, principal: Principal, finding_id: str, now: datetime) -> Finding:
    return findings_service.publish_finding(session, principal=principal, finding_id=finding_id, now=now)


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
