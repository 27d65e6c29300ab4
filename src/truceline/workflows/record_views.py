"""What the complaint, case and finding pages show: each record with its sources, replies and ledger proofs.

Every function reads one record the principal may read (the domain service refuses the others with
NotFound) and gathers what surrounds it, each item again filtered by the access policy: claims only for
those who may read claims (parties read the documents they come from), evidence, findings and penalties
only where the policy allows, internal notes only under `read_internal_notes`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases import service as cases
from truceline.cases.models import Case, CustodyEvent, Evidence, Finding, FindingSignature, Penalty
from truceline.cases.rules import Confidence, base_id, version_of
from truceline.claims.models import Claim
from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint, Response
from truceline.complaints.rules import reply_deadline
from truceline.documents.models import Document
from truceline.errors import TrucelineError
from truceline.incidents.models import Incident
from truceline.ledger.signing import Verifier
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Role, Target, can
from truceline.users.service import find_user
from truceline.workflows.ledger_views import RecordProof, record_proofs

INDEPENDENT = "Independent reporting"

# ICD 203 ranges for the estimative terms a finding's confidence uses.
CONFIDENCE_MEANING: dict[str, str] = {
    Confidence.ALMOST_CERTAIN: "almost certain (95–99%)",
    Confidence.LIKELY: "likely (55–80%)",
    Confidence.ROUGHLY_EVEN: "roughly even chance (45–55%)",
    Confidence.UNLIKELY: "unlikely (20–45%)",
}


class ReplyStatus(StrEnum):
    ANSWERED = "answered"
    OPEN = "open"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ClauseRef:
    id: str
    title: str  # "not in the agreement" for an id the scenario does not know


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


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    evidence: Evidence
    description: str
    custody: list[CustodyEvent]


@dataclass(frozen=True, slots=True)
class SignatureItem:
    signer: str
    signed_at: datetime
    is_valid: bool  # verifies now, by an active mediator, with the key the account holds now


@dataclass(frozen=True, slots=True)
class FindingView:
    finding: Finding
    base_id: str
    version: int
    responsible: str | None  # party name
    clauses: list[ClauseRef]
    confidence: str  # estimative language
    signatures: list[SignatureItem]
    valid_signers: list[str]
    quorum: int
    penalty: Penalty | None  # None when there is none or the principal may not read it
    case_id: str | None  # None when the principal may not read the case
    proof: RecordProof | None
    signing_message_b64: str  # the exact bytes a mediator signs (Ed25519), base64


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


def party_name(scenario: Scenario, party_id: str | None) -> str | None:
    if party_id is None:
        return None
    return next((p.short_name for p in scenario.parties if p.id == party_id), party_id)


def clause_refs(scenario: Scenario, clause_ids: Iterable[object]) -> list[ClauseRef]:
    titles = {c.id: c.title for c in scenario.agreement.clauses}
    return [ClauseRef(str(c), titles.get(str(c), "not in the agreement")) for c in clause_ids]


def claimant_party(scenario: Scenario, claimant: str | None) -> str | None:
    """The party a claimant speaks for: its actor's party, or a party named outright; else None."""
    if not claimant:
        return None
    actor = scenario.actor_by_name(claimant)
    if actor is not None:
        return actor.party
    for party in scenario.parties:
        if claimant in (party.id, party.name, party.short_name):
            return party.id
    return None


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
    proofs = record_proofs(
        session,
        [(Complaint.ledger_kind(), complaint.id)] + [(Response.ledger_kind(), r.id) for r in responses],
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
    )


# --- findings ----------------------------------------------------------------------------------------


def _signature_is_valid(session: Session, row: FindingSignature, message: bytes) -> bool:
    user = find_user(session, row.signer)
    if user is None or not user.is_active or user.role != Role.MEDIATOR or user.public_key != row.key:
        return False
    try:
        Verifier.from_vkey(row.key).verify(message, base64.b64decode(row.signature, validate=True))
    except (TrucelineError, ValueError, binascii.Error):
        return False
    return True


def _signatures(session: Session, finding: Finding) -> list[SignatureItem]:
    base = base_id(finding.id)
    query = select(FindingSignature).where(
        (FindingSignature.finding_id == base)
        | FindingSignature.finding_id.startswith(f"{base}.v", autoescape=True)
    )
    message = cases.signing_message(finding)
    rows = session.scalars(query.order_by(FindingSignature.created_at, FindingSignature.id))
    return [SignatureItem(r.signer, r.created_at, _signature_is_valid(session, r, message)) for r in rows]


def _finding_target(session: Session, finding: Finding, case: Case) -> Target:
    return Target(
        finding,
        involved_parties=cases.case_parties(session, case),
        assigned_monitors=frozenset(str(m) for m in case.monitors),
    )


def _finding_view(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    finding: Finding,
    case: Case,
    proof: RecordProof | None,
) -> FindingView:
    penalty = cases.find_penalty(session, finding.id)
    if penalty is not None and not can(principal, Action.READ_PENALTY, penalty):
        penalty = None
    return FindingView(
        finding=finding,
        base_id=base_id(finding.id),
        version=version_of(finding.id),
        responsible=party_name(scenario, finding.responsible_party),
        clauses=clause_refs(scenario, finding.clause_ids),
        confidence=CONFIDENCE_MEANING.get(finding.confidence, finding.confidence.replace("_", " ")),
        signatures=_signatures(session, finding),
        valid_signers=cases.valid_signers(session, finding),
        quorum=scenario.finding_quorum,
        penalty=penalty,
        case_id=(
            base_id(case.id) if can(principal, Action.READ_CASE, cases.case_target(session, case)) else None
        ),
        proof=proof,
        signing_message_b64=base64.b64encode(cases.signing_message(finding)).decode(),
    )


def finding_view(
    session: Session, scenario: Scenario, *, principal: Principal, finding_id: str
) -> FindingView:
    """The finding's latest version, if the principal may read it (NotFound otherwise)."""
    finding = cases.read_finding(session, principal=principal, finding_id=finding_id)
    case = cases.get_case(session, finding.case_id)
    proof = record_proofs(session, [(Finding.ledger_kind(), finding.id)]).get(
        (Finding.ledger_kind(), finding.id)
    )
    return _finding_view(session, scenario, principal, finding, case, proof)


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
        for f in cases.list_findings(session, case_id=case.id)
        if can(principal, Action.READ_FINDING, _finding_target(session, f, case))
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
            EvidenceItem(e, str(e.metadata_.get("description") or ""), cases.list_custody(session, e.id))
            for e in cases.list_evidence(session, principal=principal, case_id=case.id)
        ],
        findings=[
            _finding_view(session, scenario, principal, f, case, proofs.get((Finding.ledger_kind(), f.id)))
            for f in findings
        ],
        proof=proofs.get((Case.ledger_kind(), case.id)),
    )
