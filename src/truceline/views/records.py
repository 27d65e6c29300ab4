"""What the complaint, case and finding pages show: each record with its sources, replies and ledger proofs.

Every function reads one record the principal may read (the domain service refuses the others with
NotFound) and gathers what surrounds it, each item again filtered by the access policy: claims only for
those who may read claims (parties read the documents they come from), evidence, findings and penalties
only where the policy allows, internal notes only under `read_internal_notes`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases import evidence as evidence_service
from truceline.cases import findings as findings_service
from truceline.cases import penalties as penalties_service
from truceline.cases import service as cases
from truceline.cases.models import Case, CustodyEvent, Evidence, Finding, Penalty
from truceline.cases.rules import FindingStatus
from truceline.cases.schemas import (
    ClauseRead,
    FindingRead,
    FindingSignatureRead,
    FindingVersionRead,
    PenaltyRead,
)
from truceline.claims.models import Claim
from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint, Response
from truceline.complaints.rules import reply_deadline
from truceline.db.versions import base_id, version_of
from truceline.documents.models import Document
from truceline.errors import TrucelineError
from truceline.incidents.models import Incident
from truceline.ledger.signing import Verifier
from truceline.notices.models import Notice
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Target, can
from truceline.views.ledger import RecordProof, record_proof_read, record_proofs
from truceline.wording import (
    ClauseRef,
    claimant_party,
    clause_refs,
    confidence_words,
    party_name,
    penalty_words,
    responsible_words,
    verdict_words,
)

INDEPENDENT = "Independent reporting"


class ReplyStatus(StrEnum):
    ANSWERED = "answered"
    OPEN = "open"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A claim a record rests on, with the document it was taken from.

    `claim` is None for a principal who may not read claims (the analysts' working material): such a
    reader sees the source document only, and every source falls under `INDEPENDENT`.
    """

    claim_id: str
    claim: Claim | None
    document: Document | None
    side: str | None  # party id of the claimant's actor; None for independent reporting

    @property
    def place(self) -> str:
        return "" if self.claim is None else str(self.claim.location.get("name") or "")

    @property
    def evidence_text(self) -> str:
        return "" if self.claim is None else str(self.claim.evidence.get("text") or "")


@dataclass(frozen=True, slots=True)
class SourceColumn:
    """One column of the side-by-side view: one party's claims, or independent reporting."""

    label: str
    party: str | None
    sources: list[CitedSource]


@dataclass(frozen=True, slots=True)
class ReplyView:
    response: Response
    party: str  # the replying party's name
    is_current: bool  # no later correction supersedes it
    proof: RecordProof | None


@dataclass(frozen=True, slots=True)
class ComplaintView:
    complaint: Complaint
    complainant: str  # party names
    accused: str
    clauses: list[ClauseRef]
    sources: list[CitedSource]
    reply_due: datetime
    reply_status: ReplyStatus
    replies: list[ReplyView]
    may_reply: bool
    proof: RecordProof | None
    notices: list[tuple[Notice, RecordProof | None]]  # the accused party was told: when, with the proof


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    evidence: Evidence
    description: str
    custody: list[CustodyEvent]


@dataclass(frozen=True, slots=True)
class SignatureItem:
    signer: str
    signed_at: datetime
    key: str  # the C2SP vkey the signature was made with
    key_hash: str  # its 4-byte key id, hex, as in signed notes
    is_valid: bool  # verifies now, by an active mediator, with the key the account holds now


@dataclass(frozen=True, slots=True)
class FindingVersionItem:
    """One version of a finding, under its one public id: `fnd-x` (version 1), `fnd-x.v2`, ..."""

    version: int
    version_id: str
    status: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class FindingView:
    finding: Finding
    base_id: str  # the finding's one public id; its versions are `versions`
    version: int
    responsible: str | None  # party name
    responsible_words: str | None  # "Pakistan, its own forces"; None when no party is named
    verdict_words: str
    clauses: list[ClauseRef]
    confidence: str  # estimative language
    signatures: list[SignatureItem]
    valid_signers: list[str]
    quorum: int
    penalty: Penalty | None  # None when there is none or the principal may not read it
    penalty_words: str | None  # "Step 1 of 5 of the penalty schedule: Formal notice"
    case_id: str | None  # None when the principal may not read the case
    proof: RecordProof | None
    signing_message_b64: str  # the exact bytes a mediator signs (Ed25519), base64
    versions: list[FindingVersionItem]  # those the principal may read, oldest first
    adopted_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class CaseComplaint:
    complaint: Complaint
    clauses: list[ClauseRef]
    reply: Response | None  # the current reply: the counter-claim


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    base_id: str
    version: int
    notes: str | None  # None when the principal may not read internal notes
    complaints: list[CaseComplaint]
    incidents: list[Incident]
    columns: list[SourceColumn]
    evidence: list[EvidenceItem]
    findings: list[FindingView]
    proof: RecordProof | None


# --- shared pieces -----------------------------------------------------------------------------------


def cited_sources(
    session: Session, scenario: Scenario, principal: Principal, claim_ids: Iterable[object]
) -> list[CitedSource]:
    """The claims (each once, in the order given) with their documents, as far as the principal may see;
    without claims, each source document once."""
    may_read_claims = can(principal, Action.READ_CLAIM)
    may_read_documents = can(principal, Action.READ_DOCUMENT)
    found: list[CitedSource] = []
    documents_seen: set[str] = set()
    for claim_id in dict.fromkeys(str(c) for c in claim_ids):
        claim = session.get(Claim, claim_id)
        if claim is None:
            continue
        if not may_read_claims and claim.document_id is not None:
            if claim.document_id in documents_seen:
                continue
            documents_seen.add(claim.document_id)
        document = session.get(Document, claim.document_id) if claim.document_id else None
        found.append(
            CitedSource(
                claim_id=claim_id,
                claim=claim if may_read_claims else None,
                document=document if may_read_documents else None,
                side=claimant_party(scenario, claim.claimant) if may_read_claims else None,
            )
        )
    return found


def source_columns(scenario: Scenario, sources: Sequence[CitedSource]) -> list[SourceColumn]:
    """One column per party (its own claims) and one for independent reporting, in scenario order."""
    columns = [
        SourceColumn(p.short_name, p.id, [s for s in sources if s.side == p.id]) for p in scenario.parties
    ]
    known = {p.id for p in scenario.parties}
    columns.append(SourceColumn(INDEPENDENT, None, [s for s in sources if s.side not in known]))
    return columns


# --- complaints --------------------------------------------------------------------------------------


def complaint_view(
    session: Session, scenario: Scenario, *, principal: Principal, complaint_id: str, now: datetime
) -> ComplaintView:
    """The complaint (left) and the right of reply (right), each with its ledger proof."""
    complaint = complaints.read_complaint(session, principal=principal, complaint_id=complaint_id)
    responses = complaints.list_responses(session, complaint.id)
    superseded = {r.supersedes_id for r in responses if r.supersedes_id}
    due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
    status = ReplyStatus.ANSWERED if responses else ReplyStatus.OVERDUE if now > due else ReplyStatus.OPEN
    told = list(
        session.scalars(
            select(Notice).where(Notice.complaint_id == complaint.id).order_by(Notice.created_at, Notice.id)
        )
    )
    proofs = record_proofs(
        session,
        [(Complaint.ledger_kind(), complaint.id)]
        + [(Response.ledger_kind(), r.id) for r in responses]
        + [(Notice.ledger_kind(), n.id) for n in told],
    )
    return ComplaintView(
        complaint=complaint,
        complainant=party_name(scenario, complaint.complainant_party) or "",
        accused=party_name(scenario, complaint.accused_party) or "",
        clauses=clause_refs(scenario, complaint.clause_ids),
        sources=cited_sources(session, scenario, principal, complaint.claim_ids),
        reply_due=due,
        reply_status=status,
        replies=[
            ReplyView(
                r,
                party_name(scenario, r.party) or r.party,
                r.id not in superseded,
                proofs.get((Response.ledger_kind(), r.id)),
            )
            for r in responses
        ],
        may_reply=(
            status == ReplyStatus.OPEN
            and principal.party == complaint.accused_party
            and can(principal, Action.FILE_RESPONSE, {"party": complaint.accused_party})
        ),
        proof=proofs.get((Complaint.ledger_kind(), complaint.id)),
        notices=[(n, proofs.get((Notice.ledger_kind(), n.id))) for n in told],
    )


# --- findings ----------------------------------------------------------------------------------------


def _signatures(session: Session, finding: Finding) -> list[SignatureItem]:
    valid = {(row.signer, row.key) for row in findings_service.valid_signature_rows(session, finding)}
    return [
        SignatureItem(
            row.signer,
            row.created_at,
            row.key,
            _key_hash(row.key),
            (row.signer, row.key) in valid,
        )
        for row in findings_service.list_signatures(session, finding)
    ]


def _key_hash(vkey: str) -> str:
    try:
        return Verifier.from_vkey(vkey).key_hash.hex()
    except TrucelineError:
        return "not a valid key"


def _finding_view(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    finding: Finding,
    case: Case,
    proof: RecordProof | None,
) -> FindingView:
    penalty = penalties_service.find_penalty(session, finding.id)
    if penalty is not None and not can(principal, Action.READ_PENALTY, penalty):
        penalty = None
    versions = [
        v
        for v in findings_service.list_finding_versions(session, finding.id)
        if version_of(v.id) <= version_of(finding.id)
    ]
    first = {s: next((v.created_at for v in versions if v.status == s), None) for s in FindingStatus}
    return FindingView(
        finding=finding,
        base_id=base_id(finding.id),
        version=version_of(finding.id),
        responsible=party_name(scenario, finding.responsible_party),
        responsible_words=responsible_words(scenario, finding.responsible_party, finding.responsibility),
        verdict_words=verdict_words(finding.verdict),
        clauses=clause_refs(scenario, finding.clause_ids),
        confidence=confidence_words(finding.confidence),
        signatures=_signatures(session, finding),
        valid_signers=findings_service.valid_signers(session, finding),
        quorum=scenario.finding_quorum,
        penalty=penalty,
        penalty_words=None if penalty is None else penalty_words(scenario, penalty.level, penalty.name),
        case_id=(
            base_id(case.id) if can(principal, Action.READ_CASE, cases.case_target(session, case)) else None
        ),
        proof=proof,
        signing_message_b64=base64.b64encode(findings_service.signing_message(finding)).decode(),
        versions=[
            FindingVersionItem(version_of(v.id), v.id, v.status, v.created_at, v.created_by)
            for v in versions
            if findings_service.may_read_finding(session, principal, v)
        ],
        adopted_at=first[FindingStatus.ADOPTED],
        published_at=first[FindingStatus.PUBLISHED],
    )


def finding_view(
    session: Session, scenario: Scenario, *, principal: Principal, finding_id: str
) -> FindingView:
    """The finding's latest version, if the principal may read it (NotFound otherwise)."""
    finding = findings_service.read_finding(session, principal=principal, finding_id=finding_id)
    case = cases.get_case(session, finding.case_id)
    proof = record_proofs(session, [(Finding.ledger_kind(), finding.id)]).get(
        (Finding.ledger_kind(), finding.id)
    )
    return _finding_view(session, scenario, principal, finding, case, proof)


def published_finding_views(
    session: Session, scenario: Scenario, *, principal: Principal, as_of: datetime | None = None
) -> list[FindingView]:
    """Every published finding as its card shows it, newest first; with `as_of`, those published by then."""
    found = findings_service.list_published_findings(session, as_of=as_of)
    proofs = record_proofs(session, [(Finding.ledger_kind(), f.id) for f in found])
    return [
        _finding_view(
            session,
            scenario,
            principal,
            finding,
            cases.get_case(session, finding.case_id),
            proofs.get((Finding.ledger_kind(), finding.id)),
        )
        for finding in found
        if findings_service.may_read_finding(session, principal, finding)
    ]


def finding_read(view: FindingView) -> FindingRead:
    """The finding as the API returns it (`GET /api/findings/{id}`): ids, words and proof together."""
    finding, penalty = view.finding, view.penalty
    return FindingRead(
        id=view.base_id,
        version=view.version,
        version_id=finding.id,
        case_id=view.case_id,
        status=finding.status,
        verdict=finding.verdict,
        verdict_words=view.verdict_words,
        responsible_party=finding.responsible_party,
        responsibility=finding.responsibility,
        responsible_words=view.responsible_words,
        clauses=[ClauseRead(id=c.id, title=c.title) for c in view.clauses],
        confidence=finding.confidence,
        confidence_words=view.confidence,
        rationale=finding.rationale,
        penalty=None
        if penalty is None
        else PenaltyRead(
            party=penalty.party,
            level=penalty.level,
            name=penalty.name,
            words=view.penalty_words or "",
            description=penalty.description,
        ),
        signatures=[
            FindingSignatureRead(
                signer=s.signer, key=s.key, key_hash=s.key_hash, signed_at=s.signed_at, is_valid=s.is_valid
            )
            for s in view.signatures
        ],
        valid_signers=view.valid_signers,
        quorum=view.quorum,
        adopted_at=view.adopted_at,
        published_at=view.published_at,
        versions=[finding_version_read(v) for v in view.versions],
        proof=None if view.proof is None else record_proof_read(view.proof),
    )


def finding_version_read(item: FindingVersionItem) -> FindingVersionRead:
    return FindingVersionRead(
        version=item.version,
        version_id=item.version_id,
        status=item.status,
        created_at=item.created_at,
        created_by=item.created_by,
    )


# --- cases -------------------------------------------------------------------------------------------


def case_view(session: Session, scenario: Scenario, *, principal: Principal, case_id: str) -> CaseView:
    """The case with what it covers: complaints and replies, incidents, claims by side, evidence, findings."""
    case = cases.read_case(session, principal=principal, case_id=case_id)
    monitors = frozenset(str(m) for m in case.monitors)
    covered: list[CaseComplaint] = []
    incident_ids: list[str] = [str(i) for i in case.incident_ids]
    claim_ids: list[object] = []
    for complaint_id in case.complaint_ids:
        complaint = session.get(Complaint, str(complaint_id))
        if complaint is None or not can(
            principal, Action.READ_COMPLAINT, Target(complaint, assigned_monitors=monitors)
        ):
            continue
        covered.append(
            CaseComplaint(
                complaint,
                clause_refs(scenario, complaint.clause_ids),
                complaints.find_current_response(session, complaint.id),
            )
        )
        claim_ids.extend(complaint.claim_ids)
        if complaint.incident_id:
            incident_ids.append(complaint.incident_id)
    incidents: list[Incident] = []
    if can(principal, Action.READ_INCIDENT):
        for incident_id in dict.fromkeys(incident_ids):
            incident = session.get(Incident, incident_id)
            if incident is not None:
                incidents.append(incident)
                claim_ids.extend(incident.claim_ids)
    findings = [
        f
        for f in findings_service.list_findings(session, case_id=case.id)
        if findings_service.may_read_finding(session, principal, f)
    ]
    proofs = record_proofs(
        session, [(Case.ledger_kind(), case.id)] + [(Finding.ledger_kind(), f.id) for f in findings]
    )
    return CaseView(
        case=case,
        base_id=base_id(case.id),
        version=version_of(case.id),
        notes=case.notes if can(principal, Action.READ_INTERNAL_NOTES, case) else None,
        complaints=covered,
        incidents=incidents,
        columns=source_columns(scenario, cited_sources(session, scenario, principal, claim_ids)),
        evidence=[
            EvidenceItem(
                e, str(e.metadata_.get("description") or ""), evidence_service.list_custody(session, e.id)
            )
            for e in evidence_service.list_evidence(session, principal=principal, case_id=case.id)
        ],
        findings=[
            _finding_view(session, scenario, principal, f, case, proofs.get((Finding.ledger_kind(), f.id)))
            for f in findings
        ],
        proof=proofs.get((Case.ledger_kind(), case.id)),
    )
