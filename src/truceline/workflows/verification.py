"""The verification workflow: complaint, reply, case, evidence, finding, quorum, penalty, publication.

Each function is one act of one principal, run in the caller's transaction (`Runtime.transaction()`, the
unit of work): every record it writes goes in with its ledger entry, and a refusal (policy, state,
signature) raises before anything is written, so the caller's rollback leaves nothing behind. The steps
live in `complaints.service` and the `cases` package. Where one act spans several steps (a complaint that
notifies the accused, evidence of one of three kinds, an adoption that applies the penalty) it is written
here; where a service function already is the whole act, it is imported here under the act's name and
nothing wraps it. The web app, the API and the CLI change the record only through this module and its
siblings in `workflows/` (an import-linter contract); what they read comes from `views/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from truceline.cases import evidence as evidence_service
from truceline.cases import findings as findings_service
from truceline.cases import penalties
from truceline.cases.blobs import BlobStore
from truceline.cases.evidence import disclose_evidence
from truceline.cases.findings import propose_finding, publish_finding, sign_finding
from truceline.cases.models import Evidence, Finding, Penalty
from truceline.cases.notifications import file_notification
from truceline.cases.rules import Verdict
from truceline.cases.service import open_case, transition_case
from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint
from truceline.complaints.schemas import ComplaintCreate
from truceline.complaints.service import file_response as respond_to_complaint
from truceline.config import Settings
from truceline.errors import InvalidInput
from truceline.notices.models import Notice
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Principal
from truceline.workflows import notices

# Acts that are one service step are imported above under the names web and CLI call them by.
__all__ = [
    "Adoption",
    "FiledComplaint",
    "add_evidence",
    "adopt_finding",
    "disclose_evidence",
    "evidence_store",
    "file_complaint",
    "file_notification",
    "open_case",
    "propose_finding",
    "publish_finding",
    "read_evidence_file",
    "respond_to_complaint",
    "sign_finding",
    "transition_case",
]


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


def read_evidence_file(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> tuple[Evidence, bytes]:
    """An evidence file for someone allowed to read it: its bytes, checked against the stored SHA-256
    (a mismatch raises and serves nothing), and the read recorded in the item's chain of custody."""
    data = evidence_service.read_evidence(
        session, principal=principal, store=store, evidence_id=evidence_id, now=now
    )
    return evidence_service.get_evidence(session, evidence_id), data


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
