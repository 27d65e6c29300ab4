"""A small verification world for tests: one incident, and one account per role, each with a signing key."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders import NOW, one_of_each_record
from truceline.cases.blobs import BlobStore
from truceline.cases.schemas import CaseCreate, FindingCreate
from truceline.complaints.models import Complaint
from truceline.complaints.schemas import ComplaintCreate
from truceline.db.versions import base_id
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record
from truceline.ledger.signing import Signer, generate_key
from truceline.runtime import Runtime
from truceline.users.rules import Principal
from truceline.users.service import create_user, principal_of
from truceline.views import cases as case_views
from truceline.workflows import verification as flow

PASSWORD = "a long enough test password"
USERS: tuple[tuple[str, str, str | None], ...] = (
    ("mediator-qatar", "mediator", None),
    ("mediator-turkiye", "mediator", None),
    ("monitor-one", "monitor", None),
    ("monitor-two", "monitor", None),
    ("liaison-pk", "party", "PK"),
    ("liaison-af", "party", "AF"),
)
INCIDENT = "inc-1"
CLAIM = "doc-1-c1"


@dataclass
class World:
    runtime: Runtime
    principals: dict[str, Principal] = field(default_factory=dict)
    signers: dict[str, Signer] = field(default_factory=dict)

    @property
    def store(self) -> BlobStore:
        return flow.evidence_store(self.runtime.settings)

    def __getitem__(self, username: str) -> Principal:
        return self.principals[username]


def a_world(runtime: Runtime) -> World:
    world = World(runtime=runtime)
    with runtime.transaction() as session:
        for record in one_of_each_record():
            if record.ledger_kind() in {"sources", "documents", "claims", "incidents"}:
                add_record(session, record, author="test", now=NOW)
        for username, role, party in USERS:
            skey, _ = generate_key(username)
            signer = Signer.from_skey(skey)
            user = create_user(
                session,
                username=username,
                password=PASSWORD,
                role=role,
                party=party,
                public_key=signer.vkey(),
                known_parties=["PK", "AF"],
                author="test",
                now=NOW,
            )
            world.signers[username] = signer
            world.principals[username] = principal_of(user)
    return world


def ledger_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0


def a_complaint_in(**changes: object) -> ComplaintCreate:
    fields: dict[str, object] = {
        "accused_party": "PK",
        "incident_id": INCIDENT,
        "claim_ids": [CLAIM],
        "clause_ids": ["C1"],
        "summary": "Shelling across the line near Torkham.",
    }
    fields.update(changes)
    return ComplaintCreate.model_validate(fields)


def file_a_complaint(world: World, *, now: datetime = NOW) -> Complaint:
    with world.runtime.transaction() as session:
        return flow.file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=world.runtime.scenario,
            complaint_in=a_complaint_in(),
            now=now,
        ).complaint


def open_investigation(world: World, complaint_id: str, *, now: datetime = NOW) -> str:
    """Open a case on the complaint with monitor-one assigned, and start the investigation."""
    with world.runtime.transaction() as session:
        case = flow.open_case(
            session,
            principal=world["mediator-qatar"],
            case_in=CaseCreate(
                title="Torkham shelling",
                complaint_ids=[complaint_id],
                incident_ids=[INCIDENT],
                monitors=["monitor-one"],
                deadline=now + timedelta(days=14),
            ),
            now=now,
        )
        flow.transition_case(
            session, principal=world["mediator-qatar"], case_id=case.id, status="investigating", now=now
        )
    return case.id


def a_finding_in(**changes: object) -> FindingCreate:
    fields: dict[str, object] = {
        "verdict": "violation_confirmed",
        "responsible_party": "PK",
        "responsibility": "forces",
        "clause_ids": ["C1"],
        "confidence": "likely",
        "rationale": "Crater analysis and two independent witnesses.",
    }
    fields.update(changes)
    return FindingCreate.model_validate(fields)


def adopt_a_finding(
    world: World, case_id: str, *, now: datetime = NOW, adopt: bool = True, **changes: object
) -> str:
    """monitor-one proposes a finding on the case (by default a violation by PK) and, with `adopt`, both
    mediators sign it and it is adopted, all at `now`; returns the finding's id."""
    with world.runtime.transaction() as session:
        finding = flow.propose_finding(
            session,
            principal=world["monitor-one"],
            scenario=world.runtime.scenario,
            case_id=case_id,
            finding_in=a_finding_in(**changes),
            now=now,
        )
        if adopt:
            message = case_views.finding_signing_message(session, finding.id)
            for mediator in ("mediator-qatar", "mediator-turkiye"):
                signature = base64.b64encode(world.signers[mediator].sign(message)).decode()
                flow.sign_finding(
                    session, principal=world[mediator], finding_id=finding.id, signature=signature, now=now
                )
            flow.adopt_finding(
                session,
                principal=world["mediator-qatar"],
                scenario=world.runtime.scenario,
                finding_id=finding.id,
                now=now,
            )
    return base_id(finding.id)


def publish_a_finding(world: World, finding_id: str, *, now: datetime = NOW) -> None:
    with world.runtime.transaction() as session:
        flow.publish_finding(session, principal=world["mediator-qatar"], finding_id=finding_id, now=now)


@dataclass(frozen=True)
class Decided:
    complaint: str
    case: str
    finding: str


def decide_over_five_days(world: World) -> Decided:
    """On the world's incident: AF complains and a case opens on day 1 (2 Nov), the finding against PK is
    adopted on day 3 (4 Nov) and published on day 5 (6 Nov)."""
    complaint = file_a_complaint(world, now=NOW + timedelta(days=1))
    case_id = open_investigation(world, complaint.id, now=NOW + timedelta(days=1))
    finding_id = adopt_a_finding(world, case_id, now=NOW + timedelta(days=3))
    publish_a_finding(world, finding_id, now=NOW + timedelta(days=5))
    return Decided(complaint.id, case_id, finding_id)
