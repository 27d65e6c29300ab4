"""The alerts API and page: mediators manage rules and run them; anyone else is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tests.alerts.servers import webhook_receiver
from tests.alerts.world import add_incident, ledger_size
from tests.cases.world import PASSWORD, a_world
from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.web.app import create_app

RULE = {
    "name": "Mass casualties",
    "kind": "fatalities_at_least",
    "threshold": 10,
    "channel": "webhook",
    "target": "https://example.org/hook",
}


@pytest.fixture
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    a_world(runtime)
    with TestClient(create_app(runtime)) as client:
        yield client


def _as(runtime: Runtime, username: str) -> dict[str, str]:
    with runtime.transaction() as session:
        token = issue_token(session, username=username, author="test", now=datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


def test_a_mediator_adds_runs_and_disables_a_rule_through_the_api(
    app_client: TestClient, runtime: Runtime
) -> None:
    mediator = _as(runtime, "mediator-qatar")
    with webhook_receiver() as receiver:
        created = app_client.post(
            "/api/alerts/rules", json={**RULE, "target": receiver.url("/h")}, headers=mediator
        )
        assert created.status_code == 201, created.text
        rule = created.json()
        assert (rule["kind"], rule["threshold"], rule["is_active"]) == ("fatalities_at_least", 10, True)
        assert rule["created_by"] == "mediator-qatar"
        with runtime.transaction() as session:
            add_incident(session, "inc-web", killed=12, now=datetime.now(UTC))
        ran = app_client.post("/api/alerts/run", headers=mediator)
    assert ran.status_code == 200, ran.text
    assert ran.json()["failed"] == 0
    assert [(d["event_key"], d["outcome"]) for d in ran.json()["deliveries"]] == [
        ("incident:inc-web", "delivered")
    ]
    assert receiver.received[0].json["rule"]["id"] == rule["id"]

    listed = app_client.get(f"/api/alerts/deliveries?rule_id={rule['id']}", headers=mediator).json()
    assert [(d["rule_id"], d["outcome"], d["detail"]) for d in listed] == [
        (rule["id"], "delivered", "HTTP 204 No Content")
    ]

    disabled = app_client.post(f"/api/alerts/rules/{rule['id']}/disable", headers=mediator)
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert disabled.json()["version_id"] == f"{rule['id']}.v2"
    again = app_client.post(f"/api/alerts/rules/{rule['id']}/disable", headers=mediator)
    assert again.status_code == 409
    rules = app_client.get("/api/alerts/rules", headers=mediator).json()
    assert [(r["id"], r["is_active"]) for r in rules] == [(rule["id"], False)]


def test_a_bad_rule_is_a_422_with_one_line_and_writes_nothing(
    app_client: TestClient, runtime: Runtime
) -> None:
    mediator = _as(runtime, "mediator-qatar")
    with runtime.sessions() as session:
        before = ledger_size(session)
    for body, message in (
        ({**RULE, "target": "ftp://example.org/x"}, "target: expected an http(s) URL"),
        ({**RULE, "threshold": None}, "threshold: fatalities_at_least needs a threshold"),
        ({**RULE, "channel": "email"}, "target: expected an e-mail address"),
        ({**RULE, "kind": "anything"}, "kind: expected one of"),
    ):
        response = app_client.post("/api/alerts/rules", json=body, headers=mediator)
        assert response.status_code == 422, response.text
        assert message in response.json()["detail"] and "\n" not in response.json()["detail"]
    assert app_client.post("/api/alerts/rules/alr-nope/disable", headers=mediator).status_code == 404
    with runtime.sessions() as session:
        assert ledger_size(session) == before


def test_others_may_not_see_or_touch_alerts(app_client: TestClient, runtime: Runtime) -> None:
    for username in ("liaison-pk", "monitor-one"):
        _refused_everything(app_client, runtime, username)
    with runtime.sessions() as session:
        assert session.query(AlertRule).count() == session.query(AlertDelivery).count() == 0


def _refused_everything(app_client: TestClient, runtime: Runtime, username: str) -> None:
    headers = _as(runtime, username)
    for method, path in (
        ("GET", "/api/alerts/rules"),
        ("POST", "/api/alerts/rules"),
        ("GET", "/api/alerts/deliveries"),
        ("POST", "/api/alerts/run"),
        ("POST", "/api/alerts/rules/alr-1/disable"),
    ):
        response = app_client.request(method, path, headers=headers, json=RULE if method == "POST" else None)
        assert response.status_code == 403, (method, path, response.status_code)
    signed_in, csrf = _signed_in(runtime, username)
    assert signed_in.get("/alerts").status_code == 403
    refused = signed_in.post("/alerts/run", data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 403


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


def test_the_page_lists_rules_adds_one_and_disables_it(runtime: Runtime) -> None:
    a_world(runtime)
    client, csrf = _signed_in(runtime, "mediator-qatar")
    page = client.get("/alerts")
    assert page.status_code == 200
    for label in ('for="a-name"', 'for="a-kind"', 'for="a-threshold"', 'for="a-channel"', 'for="a-target"'):
        assert label in page.text
    assert "No rules yet." in page.text and "Nothing delivered yet." in page.text

    form = {
        "name": "<b>Desk</b>",
        "kind": "reply_deadline_passed",
        "channel": "email",
        "target": "desk@example.org",
    }
    refused = client.post("/alerts/rules", data=form, follow_redirects=False)  # no CSRF token
    assert refused.status_code == 403
    added = client.post("/alerts/rules", data={**form, "csrf_token": csrf}, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, "/alerts")
    page = client.get("/alerts").text
    assert "&lt;b&gt;Desk&lt;/b&gt;" in page and "<b>Desk</b>" not in page
    rule_id = page.split('action="/alerts/rules/')[1].split("/disable")[0]

    bad = client.post("/alerts/rules", data={**form, "threshold": "ten", "csrf_token": csrf})
    assert bad.status_code == 422 and "threshold: expected a whole number" in bad.text

    disabled = client.post(
        f"/alerts/rules/{rule_id}/disable", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert disabled.status_code == 303
    page = client.get("/alerts").text
    assert "disabled" in page and f'action="/alerts/rules/{rule_id}/disable"' not in page
    ran = client.post("/alerts/run", data={"csrf_token": csrf}, follow_redirects=False)
    assert (ran.status_code, ran.headers["location"]) == (303, "/alerts#deliveries")
