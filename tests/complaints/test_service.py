"""Complaints and responses: signed filings, forged and replayed signatures, the right and window of reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.builders import NOW
from tests.cases.world import World, a_complaint_in, a_world, file_a_complaint, ledger_size
from truceline.complaints.models import Complaint, Response
from truceline.complaints.rules import FilingKind, FilingSignature, sign_filing
from truceline.complaints.schemas import ResponseCreate, SignatureIn
from truceline.complaints.service import (
    complaint_signing_content,
    file_complaint,
    file_response,
    find_current_response,
    list_complaints,
)
from truceline.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TrucelineError,
    VerificationError,
)
from truceline.runtime import Runtime


def _sig(signed: FilingSignature) -> SignatureIn:
    return SignatureIn(nonce=signed.nonce, signed_at=signed.signed_at, signature=signed.signature)


def _file_signed(world: World, signature: SignatureIn, **changes: object) -> Complaint:
    with world.runtime.transaction() as session:
        return file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=world.runtime.scenario,
            complaint_in=a_complaint_in(signature=signature, **changes),
            now=NOW,
        )


def _assert_refused_and_nothing_written(
    world: World, error: type[TrucelineError], match: str, act: object
) -> None:
    with world.runtime.sessions() as session:
        before = ledger_size(session)
    with pytest.raises(error, match=match):
        act()  # type: ignore[operator]
    with world.runtime.sessions() as session:
        assert ledger_size(session) == before


def test_a_signed_complaint_is_verified_and_stored_with_its_signature(runtime: Runtime) -> None:
    world = a_world(runtime)
    content = complaint_signing_content("AF", a_complaint_in())
    signed = sign_filing(world.signers["liaison-af"], FilingKind.COMPLAINT, content, now=NOW)
    complaint = _file_signed(world, _sig(signed))
    assert complaint.signature is not None
    assert complaint.signature["nonce"] == signed.nonce
    assert complaint.signature["key"] == world.signers["liaison-af"].vkey()


def test_a_forged_complaint_signature_is_refused_and_nothing_is_written(runtime: Runtime) -> None:
    world = a_world(runtime)
    content = complaint_signing_content("AF", a_complaint_in())
    # Pakistan's liaison signs a complaint in Afghanistan's name: the key is not the filer's.
    forged = sign_filing(world.signers["liaison-pk"], FilingKind.COMPLAINT, content, now=NOW)
    _assert_refused_and_nothing_written(
        world,
        VerificationError,
        "complaint signature does not verify",
        lambda: _file_signed(world, _sig(forged)),
    )


def test_a_signature_over_other_content_is_refused(runtime: Runtime) -> None:
    world = a_world(runtime)
    content = complaint_signing_content("AF", a_complaint_in(summary="something milder"))
    signed = sign_filing(world.signers["liaison-af"], FilingKind.COMPLAINT, content, now=NOW)
    with pytest.raises(VerificationError, match="signed over different content"):
        _file_signed(world, _sig(signed))


def test_a_replayed_signature_is_refused_and_nothing_is_written(runtime: Runtime) -> None:
    world = a_world(runtime)
    content = complaint_signing_content("AF", a_complaint_in())
    signed = sign_filing(world.signers["liaison-af"], FilingKind.COMPLAINT, content, now=NOW)
    _file_signed(world, _sig(signed))
    _assert_refused_and_nothing_written(
        world, Conflict, "already used on a filing: replay refused", lambda: _file_signed(world, _sig(signed))
    )
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_a_complaint_names_clauses_of_the_agreement(runtime: Runtime) -> None:
    world = a_world(runtime)
    with (
        runtime.transaction() as session,
        pytest.raises(InvalidInput, match=r"\['C99'\] are not in the agreement"),
    ):
        file_complaint(
            session,
            principal=world["liaison-af"],
            scenario=runtime.scenario,
            complaint_in=a_complaint_in(clause_ids=["C1", "C99"]),
            now=NOW,
        )


def test_only_a_party_complains_and_never_against_itself(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        with pytest.raises(PermissionDenied):
            file_complaint(
                session,
                principal=world["mediator-qatar"],
                scenario=runtime.scenario,
                complaint_in=a_complaint_in(),
                now=NOW,
            )
        with pytest.raises(InvalidInput, match="against itself"):
            file_complaint(
                session,
                principal=world["liaison-pk"],
                scenario=runtime.scenario,
                complaint_in=a_complaint_in(),
                now=NOW,
            )
        with pytest.raises(NotFound, match="incident 'inc-404'"):
            file_complaint(
                session,
                principal=world["liaison-af"],
                scenario=runtime.scenario,
                complaint_in=a_complaint_in(incident_id="inc-404"),
                now=NOW,
            )


def test_the_accused_sees_the_complaint_and_an_unassigned_monitor_does_not(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    with runtime.sessions() as session:
        assert [c.id for c in list_complaints(session, principal=world["liaison-pk"])] == [complaint.id]
        assert list_complaints(session, principal=world["monitor-one"]) == []


def _respond(
    world: World, username: str, complaint_id: str, *, days: float = 1, **changes: object
) -> Response:
    with world.runtime.transaction() as session:
        return file_response(
            session,
            principal=world[username],
            scenario=world.runtime.scenario,
            response_in=ResponseCreate.model_validate(
                {"complaint_id": complaint_id, "text": "We deny it.", **changes}
            ),
            now=NOW + timedelta(days=days),
        )


def test_a_late_reply_is_refused_and_nothing_is_written(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    window = runtime.scenario.reply_window_days
    _assert_refused_and_nothing_written(
        world,
        Conflict,
        f"the reply window of {window} days closed at",
        lambda: _respond(world, "liaison-pk", complaint.id, days=window + 0.01),
    )


def test_only_the_accused_party_may_reply(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    _assert_refused_and_nothing_written(
        world,
        PermissionDenied,
        r"only the accused party \(PK\) may reply",
        lambda: _respond(world, "liaison-af", complaint.id),
    )


def test_a_party_replies_once_and_then_only_corrects_its_reply(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    first = _respond(world, "liaison-pk", complaint.id)
    with pytest.raises(Conflict, match=f"already has response {first.id}"):
        _respond(world, "liaison-pk", complaint.id)
    correction = _respond(world, "liaison-pk", complaint.id, days=2, corrects=first.id, text="Corrected.")
    assert correction.supersedes_id == first.id
    with runtime.sessions() as session:
        current = find_current_response(session, complaint.id)
        assert current is not None
        assert current.id == correction.id
