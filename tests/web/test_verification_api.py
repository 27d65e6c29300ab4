"""A whole case through the JSON API: complaint to published finding."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.cases.world import (
    CLAIM,
    INCIDENT,
    a_world,
    adopt_a_finding,
    file_a_complaint,
    open_investigation,
)
from tests.web.conftest import AsUser, WorldClient
from truceline.audit import verify_database
from truceline.cases.evidence import list_custody
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.web.app import create_app


def test_a_case_runs_through_the_api_and_the_ledger_verifies(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        tokens = {
            name: issue_token(session, username=name, author="test", now=datetime.now(UTC))
            for name in world.principals
        }

    def as_(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[name]}"}

    with TestClient(create_app(runtime)) as client:
        complaint = {
            "accused_party": "PK",
            "incident_id": INCIDENT,
            "claim_ids": [CLAIM],
            "clause_ids": ["C1"],
            "summary": "Shelling across the line near Torkham.",
        }
        filed = client.post("/api/complaints", json=complaint, headers=as_("liaison-af"))
        assert filed.status_code == 201, filed.text
        complaint_id = filed.json()["complaint"]["id"]
        assert "reply by" in filed.json()["notices"][0]["subject"]

        reply = {"complaint_id": complaint_id, "text": "Our forces returned fire only."}
        assert client.post("/api/responses", json=reply, headers=as_("liaison-af")).status_code == 403
        assert client.post("/api/responses", json=reply, headers=as_("liaison-pk")).status_code == 201

        case = {"title": "Torkham shelling", "complaint_ids": [complaint_id], "monitors": ["monitor-one"]}
        opened = client.post("/api/cases", json=case, headers=as_("mediator-qatar"))
        assert opened.status_code == 201, opened.text
        case_id = opened.json()["id"]
        moved = client.post(
            f"/api/cases/{case_id}/status", json={"status": "investigating"}, headers=as_("mediator-qatar")
        )
        assert moved.json()["status"] == "investigating"
        illegal = client.post(
            f"/api/cases/{case_id}/status", json={"status": "open"}, headers=as_("mediator-qatar")
        )
        assert illegal.status_code == 409

        photo = client.post(
            f"/api/cases/{case_id}/evidence",
            files={"file": ("crater.txt", b"field note: crater 3 m wide", "text/plain")},
            data={"description": "monitor's note"},
            headers=as_("monitor-one"),
        )
        assert photo.status_code == 201, photo.text

        finding = {
            "verdict": "violation_confirmed",
            "responsible_party": "PK",
            "responsibility": "forces",
            "clause_ids": ["C1"],
            "confidence": "likely",
            "rationale": "Crater and two witnesses.",
        }
        proposed = client.post(f"/api/cases/{case_id}/findings", json=finding, headers=as_("monitor-one"))
        assert proposed.status_code == 201, proposed.text
        finding_id = proposed.json()["id"]
        message = base64.b64decode(proposed.json()["signing_bytes_b64"])

        forged = base64.b64encode(world.signers["mediator-turkiye"].sign(message)).decode()
        refused = client.post(
            f"/api/findings/{finding_id}/signatures",
            json={"signature": forged},
            headers=as_("mediator-qatar"),
        )
        assert refused.status_code in (400, 422) and "signature" in refused.json()["detail"]
        assert (
            client.post(f"/api/findings/{finding_id}/adopt", headers=as_("mediator-qatar")).status_code == 409
        )

        for mediator in ("mediator-qatar", "mediator-turkiye"):
            signature = base64.b64encode(world.signers[mediator].sign(message)).decode()
            signed = client.post(
                f"/api/findings/{finding_id}/signatures", json={"signature": signature}, headers=as_(mediator)
            )
            assert signed.status_code == 201, signed.text
        adopted = client.post(f"/api/findings/{finding_id}/adopt", headers=as_("mediator-qatar"))
        assert adopted.status_code == 200, adopted.text
        assert adopted.json()["penalty"]["party"] == "PK" and adopted.json()["penalty"]["level"] == 1
        published = client.post(
            f"/api/findings/{adopted.json()['id']}/publish", headers=as_("mediator-qatar")
        )
        assert published.status_code == 200, published.text

        public = client.get("/api/findings").json()
        assert [f["verdict"] for f in public] == ["violation_confirmed"]
        assert "Crater" in client.get("/findings").text

    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier)


def test_an_evidence_upload_above_the_configured_limit_is_refused(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    runtime.settings = runtime.settings.model_copy(update={"max_upload_bytes": 10})
    url, headers = "/api/cases/no-such-case/evidence", as_user("mediator-qatar")
    too_big = client.post(url, files={"file": ("a.txt", b"x" * 11, "text/plain")}, headers=headers)
    assert too_big.status_code == 422
    assert too_big.json() == {"detail": "file: expected at most 10 bytes, found more"}
    # At the limit the file passes the size check and the unknown case is what refuses it.
    at_limit = client.post(url, files={"file": ("a.txt", b"x" * 10, "text/plain")}, headers=headers)
    assert at_limit.status_code == 404, at_limit.text


def test_a_finding_has_one_public_id_with_its_versions_beneath_it(world_client: WorldClient) -> None:
    world, client = world_client.world, world_client.client
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    finding_id = adopt_a_finding(
        world, case_id, responsible_party="AF", responsibility="host", clause_ids=["C4"]
    )
    assert "." not in finding_id  # the public id carries no version
    mediator, party = world_client.as_("mediator-qatar"), world_client.as_("liaison-af")

    adopted = client.get(f"/api/findings/{finding_id}", headers=mediator).json()
    assert (adopted["id"], adopted["version"], adopted["version_id"]) == (finding_id, 2, f"{finding_id}.v2")
    assert [v["status"] for v in adopted["versions"]] == ["proposed", "adopted"]
    assert client.get(f"/api/findings/{finding_id}", headers=party).status_code == 404  # not published yet
    assert client.get(f"/api/findings/{finding_id}/versions", headers=party).status_code == 404

    published = client.post(f"/api/findings/{finding_id}/publish", headers=mediator).json()
    assert published == {"id": finding_id, "version": 3, "status": "published"}
    body = client.get(f"/api/findings/{finding_id}", headers=party).json()
    assert body["id"] == finding_id and body["status"] == "published"
    assert body["verdict_words"] == "violation confirmed"
    assert body["responsible_words"] == "Afghanistan, as host of an armed group it failed to act against"
    assert body["clauses"] == [{"id": "C4", "title": "No support or safe haven for armed groups"}]
    assert body["confidence_words"] == "likely (55–80%)"
    assert (
        body["penalty"]["words"] == "Step 1 of 5 of the penalty schedule: Formal notice"
    )  # AF's own penalty
    keys = {world.signers[m].vkey() for m in ("mediator-qatar", "mediator-turkiye")}
    assert {s["key"] for s in body["signatures"]} == keys and all(s["is_valid"] for s in body["signatures"])
    assert body["proof"]["entry"]["record_id"] == f"{finding_id}.v3"
    # A party reads only the published version; the mechanism sees every version of the one finding.
    assert [
        v["version_id"] for v in client.get(f"/api/findings/{finding_id}/versions", headers=party).json()
    ] == [f"{finding_id}.v3"]
    versions = client.get(f"/api/findings/{finding_id}/versions", headers=mediator).json()
    assert [(v["version"], v["status"]) for v in versions] == [
        (1, "proposed"),
        (2, "adopted"),
        (3, "published"),
    ]
    public = client.get("/api/findings").json()
    assert [f["id"] for f in public] == [finding_id] and public[0][
        "penalty"
    ] is None  # not the public's to read
    assert public[0]["case_id"] is None
    assert client.get("/api/findings/fnd-nosuch").status_code == 404
    page = client.get("/findings").text
    assert f'href="/findings/{finding_id}"' in page and f"{finding_id}.v" not in page.split("<details>")[0]
    assert "No support or safe haven for armed groups" in page and "as host of an armed group" in page


def test_evidence_is_downloaded_by_those_allowed_hash_checked_and_a_changed_file_is_refused(
    world_client: WorldClient,
) -> None:
    world, client = world_client.world, world_client.client
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    note = b"field note: crater 3 m wide, fins of a 120 mm mortar"
    uploaded = client.post(
        f"/api/cases/{case_id}/evidence",
        files={"file": ("crater note.txt", note, "text/plain")},
        headers=world_client.as_("monitor-one"),
    ).json()
    secret = client.post(
        f"/api/cases/{case_id}/evidence",
        files={"file": ("<b>names</b>.html", b"<script>alert(1)</script>", "text/html")},
        data={"is_confidential": "true"},
        headers=world_client.as_("liaison-af"),
    ).json()
    url = f"/api/evidence/{uploaded['id']}/file"

    got = client.get(
        url, headers=world_client.as_("liaison-pk")
    )  # the accused party reads the case's evidence
    assert got.status_code == 200 and got.content == note
    assert got.headers["x-evidence-sha256"] == uploaded["sha256"] == hashlib.sha256(note).hexdigest()
    assert got.headers["content-disposition"].startswith('attachment; filename="crater note.txt"')
    assert got.headers["content-type"].startswith("text/plain")
    own = client.get(f"/api/evidence/{secret['id']}/file", headers=world_client.as_("liaison-af"))
    assert (
        own.status_code == 200 and own.headers["content-type"] == "application/octet-stream"
    )  # never as HTML
    assert (
        client.get(f"/api/evidence/{secret['id']}/file", headers=world_client.as_("liaison-pk")).status_code
        == 404
    )
    assert client.get(url).status_code == 403
    with world.runtime.sessions() as session:
        custody = [c.action for c in list_custody(session, uploaded["id"])]
    assert custody == ["received", "read"]
    case_page = client.get(f"/cases/{case_id}", headers=world_client.as_("liaison-pk")).text
    assert f'href="/api/evidence/{uploaded["id"]}/file"' in case_page and uploaded["sha256"] in case_page

    original = world.store.original_path(uploaded["sha256"])
    original.chmod(0o644)
    original.write_bytes(note.replace(b"120", b"82"))  # someone changes the stored original
    refused = client.get(url, headers=world_client.as_("liaison-pk"))
    assert refused.status_code == 400 and b"mortar" not in refused.content
    assert "has changed" in refused.json()["detail"]
    with world.runtime.sessions() as session:
        assert [c.action for c in list_custody(session, uploaded["id"])] == ["received", "read"]
