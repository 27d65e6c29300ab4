"""Findings: proposed by a monitor or mediator, signed by mediators, adopted at quorum, published; each
change a new version of the finding (see `rules.base_id`)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases.models import Case, Finding, FindingSignature
from truceline.cases.rules import (
    CaseStatus,
    Confidence,
    FindingStatus,
    Verdict,
    check_finding_fields,
    finding_content,
    finding_message,
    parse_choice,
)
from truceline.cases.schemas import FindingCreate
from truceline.cases.service import advance_case, case_parties, case_target, get_case
from truceline.db.versions import (
    base_id,
    copy_version,
    latest_of,
    latest_version,
    list_versions,
    new_id,
)
from truceline.errors import Conflict, InvalidInput, NotFound, TrucelineError, VerificationError
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record, recorded_by
from truceline.ledger.signing import SIGNATURE_SIZE, Verifier
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Role, Target, can, require
from truceline.users.service import find_user, get_user


def get_finding(session: Session, finding_id: str) -> Finding:
    return latest_version(session, Finding, finding_id, "finding")


def finding_target(session: Session, finding: Finding) -> tuple[Target, Case]:
    case = get_case(session, finding.case_id)
    target = Target(
        finding,
        involved_parties=case_parties(session, case),
        assigned_monitors=frozenset(str(m) for m in case.monitors),
    )
    return target, case


def may_read_finding(session: Session, principal: Principal, finding: Finding) -> bool:
    """Whether the principal may read this version of a finding (a party: once it is published)."""
    target, _ = finding_target(session, finding)
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
    query = (
        select(Finding)
        .join(
            LedgerEntryRow,
            (LedgerEntryRow.record_id == Finding.id) & (LedgerEntryRow.kind == Finding.ledger_kind()),
        )
        .where(Finding.case_id == base_id(case_id))
        .order_by(LedgerEntryRow.seq)
    )
    return list(latest_of(session.scalars(query)).values())


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
        id=new_id("fnd"),
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
    advance_case(session, case, status=CaseStatus.FINDING_PROPOSED, author=principal.username, now=now)
    add_record(session, finding, author=principal.username, now=now)
    return finding


def sign_finding(
    session: Session, *, principal: Principal, finding_id: str, signature: str, now: datetime
) -> FindingSignature:
    """Record a mediator's Ed25519 signature (base64) over `signing_message(finding)`, verified first."""
    finding = get_finding(session, finding_id)
    target, _ = finding_target(session, finding)
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
        id=new_id("fsig", 16),
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
    target, case = finding_target(session, finding)
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
    adopted = copy_version(finding, author=principal.username, now=now, status=FindingStatus.ADOPTED.value)
    add_record(session, adopted, author=principal.username, now=now)
    advance_case(session, case, status=CaseStatus.FINDING_ADOPTED, author=principal.username, now=now)
    return adopted


def list_finding_versions(session: Session, finding_id: str) -> list[Finding]:
    """Every version of a finding, given any of its ids, oldest first (NotFound when there is none)."""
    versions = list_versions(session, Finding, finding_id)
    if not versions:
        raise NotFound("finding", finding_id)
    return versions


def publish_finding(session: Session, *, principal: Principal, finding_id: str, now: datetime) -> Finding:
    """Publish an adopted finding: a new version with status published, readable by everyone."""
    finding = get_finding(session, finding_id)
    require(principal, Action.PUBLISH_FINDING, finding_target(session, finding)[0])
    if finding.status != FindingStatus.ADOPTED:
        raise Conflict(
            f"finding {base_id(finding.id)} is {finding.status}; only an adopted finding is published"
        )
    published = copy_version(
        finding, author=principal.username, now=now, status=FindingStatus.PUBLISHED.value
    )
    add_record(session, published, author=principal.username, now=now)
    return published
