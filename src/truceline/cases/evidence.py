"""Evidence and its chain of custody: files, URLs, sealed commitments and their disclosure, reads and
transfers, each logged as a custody event; under the same policy and transaction rules as `service`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.blobs import BlobStore, check_sha256, safe_filename, sha256_hex
from truceline.cases.exif import read_exif
from truceline.cases.models import Case, CustodyEvent, Evidence
from truceline.cases.rules import CaseStatus
from truceline.cases.service import case_parties, get_case, read_case
from truceline.db.versions import base_id, copy_version, latest_of, latest_version, new_id
from truceline.errors import Conflict, InvalidInput, NotFound, VerificationError
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record
from truceline.users.rules import Action, Principal, Target, can, require

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
        "id": new_id("ev", 16),
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
    disclosed = copy_version(
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
    return latest_version(session, Evidence, evidence_id, "evidence")


def _readable_evidence(session: Session, principal: Principal, evidence_id: str) -> Evidence:
    evidence = get_evidence(session, evidence_id)
    case = get_case(session, evidence.case_id)
    if not can(principal, Action.READ_EVIDENCE, _evidence_target(session, evidence, case)):
        raise NotFound("evidence", evidence_id)
    return evidence


def _readable_file(
    session: Session, principal: Principal, evidence_id: str, use: str
) -> tuple[Evidence, str]:
    """A readable item that has file content, with its SHA-256; Conflict for a sealed item or a URL."""
    evidence = _readable_evidence(session, principal, evidence_id)
    if evidence.is_sealed or evidence.sha256 is None or evidence.kind != "file":
        raise Conflict(f"evidence {evidence.id} has no content {use} (sealed or a URL)")
    return evidence, evidence.sha256


def read_evidence(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> bytes:
    """The file's bytes (hash-checked); the read is a custody event."""
    evidence, sha256 = _readable_file(session, principal, evidence_id, "to read")
    data = store.read_original(sha256)
    _custody(session, evidence, principal, CustodyAction.READ, "", now)
    return data


def checkout_working_copy(
    session: Session, *, principal: Principal, store: BlobStore, evidence_id: str, now: datetime
) -> str:
    """A fresh working copy to analyse; the original stays untouched. Returns the copy's path."""
    evidence, sha256 = _readable_file(session, principal, evidence_id, "to copy")
    path = store.checkout_working_copy(sha256)
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
        id=new_id("cus", 16),
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
    latest: dict[str, Evidence] = latest_of(
        session.scalars(select(Evidence).where(Evidence.case_id == base_id(case.id)))
    )
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
