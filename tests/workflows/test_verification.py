"""The whole verification workflow, on SQLite and PostgreSQL; afterwards the ledger verifies."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from tests.builders import NOW
from tests.cases.world import CLAIM, INCIDENT, a_finding_in, a_world
from truceline.audit import verify_database
from truceline.cases.models import Case, CustodyEvent, Finding, Penalty
from truceline.cases.schemas import CaseCreate
from truceline.complaints.rules import FilingKind, FilingSignature, sign_filing
from truceline.complaints.schemas import ComplaintCreate, ResponseCreate, SignatureIn
from truceline.complaints.service import complaint_signing_content
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime
from truceline.users.rules import Action, can
from truceline.views import cases as case_views
from truceline.views import complaints as complaint_views
from truceline.workflows import verification as flow


def _signature_in(signed: FilingSignature) -> SignatureIn:
    return SignatureIn(nonce=signed.nonce, signed_at=signed.signed_at, signature=signed.signature)


def test_a_case_runs_from_complaint_to_published_finding_and_the_ledger_verifies(runtime: Runtime) -> None:
    world = a_world(runtime)
    scenario = runtime.scenario
    t = NOW
    with runtime.transaction() as session:
        complaint_in = ComplaintCreate(
            accused_party="PK",
            incident_id=INCIDENT,
            claim_ids=[CLAIM],
            clause_ids=["C1", "C2"],
            summary="Artillery fire on Torkham.",
        )
        signed = sign_filing(
            world.signers["liaison-af"],
            FilingKind.COMPLAINT,
            complaint_signing_content("AF", complaint_in),
            now=t,
        )
        filed = flow.file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=scenario,
            complaint_in=complaint_in.model_copy(update={"signature": _signature_in(signed)}),
            now=t,
        )
        complaint = filed.complaint
        assert filed.notices[0].party == "PK"
        assert complaint.signature is not None
        assert [c.id for c in complaint_views.list_complaints(session, principal=world["liaison-pk"])] == [
            complaint.id
        ]

    t += timedelta(days=1)
    with runtime.transaction() as session:
        response_in = ResponseCreate(complaint_id=complaint.id, text="Our forces returned fire only.")
        signed = sign_filing(
            world.signers["liaison-pk"],
            FilingKind.RESPONSE,
            complaint_views.response_to_sign(session, response_in),
            now=t,
        )
        response = flow.respond_to_complaint(
            session,
            principal=world["liaison-pk"],
            scenario=scenario,
            response_in=response_in.model_copy(update={"signature": _signature_in(signed)}),
            now=t,
        )
        assert response.party == "PK"

        case = flow.open_case(
            session,
            principal=world["mediator-qatar"],
            case_in=CaseCreate(
                title="Torkham",
                complaint_ids=[complaint.id],
                monitors=["monitor-one"],
                deadline=t + timedelta(days=9),
            ),
            now=t,
        )
        flow.transition_case(
            session, principal=world["mediator-qatar"], case_id=case.id, status="investigating", now=t
        )
        photo = flow.add_evidence(
            session,
            principal=world["monitor-one"],
            store=world.store,
            case_id=case.id,
            now=t,
            file=("../../etc/crater.jpg", b"\xff\xd8\xff\xd9 not much of a photo"),
            media_type="image/jpeg",
        )
        assert photo.filename == "crater.jpg"
        link = flow.add_evidence(
            session,
            principal=world["liaison-af"],
            store=world.store,
            case_id=case.id,
            now=t,
            url="https://example.org/video",
        )
        assert link.submitted_by_party == "AF"
        finding = flow.propose_finding(
            session,
            principal=world["monitor-one"],
            scenario=scenario,
            case_id=case.id,
            finding_in=a_finding_in(),
            now=t,
        )

    t += timedelta(days=1)
    with runtime.transaction() as session:
        message = case_views.finding_signing_message(session, finding.id)
        for mediator in ("mediator-qatar", "mediator-turkiye"):
            signature = base64.b64encode(world.signers[mediator].sign(message)).decode()
            flow.sign_finding(
                session, principal=world[mediator], finding_id=finding.id, signature=signature, now=t
            )
        adoption = flow.adopt_finding(
            session, principal=world["mediator-qatar"], scenario=scenario, finding_id=finding.id, now=t
        )
        assert adoption.finding.status == "adopted"
        assert adoption.penalty is not None
        assert (adoption.penalty.party, adoption.penalty.level) == ("PK", 1)
        published = flow.publish_finding(
            session, principal=world["mediator-qatar"], finding_id=finding.id, now=t
        )
        assert published.status == "published"
        assert can(world["liaison-pk"], Action.READ_FINDING, published)
        flow.transition_case(
            session, principal=world["mediator-qatar"], case_id=case.id, status="closed", now=t
        )
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)

    with runtime.sessions() as session:
        versions = session.scalars(select(Case.status).order_by(Case.created_at, Case.id)).all()
        assert sorted(versions) == sorted(
            ["open", "investigating", "finding_proposed", "finding_adopted", "closed"]
        )
        assert {f.status for f in session.scalars(select(Finding))} == {"proposed", "adopted", "published"}
        assert session.scalar(select(Penalty.name)) == "Formal notice"
        assert {e.action for e in session.scalars(select(CustodyEvent))} == {"received"}
        summary = case_views.case_summary(session, principal=world["mediator-turkiye"], case_id=case.id)
        assert summary["status"] == "closed"
        assert summary["is_published"] is True
        report = verify_database(session, log_verifier=runtime.log_verifier)
        assert report.unsigned_entries == 0
        assert report.records >= 20


def test_the_second_confirmed_violation_within_the_window_draws_the_next_penalty(runtime: Runtime) -> None:
    world = a_world(runtime)
    levels = []
    for round_ in range(2):
        t = NOW + timedelta(days=10 * round_)
        with runtime.transaction() as session:
            complaint = flow.file_complaint(
                session,
                principal=world["liaison-af"],
                scenario=runtime.scenario,
                complaint_in=ComplaintCreate(
                    accused_party="PK", incident_id=INCIDENT, clause_ids=["C2"], summary="x"
                ),
                now=t,
            ).complaint
            case = flow.open_case(
                session,
                principal=world["mediator-qatar"],
                case_in=CaseCreate(title="t", complaint_ids=[complaint.id], monitors=["monitor-one"]),
                now=t,
            )
            flow.transition_case(
                session, principal=world["mediator-qatar"], case_id=case.id, status="investigating", now=t
            )
            finding = flow.propose_finding(
                session,
                principal=world["mediator-qatar"],
                scenario=runtime.scenario,
                case_id=case.id,
                finding_in=a_finding_in(clause_ids=["C2"]),
                now=t,
            )
            message = case_views.finding_signing_message(session, finding.id)
            for mediator in ("mediator-qatar", "mediator-turkiye"):
                signature = base64.b64encode(world.signers[mediator].sign(message)).decode()
                flow.sign_finding(
                    session, principal=world[mediator], finding_id=finding.id, signature=signature, now=t
                )
            adoption = flow.adopt_finding(
                session,
                principal=world["mediator-qatar"],
                scenario=runtime.scenario,
                finding_id=finding.id,
                now=t,
            )
            assert adoption.penalty is not None
            levels.append(adoption.penalty.level)
    assert levels == [1, 2]


def test_a_case_summary_shows_a_party_only_the_published_findings(runtime: Runtime) -> None:
    from tests.cases.world import file_a_complaint, open_investigation

    world = a_world(runtime)
    case_id = open_investigation(world, file_a_complaint(world).id)
    with runtime.transaction() as session:
        finding = flow.propose_finding(
            session,
            principal=world["monitor-one"],
            scenario=runtime.scenario,
            case_id=case_id,
            finding_in=a_finding_in(),
            now=NOW,
        )
    with runtime.sessions() as session:
        for_party = case_views.case_summary(session, principal=world["liaison-pk"], case_id=case_id)
        for_mediator = case_views.case_summary(session, principal=world["mediator-qatar"], case_id=case_id)
    assert for_party["findings"] == []
    assert [f["id"] for f in for_mediator["findings"]] == [finding.id]  # type: ignore[index]
