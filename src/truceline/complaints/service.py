"""Complaint use cases: file a complaint, reply to one, read them; each write is ledgered, never committed.

Every function takes the acting `principal` and checks the access policy (`users.rules.require`)
before it writes; every check runs before the first write, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim
from truceline.complaints.models import Complaint, Response
from truceline.complaints.rules import (
    FilingKind,
    FilingSignature,
    check_clauses,
    check_not_replayed,
    check_reply_in_time,
    complaint_content,
    reply_deadline,
    response_content,
    verify_filing,
)
from truceline.complaints.schemas import (
    ComplaintCreate,
    ComplaintRead,
    ResponseCreate,
    ResponseRead,
    SignatureIn,
)
from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record, recorded_by
from truceline.ledger.signing import Verifier
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Target, can, require
from truceline.users.service import get_user

log = logging.getLogger(__name__)


def file_complaint(
    session: Session,
    *,
    principal: Principal,
    scenario: Scenario,
    complaint_in: ComplaintCreate,
    now: datetime,
) -> Complaint:
    """A party's complaint against the other party, checked and (when signed) verified, then ledgered."""
    if principal.party is None:
        raise PermissionDenied(f"role {principal.role.value!r} may not file_complaint")
    accused = complaint_in.accused_party
    scenario.party(accused)  # NotFound for a party the scenario does not know
    if accused == principal.party:
        raise InvalidInput(f"accused_party: a party cannot complain against itself ({accused})")
    if complaint_in.incident_id is None and not complaint_in.claim_ids:
        raise InvalidInput("name the incident (incident_id) or the claims (claim_ids) the complaint is about")
    if complaint_in.incident_id is not None and session.get(Incident, complaint_in.incident_id) is None:
        raise NotFound("incident", complaint_in.incident_id)
    for claim_id in complaint_in.claim_ids:
        if session.get(Claim, claim_id) is None:
            raise NotFound("claim", claim_id)
    clause_ids = check_clauses(complaint_in.clause_ids, known=[c.id for c in scenario.agreement.clauses])
    complaint = Complaint(
        id=f"cmp-{uuid.uuid4().hex[:12]}",
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        complainant_party=principal.party,
        accused_party=accused,
        incident_id=complaint_in.incident_id,
        claim_ids=list(dict.fromkeys(complaint_in.claim_ids)),
        clause_ids=clause_ids,
        summary=complaint_in.summary,
        signature=None,
    )
    require(principal, Action.FILE_COMPLAINT, complaint)
    if complaint_in.signature is not None:
        content = complaint_signing_content(principal.party, complaint_in)
        complaint.signature = _checked_signature(
            session, principal, FilingKind.COMPLAINT, content, complaint_in.signature, now=now
        ).to_json()
    add_record(session, complaint, author=principal.username, now=now)
    log.info("complaint %s filed by %s against %s", complaint.id, complaint.complainant_party, accused)
    return complaint


def complaint_signing_content(complainant_party: str, complaint_in: ComplaintCreate) -> dict[str, object]:
    """What the complainant signs: the complaint as it will be stored (ids de-duplicated, in order)."""
    return complaint_content(
        complainant_party=complainant_party,
        accused_party=complaint_in.accused_party,
        incident_id=complaint_in.incident_id,
        claim_ids=dict.fromkeys(complaint_in.claim_ids),
        clause_ids=dict.fromkeys(complaint_in.clause_ids),
        summary=complaint_in.summary,
    )


def response_signing_content(complaint: Complaint, response_in: ResponseCreate) -> dict[str, object]:
    """What the accused party signs when it replies."""
    return response_content(complaint_id=complaint.id, party=complaint.accused_party, text=response_in.text)


def file_response(
    session: Session, *, principal: Principal, scenario: Scenario, response_in: ResponseCreate, now: datetime
) -> Response:
    """The accused party's reply, once and within the reply window; a later correction supersedes it."""
    complaint = get_complaint(session, response_in.complaint_id)
    if principal.party != complaint.accused_party:
        raise PermissionDenied(
            f"complaint {complaint.id}: only the accused party ({complaint.accused_party}) may reply"
        )
    check_reply_in_time(
        complaint.id, filed_at=complaint.created_at, reply_window_days=scenario.reply_window_days, now=now
    )
    current = find_current_response(session, complaint.id)
    if current is not None and response_in.corrects != current.id:
        raise Conflict(
            f"complaint {complaint.id} already has response {current.id}; "
            f"file a correction that names it (corrects={current.id})"
        )
    if current is None and response_in.corrects is not None:
        raise Conflict(f"complaint {complaint.id} has no response {response_in.corrects} to correct")
    response = Response(
        id=f"rsp-{uuid.uuid4().hex[:12]}",
        created_at=now,
        created_by=principal.username,
        supersedes_id=None if current is None else current.id,
        complaint_id=complaint.id,
        party=complaint.accused_party,
        text=response_in.text,
        signature=None,
    )
    require(
        principal,
        Action.FILE_RESPONSE,
        Target(response, involved_parties=frozenset({complaint.accused_party})),
    )
    if response_in.signature is not None:
        content = response_signing_content(complaint, response_in)
        response.signature = _checked_signature(
            session, principal, FilingKind.RESPONSE, content, response_in.signature, now=now
        ).to_json()
    add_record(session, response, author=principal.username, now=now)
    log.info("response %s to complaint %s by %s", response.id, complaint.id, response.party)
    return response


def _checked_signature(
    session: Session,
    principal: Principal,
    kind: FilingKind,
    content: dict[str, object],
    signature_in: SignatureIn,
    *,
    now: datetime,
) -> FilingSignature:
    """Verify a filing's signature against the filer's registered key and refuse a replayed one."""
    user = get_user(session, principal.username)
    if not user.public_key:
        raise InvalidInput(f"user {user.username!r} has no public key registered, so cannot sign filings")
    verifier = Verifier.from_vkey(user.public_key)
    signature = FilingSignature(
        nonce=signature_in.nonce,
        signed_at=signature_in.signed_at,
        signature=signature_in.signature,
        key=verifier.vkey(),
    )
    verify_filing(verifier, kind, content, signature, now=now)
    nonces, sigs = _used_signatures(session, nonce=signature.nonce, signature=signature.signature)
    check_not_replayed(signature, used_nonces=nonces, used=sigs)
    return signature


def _used_signatures(session: Session, *, nonce: str, signature: str) -> tuple[list[str], list[str]]:
    """Nonces and signatures already stored on complaints or responses that match the given ones."""
    nonces: list[str] = []
    sigs: list[str] = []
    for model in (Complaint, Response):
        column = model.signature
        query = select(column).where(
            or_(column["nonce"].as_string() == nonce, column["signature"].as_string() == signature)
        )
        for stored in session.scalars(query):
            if stored:
                nonces.append(str(stored.get("nonce", "")))
                sigs.append(str(stored.get("signature", "")))
    return nonces, sigs


def get_complaint(session: Session, complaint_id: str) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound("complaint", complaint_id)
    return complaint


def read_complaint(session: Session, *, principal: Principal, complaint_id: str) -> Complaint:
    """The complaint, if the principal may read it; NotFound otherwise (not even its existence leaks)."""
    complaint = get_complaint(session, complaint_id)
    if not can(principal, Action.READ_COMPLAINT, complaint):
        raise NotFound("complaint", complaint_id)
    return complaint


def list_complaints(
    session: Session,
    *,
    principal: Principal,
    limit: int = 100,
    offset: int = 0,
    as_of: datetime | None = None,
) -> list[Complaint]:
    """Complaints the principal may read, newest first: a party sees those filed by or against it."""
    query = (
        select(Complaint)
        .where(recorded_by(Complaint, as_of))
        .order_by(Complaint.created_at.desc(), Complaint.id)
    )
    return [c for c in session.scalars(query) if can(principal, Action.READ_COMPLAINT, c)][
        offset : offset + limit
    ]


def list_complaints_about(
    session: Session, *, principal: Principal, incident_ids: Collection[str]
) -> list[Complaint]:
    """The complaints about these incidents that the principal may read, newest first (an incident page's:
    read by incident, not out of every complaint)."""
    if not incident_ids:
        return []
    query = (
        select(Complaint)
        .where(Complaint.incident_id.in_(sorted(incident_ids)))
        .order_by(Complaint.created_at.desc(), Complaint.id)
    )
    return [c for c in session.scalars(query) if can(principal, Action.READ_COMPLAINT, c)]


def list_responses(session: Session, complaint_id: str, *, as_of: datetime | None = None) -> list[Response]:
    """Every response to a complaint, corrections included, oldest first."""
    query = select(Response).where(Response.complaint_id == complaint_id, recorded_by(Response, as_of))
    return list(session.scalars(query.order_by(Response.created_at, Response.id)))


def find_current_response(
    session: Session, complaint_id: str, *, as_of: datetime | None = None
) -> Response | None:
    """The response no correction has superseded, or None when the accused has not replied (by `as_of`)."""
    responses = list_responses(session, complaint_id, as_of=as_of)
    superseded = {r.supersedes_id for r in responses if r.supersedes_id}
    current = [r for r in responses if r.id not in superseded]
    return current[-1] if current else None


def complaint_read(complaint: Complaint, *, reply_window_days: int) -> ComplaintRead:
    return ComplaintRead(
        id=complaint.id,
        created_at=complaint.created_at,
        created_by=complaint.created_by,
        complainant_party=complaint.complainant_party,
        accused_party=complaint.accused_party,
        incident_id=complaint.incident_id,
        claim_ids=complaint.claim_ids,
        clause_ids=complaint.clause_ids,
        summary=complaint.summary,
        is_signed=complaint.signature is not None,
        reply_due=reply_deadline(complaint.created_at, reply_window_days=reply_window_days),
    )


def response_read(response: Response) -> ResponseRead:
    return ResponseRead(
        id=response.id,
        created_at=response.created_at,
        created_by=response.created_by,
        complaint_id=response.complaint_id,
        party=response.party,
        text=response.text,
        is_signed=response.signature is not None,
        supersedes_id=response.supersedes_id,
    )
