"""Verification use cases: cases and their status, evidence and custody, findings, signatures, penalties,
notified activities. Each takes the caller's session, checks the access policy for the acting
principal before it writes, writes every record with its ledger entry, and flushes, never commits.

A case or finding that changes is a new version (see `rules.base_id`): `get_case` and `get_finding`
return the latest version of the base id they are given. A case involves the parties of its
complaints; that is read here from the complaint table because the policy needs it for every act.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.blobs import BlobStore, check_sha256, safe_filename, sha256_hex
from truceline.cases.exif import read_exif
from truceline.cases.models import (
    Case,
    CustodyEvent,
    Evidence,
    Finding,
    FindingSignature,
    Notification,
    Penalty,
)
from truceline.cases.rules import (
    CaseStatus,
    Confidence,
    FindingStatus,
    NotificationKind,
    Verdict,
    base_id,
    check_area,
    check_finding_fields,
    check_transition,
    finding_content,
    finding_message,
    is_in_area,
    is_in_window,
    next_version_id,
    parse_choice,
    version_of,
)
from truceline.cases.schemas import CaseCreate, FindingCreate, NotificationCreate
from truceline.complaints.models import Complaint
from truceline.errors import Conflict, InvalidInput, NotFound, TrucelineError, VerificationError
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record, recorded_by
from truceline.ledger.signing import SIGNATURE_SIZE, Verifier
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Role, Target, can, require
from truceline.users.service import find_user, get_user

log = logging.getLogger(__name__)

R = TypeVar("R", Case, Finding, Evidence)

# Evidence is gathered while the case is under way; after a finding is proposed the record is fixed.
_EVIDENCE_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.INVESTIGATING})
MAX_URL_CHARS = 2000


class CustodyAction:
    """What a custody event records (Berkeley Protocol: every handling of an item is logged)."""

    RECEIVED = "received"
    SEALED = "sealed_commitment"
    DISCLOSED = "disclosed"
    READ = "read"
    WORKING_COPY = "working_copy"
    TRANSFER = "transfer"


def _new_id(prefix: str, hex_chars: int = 12) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:hex_chars]}"


def _latest(session: Session, model: type[R], record_id: str, kind: str) -> R:
    """The newest version of a versioned record, given any of its version ids."""
    base = base_id(record_id)
    rows = list(
        session.scalars(
            select(model).where((model.id == base) | model.id.startswith(f"{base}.v", autoescape=True))
        )
    )
    if not rows:
        raise NotFound(kind, record_id)
    return max(rows, key=lambda row: version_of(row.id))


def _copy_version(record: R, *, author: str, now: datetime, **changes: Any) -> R:
    """The next version of a record: every column copied, `changes` applied, superseding `record`."""
    columns = {attr.key: getattr(record, attr.key) for attr in type(record).__mapper__.column_attrs}
    columns.update(changes)
    columns.update(id=next_version_id(record.id), created_at=now, created_by=author, supersedes_id=record.id)
    return type(record)(**columns)


# --- cases -------------------------------------------------------------------------------------------


def get_case(session: Session, case_id: str) -> Case:
    return _latest(session, Case, case_id, "case")


def list_case_versions(session: Session, case_id: str) -> list[Case]:
    base = base_id(case_id)
    query = select(Case).where((Case.id == base) | Case.id.startswith(f"{base}.v", autoescape=True))
    return sorted(session.scalars(query), key=lambda c: version_of(c.id))


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
    latest: dict[str, Case] = {}
    for case in session.scalars(select(Case).where(recorded_by(Case, as_of))):
        key = base_id(case.id)
        if key not in latest or version_of(case.id) > version_of(latest[key].id):
            latest[key] = case
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
        id=_new_id("case"),
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
    return _advance_case(session, case, status=status, author=principal.username, now=now)


def assign_monitors(
    session: Session, *, principal: Principal, case_id: str, monitors: Sequence[str], now: datetime
) -> Case:
    case = get_case(session, case_id)
    require(principal, Action.UPDATE_CASE, case_target(session, case))
    if case.status == CaseStatus.CLOSED:
        raise Conflict(f"case {base_id(case.id)} is closed")
    new = _copy_version(case, author=principal.username, now=now, monitors=_check_monitors(session, monitors))
    add_record(session, new, author=principal.username, now=now)
    return new


def _advance_case(session: Session, case: Case, *, status: str, author: str, now: datetime) -> Case:
    target = check_transition(base_id(case.id), case.status, status)
    new = _copy_version(case, author=author, now=now, status=target.value)
    add_record(session, new, author=author, now=now)
    log.info("case %s: %s -> %s", base_id(case.id), case.status, target.value)
    return new


# --- evidence and custody ----------------------------------------------------------------------------


def _evidence_target(session: Session, evidence: Evidence, case: Case) -> Target:
    return Target(
        evidence,
        involved_parties=case_parties(session, case),
        assigned_monitors=frozenset(str(m) for m in case.monitors),
    )


def _case_for_new_evidence(session: Session, case_id: str) -> Case:
    case = get_case(session, case_id)
    if case.status not in _EVIDENCE_STATUSES:
        raise Conflict(
            f"case {base_id(case.id)} is {case.status}; evidence is added while open or investigating"
        )
    return case


def _new_evidence(case: Case, principal: Principal, now: datetime, **fields: Any) -> Evidence:
    values: dict[str, Any] = {
        "id": _new_id("ev", 16),
        "created_at": now,
        "created_by": principal.username,
        "supersedes_id": None,
        "case_id": base_id(case.id),
        "sha256": None,
        "filename": "",
        "media_type": "",
        "size_bytes": None,
        "url": "",
        "is_sealed": False,
        "is_confidential": False,
        "submitted_by_party": principal.party,
        "metadata_": {},
    }
    values.update(fields)
    return Evidence(**values)


def _file_metadata(data: bytes, description: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"description": description}
    try:
        exif = read_exif(data)
    except InvalidInput as exc:
        # A damaged EXIF block does not make the file worthless; record why no metadata was read.
        metadata["exif_error"] = str(exc)
    else:
        if not exif.is_empty:
            metadata["exif"] = exif.to_json()
    return metadata


def add_file_evidence(
    session: Session,
    *,
    principal: Principal,
    store: BlobStore,
    case_id: str,
    filename: str,
    data: bytes,
    media_type: str = "",
    description: str = "",
    is_confidential: bool = False,
    now: datetime,
) -> Evidence:
    """Store an uploaded file (original kept apart, read-only) and record it with its EXIF metadata."""
    store.check_size(len(data))
    case = _case_for_new_evidence(session, case_id)
    evidence = _new_evidence(
        case,
        principal,
        now,
        kind="file",
        sha256=sha256_hex(data),
        filename=safe_filename(filename),
        media_type=media_type[:120],
        size_bytes=len(data),
        is_confidential=is_confidential,
        metadata_=_file_metadata(data, description),
    )
    require(principal, Action.ADD_EVIDENCE, _evidence_target(session, evidence, case))
    stored = store.put_original(data)
    add_record(session, evidence, author=principal.username, now=now)
    _custody(session, evidence, principal, CustodyAction.RECEIVED, f"sha256 {stored.sha256}", now)
    return evidence


def add_url_evidence(
    session: Session,
    *,
    principal: Principal,
    case_id: str,
    url: str,
    description: str = "",
    is_confidential: bool = False,
    now: datetime,
) -> Evidence:
    """Record a reference to material online (the URL as given; archive it separately as a file)."""
    url = url.strip()
    if (
        not url.startswith(("https://", "http://"))
        or len(url) > MAX_URL_CHARS
        or any(c.isspace() for c in url)
    ):
        raise InvalidInput(
            f"url: expected an http(s) URL of at most {MAX_URL_CHARS} characters, got {url[:80]!r}"
        )
    case = _case_for_new_evidence(session, case_id)
    evidence = _new_evidence(
        case,
        principal,
        now,
        kind="url",
        url=url,
        is_confidential=is_confidential,
        metadata_={"description": description},
    )
    require(principal, Action.ADD_EVIDENCE, _evidence_target(session, evidence, case))
    add_record(session, evidence, author=principal.username, now=now)
    _custody(session, evidence, principal, CustodyAction.RECEIVED, url, now)
    return evidence


def add_sealed_evidence(
    session: Session,
    *,
    principal: Principal,
    case_id: str,
    sha256: str,
    media_type: str = "",
    description: str = "",
    now: datetime,
) -> Evidence:
    """Commit to an item by its SHA-256 only; its content stays with the submitter until disclosed."""
    case = _case_for_new_evidence(session, case_id)
    evidence = _new_evidence(
        case,
        principal,
        now,
        kind="file",
        sha256=check_sha256(sha256),
        media_type=media_type[:120],
        is_sealed=True,
        is_confidential=True,
        metadata_={"description": description},
    )
    require(principal, Action.ADD_EVIDENCE, _evidence_target(session, evidence, case))
    add_record(session, evidence, author=principal.username, now=now)
    _custody(session, evidence, principal, CustodyAction.SEALED, f"sha256 {evidence.sha256}", now)
    return evidence


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
    """Disclose a sealed item: the content must hash to the committed SHA-256, or nothing is stored."""
    sealed = get_evidence(session, evidence_id)
    if not sealed.is_sealed:
        raise Conflict(f"evidence {sealed.id} is not sealed")
    case = get_case(session, sealed.case_id)
    require(principal, Action.ADD_EVIDENCE, _evidence_target(session, sealed, case))
    store.check_size(len(data))
    got = sha256_hex(data)
    if got != sealed.sha256:
        raise VerificationError(
            f"evidence {sealed.id}: disclosed content does not match the sealed commitment: "
            f"expected SHA-256 {sealed.sha256}, got {got}"
        )
    metadata = {**sealed.metadata_, **_file_metadata(data, str(sealed.metadata_.get("description", "")))}
    disclosed = _copy_version(
        sealed,
        author=principal.username,
        now=now,
        is_sealed=False,
        size_bytes=len(data),
        filename=safe_filename(filename) if filename else sealed.filename,
        metadata_=metadata,
    )
    store.put_original(data)
    add_record(session, disclosed, author=principal.username, now=now)
    _custody(session, disclosed, principal, CustodyAction.DISCLOSED, f"matches sealed {sealed.id}", now)
    return disclosed


def get_evidence(session: Session, evidence_id: str) -> Evidence:
    return _latest(session, Evidence, evidence_id, "evidence")


def _readable_evidence(session: Session, principal: Principal, evidence_id: str) -> Evidence:
    evidence = get_evidence(session, evidence_id)
    case = get_case(session, evidence.case_id)
    if not can(principal, Action.READ_EVIDENCE, _evidence_target(session, evidence, case)):
        raise NotFound("evidence", evidence_id)
    return evidence


def read_evidence(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> bytes:
    """The file's bytes (hash-checked); the read is a custody event."""
    evidence = _readable_evidence(session, principal, evidence_id)
    if evidence.is_sealed or evidence.sha256 is None or evidence.kind != "file":
        raise Conflict(f"evidence {evidence.id} has no content to read (sealed or a URL)")
    data = store.read_original(evidence.sha256)
    _custody(session, evidence, principal, CustodyAction.READ, "", now)
    return data


def checkout_working_copy(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> str:
    """A fresh working copy to analyse; the original stays untouched. Returns the copy's path."""
    evidence = _readable_evidence(session, principal, evidence_id)
    if evidence.is_sealed or evidence.sha256 is None or evidence.kind != "file":
        raise Conflict(f"evidence {evidence.id} has no content to copy (sealed or a URL)")
    path = store.checkout_working_copy(evidence.sha256)
    _custody(session, evidence, principal, CustodyAction.WORKING_COPY, path.name, now)
    return str(path)


def transfer_evidence(
    session: Session, *, principal: Principal, evidence_id: str, to: str, detail: str = "", now: datetime
) -> CustodyEvent:
    """Record a hand-over of the item (physical media, a copy sent to a lab) to `to`."""
    evidence = _readable_evidence(session, principal, evidence_id)
    if not to.strip():
        raise InvalidInput("to: name who receives the evidence")
    text = f"to {to.strip()}" + (f": {detail}" if detail else "")
    return _custody(session, evidence, principal, CustodyAction.TRANSFER, text, now)


def _custody(
    session: Session, evidence: Evidence, principal: Principal, action: str, detail: str, now: datetime
) -> CustodyEvent:
    event = CustodyEvent(
        id=_new_id("cus", 16),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        evidence_id=evidence.id,
        action=action,
        actor=principal.username,
        detail=detail,
    )
    add_record(session, event, author=principal.username, now=now)
    return event


def list_evidence(session: Session, *, principal: Principal, case_id: str) -> list[Evidence]:
    """Latest versions of the case's evidence that the principal may read."""
    case = read_case(session, principal=principal, case_id=case_id)
    latest: dict[str, Evidence] = {}
    for evidence in session.scalars(select(Evidence).where(Evidence.case_id == base_id(case.id))):
        key = base_id(evidence.id)
        if key not in latest or version_of(evidence.id) > version_of(latest[key].id):
            latest[key] = evidence
    return sorted(
        (
            e
            for e in latest.values()
            if can(principal, Action.READ_EVIDENCE, _evidence_target(session, e, case))
        ),
        key=lambda e: (e.created_at, e.id),
    )


def list_custody(session: Session, evidence_id: str) -> list[CustodyEvent]:
    """The chain of custody of every version of an item, in ledger order (events may share a timestamp)."""
    base = base_id(evidence_id)
    query = (
        select(CustodyEvent)
        .join(
            LedgerEntryRow,
            (LedgerEntryRow.record_id == CustodyEvent.id)
            & (LedgerEntryRow.kind == CustodyEvent.ledger_kind()),
        )
        .where(
            (CustodyEvent.evidence_id == base)
            | CustodyEvent.evidence_id.startswith(f"{base}.v", autoescape=True)
        )
        .order_by(LedgerEntryRow.seq)
    )
    return list(session.scalars(query))


# --- findings, signatures, penalties -----------------------------------------------------------------


def get_finding(session: Session, finding_id: str) -> Finding:
    return _latest(session, Finding, finding_id, "finding")


def _finding_target(session: Session, finding: Finding) -> tuple[Target, Case]:
    case = get_case(session, finding.case_id)
    target = Target(
        finding,
        involved_parties=case_parties(session, case),
        assigned_monitors=frozenset(str(m) for m in case.monitors),
    )
    return target, case


def may_read_finding(session: Session, principal: Principal, finding: Finding) -> bool:
    """Whether the principal may read this version of a finding (a party: once it is published)."""
    target, _ = _finding_target(session, finding)
    return can(principal, Action.READ_FINDING, target)


def read_finding(session: Session, *, principal: Principal, finding_id: str) -> Finding:
    finding = get_finding(session, finding_id)
    if not may_read_finding(session, principal, finding):
        raise NotFound("finding", finding_id)
    return finding


def list_published_findings(session: Session, *, as_of: datetime | None = None) -> list[Finding]:
    """Published finding versions, newest first (a published version is final: nothing supersedes it);
    with `as_of`, those the ledger held then."""
    query = (
        select(Finding)
        .where(Finding.status == "published", recorded_by(Finding, as_of))
        .order_by(Finding.created_at.desc(), Finding.id)
    )
    return list(session.scalars(query))


def list_findings(session: Session, *, case_id: str) -> list[Finding]:
    """Latest versions of a case's findings, in the order they were proposed."""
    latest: dict[str, Finding] = {}
    query = (
        select(Finding)
        .join(
            LedgerEntryRow,
            (LedgerEntryRow.record_id == Finding.id) & (LedgerEntryRow.kind == Finding.ledger_kind()),
        )
        .where(Finding.case_id == base_id(case_id))
        .order_by(LedgerEntryRow.seq)
    )
    for finding in session.scalars(query):
        key = base_id(finding.id)
        if key not in latest or version_of(finding.id) > version_of(latest[key].id):
            latest[key] = finding
    return list(latest.values())


def signing_message(finding: Finding) -> bytes:
    """The exact bytes a mediator signs for this finding (docs/verification.md, "What is signed")."""
    return finding_message(
        finding_content(
            finding_id=finding.id,
            case_id=finding.case_id,
            verdict=finding.verdict,
            responsible_party=finding.responsible_party,
            responsibility=finding.responsibility,
            clause_ids=finding.clause_ids,
            confidence=finding.confidence,
            rationale=finding.rationale,
        )
    )


def propose_finding(
    session: Session,
    *,
    principal: Principal,
    scenario: Scenario,
    case_id: str,
    finding_in: FindingCreate,
    now: datetime,
) -> Finding:
    """A monitor of the case or a mediator proposes a verdict; the case moves to finding_proposed."""
    case = get_case(session, case_id)
    require(principal, Action.PROPOSE_FINDING, case_target(session, case))
    check_finding_fields(
        verdict=finding_in.verdict,
        responsible_party=finding_in.responsible_party,
        responsibility=finding_in.responsibility,
    )
    confidence = parse_choice(Confidence, "confidence", finding_in.confidence)
    if finding_in.responsible_party is not None:
        scenario.party(finding_in.responsible_party)
    known = [c.id for c in scenario.agreement.clauses]
    clause_ids = list(dict.fromkeys(finding_in.clause_ids))
    unknown = [c for c in clause_ids if c not in known]
    if unknown:
        raise InvalidInput(f"clause_ids: {unknown} are not in the agreement (expected some of {known})")
    if finding_in.verdict == Verdict.VIOLATION_CONFIRMED and not clause_ids:
        raise InvalidInput("a confirmed violation names the clauses breached (clause_ids)")
    finding = Finding(
        id=_new_id("fnd"),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        case_id=base_id(case.id),
        verdict=finding_in.verdict,
        responsible_party=finding_in.responsible_party,
        responsibility=finding_in.responsibility,
        clause_ids=clause_ids,
        confidence=confidence,
        rationale=finding_in.rationale,
        status=FindingStatus.PROPOSED.value,
    )
    _advance_case(session, case, status=CaseStatus.FINDING_PROPOSED, author=principal.username, now=now)
    add_record(session, finding, author=principal.username, now=now)
    return finding


def sign_finding(
    session: Session, *, principal: Principal, finding_id: str, signature: str, now: datetime
) -> FindingSignature:
    """Record a mediator's Ed25519 signature (base64) over `signing_message(finding)`, verified first."""
    finding = get_finding(session, finding_id)
    target, _ = _finding_target(session, finding)
    require(principal, Action.SIGN_FINDING, target)
    if finding.status != FindingStatus.PROPOSED:
        raise Conflict(
            f"finding {base_id(finding.id)} is {finding.status}; only a proposed finding is signed"
        )
    user = get_user(session, principal.username)
    if not user.public_key:
        raise InvalidInput(f"user {user.username!r} has no public key registered, so cannot sign findings")
    verifier = Verifier.from_vkey(user.public_key)
    _verify_b64(verifier, signing_message(finding), signature, what=f"finding {base_id(finding.id)}")
    if principal.username in {s.signer for s in list_signatures(session, finding)}:
        raise Conflict(f"finding {base_id(finding.id)} is already signed by {principal.username}")
    row = FindingSignature(
        id=_new_id("fsig", 16),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        finding_id=finding.id,
        signer=principal.username,
        key=verifier.vkey(),
        signature=signature,
    )
    add_record(session, row, author=principal.username, now=now)
    return row


def _verify_b64(verifier: Verifier, message: bytes, signature: str, *, what: str) -> None:
    try:
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("signature: expected base64 of a 64-byte Ed25519 signature") from exc
    if len(raw) != SIGNATURE_SIZE:
        raise InvalidInput(f"signature: expected {SIGNATURE_SIZE} bytes, got {len(raw)}")
    try:
        verifier.verify(message, raw)
    except VerificationError as exc:
        raise VerificationError(
            f"{what}: signature does not verify against the key of {verifier.name} "
            f"({verifier.key_hash.hex()}): forged, or signed over different content"
        ) from exc


def list_signatures(session: Session, finding: Finding) -> list[FindingSignature]:
    """Every signature made on any version of the finding, oldest first."""
    base = base_id(finding.id)
    query = select(FindingSignature).where(
        (FindingSignature.finding_id == base)
        | FindingSignature.finding_id.startswith(f"{base}.v", autoescape=True)
    )
    return list(session.scalars(query.order_by(FindingSignature.created_at, FindingSignature.id)))


def valid_signature_rows(session: Session, finding: Finding) -> list[FindingSignature]:
    """The stored signatures that verify over the finding's current substance, each by an active mediator
    with the key the account holds now (a replaced key no longer counts)."""
    message = signing_message(finding)
    valid: list[FindingSignature] = []
    for row in list_signatures(session, finding):
        user = find_user(session, row.signer)
        if user is None or not user.is_active or user.role != Role.MEDIATOR or user.public_key != row.key:
            continue
        try:
            _verify_b64(Verifier.from_vkey(row.key), message, row.signature, what="finding")
        except TrucelineError:
            continue
        valid.append(row)
    return valid


def valid_signers(session: Session, finding: Finding) -> list[str]:
    """Distinct mediators with a valid signature on the finding (see `valid_signature_rows`)."""
    return list(dict.fromkeys(row.signer for row in valid_signature_rows(session, finding)))


def adopt_finding(
    session: Session, *, principal: Principal, scenario: Scenario, finding_id: str, now: datetime
) -> Finding:
    """Adopt a proposed finding once `finding_quorum` distinct mediators have valid signatures on it."""
    finding = get_finding(session, finding_id)
    target, case = _finding_target(session, finding)
    require(principal, Action.SIGN_FINDING, target)
    base = base_id(finding.id)
    if finding.status != FindingStatus.PROPOSED:
        raise Conflict(f"finding {base} is {finding.status}, not proposed")
    newest = list_findings(session, case_id=case.id)[-1]
    if base_id(newest.id) != base or case.status != CaseStatus.FINDING_PROPOSED:
        raise Conflict(f"finding {base} is not the proposal under consideration for case {base_id(case.id)}")
    signers = valid_signers(session, finding)
    if len(signers) < scenario.finding_quorum:
        raise Conflict(
            f"finding {base}: {len(signers)} valid mediator signature(s) ({', '.join(signers) or 'none'}); "
            f"the quorum is {scenario.finding_quorum}"
        )
    adopted = _copy_version(finding, author=principal.username, now=now, status=FindingStatus.ADOPTED.value)
    add_record(session, adopted, author=principal.username, now=now)
    _advance_case(session, case, status=CaseStatus.FINDING_ADOPTED, author=principal.username, now=now)
    return adopted


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
    require(principal, Action.APPLY_PENALTY, _finding_target(session, finding)[0])
    base = base_id(finding.id)
    if finding.status not in (FindingStatus.ADOPTED, FindingStatus.PUBLISHED):
        raise Conflict(f"finding {base} is {finding.status}; a penalty follows an adopted finding")
    if finding.verdict != Verdict.VIOLATION_CONFIRMED or finding.responsible_party is None:
        raise Conflict(f"finding {base} confirms no violation, so no penalty applies")
    if find_penalty(session, finding.id) is not None:
        raise Conflict(f"finding {base} already has its penalty")
    adopted = next(v for v in _versions(session, Finding, finding.id) if v.status == FindingStatus.ADOPTED)
    window = timedelta(days=scenario.penalty_window_days)
    nth = confirmed_violations(
        session, party=finding.responsible_party, since=adopted.created_at - window, until=adopted.created_at
    )
    step = scenario.penalty_for(max(nth, 1))
    penalty = Penalty(
        id=_new_id("pen"),
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


def list_finding_versions(session: Session, finding_id: str) -> list[Finding]:
    """Every version of a finding, given any of its ids, oldest first (NotFound when there is none)."""
    versions = _versions(session, Finding, finding_id)
    if not versions:
        raise NotFound("finding", finding_id)
    return versions


def _versions(session: Session, model: type[R], record_id: str) -> list[R]:
    base = base_id(record_id)
    query = select(model).where((model.id == base) | model.id.startswith(f"{base}.v", autoescape=True))
    return sorted(session.scalars(query), key=lambda r: version_of(r.id))


def find_penalty(session: Session, finding_id: str) -> Penalty | None:
    ids = [f.id for f in _versions(session, Finding, finding_id)]
    return (
        session.scalars(select(Penalty).where(Penalty.finding_id.in_(ids)).limit(1)).first() if ids else None
    )


def publish_finding(session: Session, *, principal: Principal, finding_id: str, now: datetime) -> Finding:
    """Publish an adopted finding: a new version with status published, readable by everyone."""
    finding = get_finding(session, finding_id)
    require(principal, Action.PUBLISH_FINDING, _finding_target(session, finding)[0])
    if finding.status != FindingStatus.ADOPTED:
        raise Conflict(
            f"finding {base_id(finding.id)} is {finding.status}; only an adopted finding is published"
        )
    published = _copy_version(
        finding, author=principal.username, now=now, status=FindingStatus.PUBLISHED.value
    )
    add_record(session, published, author=principal.username, now=now)
    return published


# --- notified activities -----------------------------------------------------------------------------


def file_notification(
    session: Session, *, principal: Principal, notification_in: NotificationCreate, now: datetime
) -> Notification:
    """A party's advance notice of a permitted activity in an area and time window."""
    kind = parse_choice(NotificationKind, "kind", notification_in.kind)
    check_area(notification_in.area)
    starts, ends = notification_in.starts_at, notification_in.ends_at
    if starts.tzinfo is None or ends.tzinfo is None:
        raise InvalidInput("starts_at and ends_at must carry a time zone (use UTC)")
    if ends <= starts:
        raise InvalidInput(f"ends_at {ends.isoformat()} must come after starts_at {starts.isoformat()}")
    notification = Notification(
        id=_new_id("ntf"),
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        party=principal.party or "",
        kind=kind,
        area=dict(notification_in.area),
        starts_at=starts,
        ends_at=ends,
        description=notification_in.description,
    )
    require(principal, Action.FILE_NOTIFICATION, notification)
    add_record(session, notification, author=principal.username, now=now)
    return notification


@dataclass(frozen=True, slots=True)
class FlaggedClaim:
    """A claim that falls inside a notified activity: to be reviewed, not counted as a violation."""

    claim: object
    notification: Notification


def claims_in_notified_activities(session: Session, claims: Iterable[object]) -> list[FlaggedClaim]:
    """Each claim whose position and day fall inside some notification, with that notification.

    A claim is a database `Claim` or a pipeline claim value: it needs `event_date` and a `location`
    (a mapping or an object) with `lat` and `lon`. Claims without a date or position are never flagged.
    """
    notices = list(session.scalars(select(Notification).order_by(Notification.starts_at, Notification.id)))
    flagged: list[FlaggedClaim] = []
    for claim in claims:
        day = getattr(claim, "event_date", None)
        lat, lon = _position(getattr(claim, "location", None))
        if not isinstance(day, date) or lat is None or lon is None:
            continue
        for notice in notices:
            if is_in_window(day, starts_at=notice.starts_at, ends_at=notice.ends_at) and is_in_area(
                notice.area, lat=lat, lon=lon
            ):
                flagged.append(FlaggedClaim(claim=claim, notification=notice))
                break
    return flagged


def _position(location: object) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    if isinstance(location, dict):
        lat, lon = location.get("lat"), location.get("lon")
    else:
        lat, lon = getattr(location, "lat", None), getattr(location, "lon", None)
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        return float(lat), float(lon)
    return None, None
