"""The verification steps through the HTML forms, as each role signs in and clicks."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient

from tests.cases.world import INCIDENT, PASSWORD, a_world
from truceline.cases.findings import get_finding, signing_message
from truceline.runtime import Runtime
from truceline.web.app import create_app


def _signed_in(runtime: Runtime, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(runtime))
    client.get("/login")
    token = client.cookies["truceline_csrf"]
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client, token


def _post(client: TestClient, url: str, token: str, **form: str) -> str:
    response = client.post(url, data={**form, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, (url, response.status_code, response.text[:300])
    return response.headers["location"]


def test_a_case_runs_through_the_pages(runtime: Runtime) -> None:
    world = a_world(runtime)
    af, af_token = _signed_in(runtime, "liaison-af")
    where = _post(
        af,
        "/complaints",
        af_token,
        accused_party="PK",
        clause_ids="C1",
        summary="<i>Shelling</i>",
        incident_id=INCIDENT,
    )
    complaint_id = where.rsplit("/", 1)[1]
    assert "&lt;i&gt;Shelling&lt;/i&gt;" in af.get(where).text

    pk, pk_token = _signed_in(runtime, "liaison-pk")
    _post(pk, f"/complaints/{complaint_id}/responses", pk_token, text="We returned fire.")
    assert "We returned fire." in af.get(where).text

    qa, qa_token = _signed_in(runtime, "mediator-qatar")
    case_url = _post(
        qa, "/cases", qa_token, title="Torkham", complaint_ids=complaint_id, monitors="monitor-one"
    )
    case_url = _post(qa, f"{case_url}/status", qa_token, status="investigating")
    case_id = case_url.rsplit("/", 1)[1]

    mon, mon_token = _signed_in(runtime, "monitor-one")
    response = mon.post(
        f"/cases/{case_id}/evidence",
        data={"description": "note", "csrf_token": mon_token},
        files={"file": ("note.txt", b"crater 3 m wide", "text/plain")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    _post(
        mon,
        f"/cases/{case_id}/findings",
        mon_token,
        verdict="violation_confirmed",
        confidence="likely",
        rationale="Crater.",
        responsible_party="PK",
        responsibility="forces",
        clause_ids="C1",
    )
    page = qa.get(f"/cases/{case_id}").text
    assert re.search(r"<title>Torkham · [^<]*</title>", page)  # the page title holds the case title only
    finding_id = re.search(r'action="/findings/([^"/]+)/signatures"', page)
    assert finding_id is not None
    with runtime.sessions() as session:
        message = signing_message(get_finding(session, finding_id.group(1)))
    tr, tr_token = _signed_in(runtime, "mediator-turkiye")
    for client, token, name in ((qa, qa_token, "mediator-qatar"), (tr, tr_token, "mediator-turkiye")):
        signature = base64.b64encode(world.signers[name].sign(message)).decode()
        _post(client, f"/findings/{finding_id.group(1)}/signatures", token, signature=signature)
    _post(qa, f"/findings/{finding_id.group(1)}/adopt", qa_token)
    adopted = re.search(r'action="/findings/([^"/]+)/publish"', qa.get(f"/cases/{case_id}").text)
    assert adopted is not None
    _post(qa, f"/findings/{adopted.group(1)}/publish", qa_token)
    assert "Crater." in TestClient(create_app(runtime)).get("/findings").text


def test_a_party_gives_notice_and_sees_only_its_own(runtime: Runtime) -> None:
    a_world(runtime)
    pk, pk_token = _signed_in(runtime, "liaison-pk")
    _post(
        pk,
        "/notifications",
        pk_token,
        kind="troop_rotation",
        lat="34.11",
        lon="71.08",
        radius_km="5",
        starts_at="2025-10-25T00:00",
        ends_at="2025-10-26T00:00",
        description="rotation at Torkham",
    )
    assert "rotation at Torkham" in pk.get("/notifications").text
    af, _ = _signed_in(runtime, "liaison-af")
    assert "rotation at Torkham" not in af.get("/notifications").text
    qa, _ = _signed_in(runtime, "mediator-qatar")
    page = qa.get("/notifications").text
    assert "rotation at Torkham" in page and "doc-1-c1" in page  # the Torkham claim of 2025-10-25 is flagged
