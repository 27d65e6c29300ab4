"""Cases, evidence, findings and notifications: each refusal is clear and leaves nothing behind."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.builders import NOW
from tests.cases.jpegs import a_jpeg
from tests.cases.world import World, a_finding_in, a_world, file_a_complaint, ledger_size, open_investigation
from truceline.cases import evidence as evidence_service
from truceline.cases import findings as findings_service
from truceline.cases import notifications as notifications_service
from truceline.cases import service
from truceline.cases.blobs import sha256_hex
from truceline.cases.models import Case, CustodyEvent, Evidence
from truceline.cases.schemas import NotificationCreate
from truceline.claims.models import Claim
from truceline.errors import Conflict, NotFound, PermissionDenied, TrucelineError, VerificationError
from truceline.runtime import Runtime


def _refused(world: World, error: type[TrucelineError], match: str, act: object) -> None:
    with world.runtime.sessions() as session:
        before = ledger_size(session)
    with pytest.raises(error, match=match):
        act()  # type: ignore[operator]
    with world.runtime.sessions() as session:
        assert ledger_size(session) == before


def _case(world: World) -> str:
    return open_investigation(world, file_a_complaint(world).id)


def test_an_illegal_transition_is_refused_and_nothing_is_written(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)

    def close_now() -> None:
        with runtime.transaction() as session:
            service.transition_case(
                session, principal=world["mediator-qatar"], case_id=case_id, status="closed", now=NOW
            )

    _refused(world, Conflict, f"case {case_id}: cannot go from investigating to closed", close_now)
    with runtime.sessions() as session:
        assert service.get_case(session, case_id).status == "investigating"
        assert len(service.list_case_versions(session, case_id)) == 2


def test_only_mediators_move_a_case(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)
    with runtime.transaction() as session, pytest.raises(PermissionDenied, match="may not update_case"):
        service.transition_case(
            session, principal=world["monitor-one"], case_id=case_id, status="finding_proposed", now=NOW
        )


def test_a_photo_keeps_its_exif_and_every_read_is_a_custody_event(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)
    with runtime.transaction() as session:
        photo = evidence_service.add_file_evidence(
            session,
            principal=world["monitor-one"],
            store=world.store,
            case_id=case_id,
            filename="IMG_0001.JPG",
            data=a_jpeg(),
            media_type="image/jpeg",
            now=NOW,
        )
    assert photo.metadata_["exif"] == {
        "taken_at": "2025-10-25T14:03:07+04:30",
        "latitude": 34.114733,
        "longitude": 71.083333,
    }
    with runtime.transaction() as session:
        data = evidence_service.read_evidence(
            session, principal=world["mediator-turkiye"], store=world.store, evidence_id=photo.id, now=NOW
        )
        path = evidence_service.checkout_working_copy(
            session, principal=world["monitor-one"], store=world.store, evidence_id=photo.id, now=NOW
        )
        evidence_service.transfer_evidence(
            session, principal=world["monitor-one"], evidence_id=photo.id, to="forensic lab", now=NOW
        )
    assert data == a_jpeg()
    assert "/working/" in path
    with runtime.sessions() as session:
        chain = evidence_service.list_custody(session, photo.id)
        assert [(e.action, e.actor) for e in chain] == [
            ("received", "monitor-one"),
            ("read", "mediator-turkiye"),
            ("working_copy", "monitor-one"),
            ("transfer", "monitor-one"),
        ]


def test_a_party_never_reads_the_other_sides_confidential_evidence(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)
    with runtime.transaction() as session:
        secret = evidence_service.add_file_evidence(
            session,
            principal=world["liaison-af"],
            store=world.store,
            case_id=case_id,
            filename="source.pdf",
            data=b"%PDF confidential",
            is_confidential=True,
            now=NOW,
        )
    with runtime.transaction() as session:
        with pytest.raises(NotFound):
            evidence_service.read_evidence(
                session, principal=world["liaison-pk"], store=world.store, evidence_id=secret.id, now=NOW
            )
        assert evidence_service.list_evidence(session, principal=world["liaison-pk"], case_id=case_id) == []
        assert [
            e.id
            for e in evidence_service.list_evidence(session, principal=world["liaison-af"], case_id=case_id)
        ] == [secret.id]


def test_sealed_evidence_is_disclosed_only_with_the_committed_content(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)
    content = b"statement of a witness who must stay anonymous for now"
    with runtime.transaction() as session:
        sealed = evidence_service.add_sealed_evidence(
            session,
            principal=world["liaison-af"],
            case_id=case_id,
            sha256=sha256_hex(content).upper(),
            now=NOW,
        )
    assert (sealed.is_sealed, sealed.size_bytes, sealed.sha256) == (True, None, sha256_hex(content))
    assert not world.store.has_original(sha256_hex(content))

    def disclose(data: bytes) -> Evidence:
        with runtime.transaction() as session:
            return evidence_service.disclose_evidence(
                session,
                principal=world["liaison-af"],
                store=world.store,
                evidence_id=sealed.id,
                data=data,
                filename="statement.txt",
                now=NOW + timedelta(days=1),
            )

    _refused(
        world,
        VerificationError,
        f"expected SHA-256 {sha256_hex(content)}, got {sha256_hex(b'another text')}",
        lambda: disclose(b"another text"),
    )
    assert not world.store.has_original(sha256_hex(b"another text"))
    disclosed = disclose(content)
    assert (disclosed.id, disclosed.supersedes_id, disclosed.is_sealed) == (
        f"{sealed.id}.v2",
        sealed.id,
        False,
    )
    assert world.store.read_original(sha256_hex(content)) == content
    with runtime.sessions() as session:
        assert [e.action for e in evidence_service.list_custody(session, sealed.id)] == [
            "sealed_commitment",
            "disclosed",
        ]


def test_a_monitor_not_assigned_to_the_case_cannot_propose(runtime: Runtime) -> None:
    world = a_world(runtime)
    case_id = _case(world)
    with runtime.transaction() as session, pytest.raises(PermissionDenied, match="may not propose_finding"):
        findings_service.propose_finding(
            session,
            principal=world["monitor-two"],
            scenario=runtime.scenario,
            case_id=case_id,
            finding_in=a_finding_in(),
            now=NOW,
        )


def _proposed(world: World) -> str:
    case_id = _case(world)
    with world.runtime.transaction() as session:
        return findings_service.propose_finding(
            session,
            principal=world["monitor-one"],
            scenario=world.runtime.scenario,
            case_id=case_id,
            finding_in=a_finding_in(),
            now=NOW,
        ).id


def _sign(world: World, finding_id: str, username: str, *, key_of: str | None = None) -> None:
    with world.runtime.transaction() as session:
        message = findings_service.signing_message(findings_service.get_finding(session, finding_id))
        signature = base64.b64encode(world.signers[key_of or username].sign(message)).decode()
        findings_service.sign_finding(
            session, principal=world[username], finding_id=finding_id, signature=signature, now=NOW
        )


def test_a_forged_finding_signature_is_refused_and_nothing_is_written(runtime: Runtime) -> None:
    world = a_world(runtime)
    finding_id = _proposed(world)
    # Qatar's mediator submits a signature made with Türkiye's key.
    _refused(
        world,
        VerificationError,
        f"finding {finding_id}: signature does not verify against the key of mediator-qatar",
        lambda: _sign(world, finding_id, "mediator-qatar", key_of="mediator-turkiye"),
    )


def test_a_finding_is_not_adopted_before_the_quorum_signs(runtime: Runtime) -> None:
    world = a_world(runtime)
    finding_id = _proposed(world)
    _sign(world, finding_id, "mediator-qatar")
    with pytest.raises(Conflict, match="already signed by mediator-qatar"):
        _sign(world, finding_id, "mediator-qatar")

    def adopt() -> None:
        with runtime.transaction() as session:
            findings_service.adopt_finding(
                session,
                principal=world["mediator-qatar"],
                scenario=runtime.scenario,
                finding_id=finding_id,
                now=NOW,
            )

    _refused(world, Conflict, r"1 valid mediator signature\(s\) \(mediator-qatar\); the quorum is 2", adopt)
    with pytest.raises(PermissionDenied, match="may not sign_finding"):
        _sign(world, finding_id, "monitor-one")
    _sign(world, finding_id, "mediator-turkiye")
    adopt()
    with runtime.sessions() as session:
        assert findings_service.get_finding(session, finding_id).status == "adopted"
        statuses = session.scalars(select(Case.status).order_by(Case.created_at, Case.id)).all()
        assert statuses[-1] == "finding_adopted"


def test_claims_inside_a_notified_activity_are_flagged_with_the_notice(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        notice = notifications_service.file_notification(
            session,
            principal=world["liaison-pk"],
            notification_in=NotificationCreate(
                kind="troop_rotation",
                area={"type": "Point", "coordinates": [71.08, 34.11], "radius_km": 10},
                starts_at=NOW - timedelta(days=8),
                ends_at=NOW - timedelta(days=6),
            ),
            now=NOW,
        )
        with pytest.raises(PermissionDenied):
            notifications_service.file_notification(
                session,
                principal=world["mediator-qatar"],
                notification_in=NotificationCreate(
                    kind="repairs",
                    area={"type": "Point", "coordinates": [71, 34], "radius_km": 1},
                    starts_at=NOW,
                    ends_at=NOW + timedelta(hours=1),
                ),
                now=NOW,
            )
    with runtime.sessions() as session:
        claim = session.get(Claim, "doc-1-c1")  # Torkham, 2025-10-25
        assert claim is not None
        flagged = notifications_service.claims_in_notified_activities(session, [claim])
        assert [(f.claim, f.notification.id) for f in flagged] == [(claim, notice.id)]
        elsewhere = Claim(event_date=claim.event_date, location={"lat": 31.0, "lon": 66.0})
        assert notifications_service.claims_in_notified_activities(session, [elsewhere]) == []


def test_evidence_is_refused_once_a_finding_is_proposed(runtime: Runtime) -> None:
    world = a_world(runtime)
    finding_id = _proposed(world)
    with runtime.sessions() as session:
        case_id = findings_service.get_finding(session, finding_id).case_id
    with runtime.transaction() as session, pytest.raises(Conflict, match="is finding_proposed"):
        evidence_service.add_url_evidence(
            session, principal=world["monitor-one"], case_id=case_id, url="https://example.org/late", now=NOW
        )
    with runtime.sessions() as session:
        assert session.scalars(select(CustodyEvent)).all() == []
