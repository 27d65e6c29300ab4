"""Every user-supplied text is escaped on every page: script payloads go into every field the app accepts,
then every HTML page of the app is fetched as a mediator, each party, a monitor and the public.

The pages are found by walking the app's own routes (as the authorization matrix does), so a page added
later is checked without editing this file; a new path parameter needs a sample value in
`tests/web/test_authorization_matrix.SAMPLE_PATH_VALUES` or here.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from tests.builders import NOW, one_of_each_record
from tests.cases.world import INCIDENT, World, a_world
from tests.web.test_authorization_matrix import SAMPLE_PATH_VALUES, _api_routes
from truceline.cases.models import Evidence
from truceline.claims.models import Claim
from truceline.errors import InvalidInput
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record, create_checkpoint
from truceline.pipeline.document import SourceDocument
from truceline.runtime import Runtime
from truceline.users.models import User
from truceline.users.service import create_user, issue_token
from truceline.views import cases as case_views
from truceline.web.app import create_app
from truceline.web.deps import now_utc
from truceline.workflows.ingest import ingest_documents

VIEWERS = ("mediator-qatar", "liaison-pk", "liaison-af", "monitor-one", None)
# What only an unescaped payload puts in a page.
DANGEROUS = ("<script>alert(", "<img src=x", "<img/src=x", "onerror=alert(1)>")


def payload(field_name: str) -> str:
    """A script payload naming its field, so a failure says which field leaked."""
    return f'<script>alert("{field_name}")</script>"\'><img src=x onerror=alert(1)>'


def url_payload(field_name: str) -> str:
    """The payload in a URL an http(s) check accepts (no spaces)."""
    return f'https://example.org/<script>alert("{field_name}")</script>"\'><img/src=x/onerror=alert(1)>'


FILENAME = "<img src=x onerror=alert(1)>\"'.txt"  # no '/': an upload's name keeps only its last component


@dataclass
class Planted:
    """The payloads stored, and the pages (viewer, path) whose HTML must show each one escaped."""

    ids: dict[str, list[str]] = field(default_factory=dict)  # path parameter -> the planted records' ids
    shown_on: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)

    def expect(self, text: str, *pages: tuple[str | None, str]) -> None:
        self.shown_on.setdefault(text, []).extend(pages)


def _client(runtime: Runtime, username: str | None) -> TestClient:
    """A client signed in with an API token, holding the CSRF cookie the page forms echo."""
    client = TestClient(create_app(runtime))
    client.get("/login")
    if username is not None:
        with runtime.transaction() as session:
            token = issue_token(session, username=username, author="test", now=now_utc())
        client.headers["Authorization"] = f"Bearer {token}"
    return client


def _post(client: TestClient, url: str, *, data: dict[str, str] | None = None, **kwargs: Any) -> str:
    """Submit a page form (or, with `json=`, an API call) and return where it redirects."""
    if "json" not in kwargs:
        data = {**(data or {}), "csrf_token": client.cookies["truceline_csrf"]}
    response = client.post(url, data=data, follow_redirects=False, **kwargs)
    assert response.status_code in (201, 303), (
        url,
        response.status_code,
        re.findall(r"role=.alert.>([^<]*)", response.text) or response.text[:300],
    )
    return response.headers.get("location", "")


@dataclass
class Desk:
    """The world, a signed-in client per user, and what has been planted so far."""

    world: World
    planted: Planted = field(default_factory=Planted)
    clients: dict[str, TestClient] = field(default_factory=dict)

    def __getitem__(self, username: str) -> TestClient:
        if username not in self.clients:
            self.clients[username] = _client(self.world.runtime, username)
        return self.clients[username]


def _plant(world: World) -> Planted:
    """Every user-supplied field filled with a payload, through the routes a user would use."""
    desk = Desk(world)
    _plant_report(desk)
    _plant_reviews(desk)
    complaint_ids = _plant_complaints(desk)
    case_id = _plant_case(desk, complaint_ids)
    _plant_finding(desk, case_id)
    _plant_notice(desk)
    with world.runtime.transaction() as session:
        create_checkpoint(session, signer=world.runtime.signer, origin=world.runtime.origin)
    return desk.planted


def _plant_report(desk: Desk) -> None:
    """A report from the open web: title, outlet, URL and text are the outlet's, hence hostile."""
    runtime, planted = desk.world.runtime, desk.planted
    doc = SourceDocument(
        id="xss-doc",
        published=date(2025, 10, 25),
        title=payload("doc title"),
        outlet=payload("doc outlet"),
        url=url_payload("doc-url"),
        text=f"Pakistani forces shelled Torkham on Saturday, killing two civilians. {payload('doc text')}",
    )
    with runtime.transaction() as session:
        ingested = ingest_documents(session, [doc], author="test", now=NOW)
        # A claim on it whose claimant, place and evidence span are payloads; an incident named after it.
        base = next(r for r in one_of_each_record() if isinstance(r, Claim))
        columns = {a.key: getattr(base, a.key) for a in Claim.__mapper__.column_attrs}
        columns.update(
            id="xss-doc-c99",
            document_id="xss-doc",
            alleged=True,
            claimant=payload("claimant"),
            location={"name": payload("claim place"), "lat": 34.1, "lon": 71.1},
            evidence={"text": payload("claim span"), "start": 0, "end": 10},
        )
        add_record(session, Claim(**columns), author="test", now=NOW)
        incident = next(r for r in one_of_each_record() if isinstance(r, Incident))
        columns = {a.key: getattr(incident, a.key) for a in Incident.__mapper__.column_attrs}
        columns.update(id="inc-xss", title=payload("incident title"), claim_ids=["xss-doc-c99"])
        columns.update(location={"name": payload("incident place"), "lat": 34.1, "lon": 71.1})
        add_record(session, Incident(**columns), author="test", now=NOW)
    assert ingested.added == ["xss-doc"]
    planted.ids.update(document_id=["xss-doc"], incident_id=["inc-xss"])
    for viewer in ("mediator-qatar", "liaison-pk"):
        planted.expect(payload("doc title"), (viewer, "/documents"), (viewer, "/documents/xss-doc"))
        for name in ("doc outlet", "doc text"):
            planted.expect(payload(name), (viewer, "/documents/xss-doc"))
        planted.expect(url_payload("doc-url"), (viewer, "/documents/xss-doc"))
    planted.expect(payload("claim place"), ("mediator-qatar", "/documents/xss-doc"))


def _plant_reviews(desk: Desk) -> None:
    """The analyst's review note and correction fields: the form's (refused) and the API's (stored)."""
    analyst, planted = desk["analyst-one"], desk.planted
    _post(analyst, "/review/doc-1-c1", data={"decision": "accepted", "note": payload("review note")})
    for name in ("event_date", "fatalities_best"):
        form = {"decision": "corrected", name: payload(name), "csrf_token": analyst.cookies["truceline_csrf"]}
        refused = analyst.post("/review/xss-doc-c99", data=form, follow_redirects=False)
        assert refused.status_code == 422 and payload(name) not in refused.text
    corrected = analyst.post(
        "/api/claims/xss-doc-c99/review",
        json={
            "decision": "corrected",
            "note": payload("correction note"),
            "changes": {"actor1": payload("actor1"), "location": {"name": payload("corrected place")}},
        },
    )
    assert corrected.status_code == 201, corrected.text
    planted.ids["claim_id"] = [corrected.json()["correction_id"]]
    for page in ("/review", "/documents/xss-doc"):
        planted.expect(payload("actor1"), ("mediator-qatar", page))
        planted.expect(payload("corrected place"), ("mediator-qatar", page))


def _plant_complaints(desk: Desk) -> list[str]:
    """A complaint by form and its reply; one by the API citing the hostile report's claim."""
    af, planted = desk["liaison-af"], desk.planted
    form = {
        "accused_party": "PK",
        "clause_ids": "C1",
        "summary": payload("complaint summary"),
        "incident_id": INCIDENT,
    }
    complaint_id = _post(af, "/complaints", data=form).rsplit("/", 1)[1]
    cited = af.post(
        "/api/complaints",
        json={
            "accused_party": "PK",
            "clause_ids": ["C2"],
            "summary": payload("api complaint summary"),
            "claim_ids": ["xss-doc-c99"],
            "incident_id": "inc-xss",
        },
    )
    assert cited.status_code == 201, cited.text
    cited_id = cited.json()["complaint"]["id"]
    _post(desk["liaison-pk"], f"/complaints/{complaint_id}/responses", data={"text": payload("reply")})
    planted.ids["complaint_id"] = [complaint_id, cited_id]
    for viewer in ("mediator-qatar", "liaison-pk", "liaison-af"):
        planted.expect(
            payload("complaint summary"), (viewer, "/complaints"), (viewer, f"/complaints/{complaint_id}")
        )
        planted.expect(payload("reply"), (viewer, f"/complaints/{complaint_id}"))
        planted.expect(payload("doc title"), (viewer, f"/complaints/{cited_id}"))
    planted.expect(payload("claim span"), ("mediator-qatar", f"/complaints/{cited_id}"))
    planted.expect(payload("claimant"), ("mediator-qatar", f"/complaints/{cited_id}"))
    return [complaint_id, cited_id]


def _plant_case(desk: Desk, complaint_ids: list[str]) -> str:
    """A case with a hostile title and notes, and evidence with a hostile file name, URL and descriptions."""
    planted = desk.planted
    opened = desk["mediator-qatar"].post(
        "/api/cases",
        json={
            "title": payload("case title"),
            "notes": payload("case notes"),
            "complaint_ids": complaint_ids,
            "monitors": ["monitor-one"],
        },
    )
    assert opened.status_code == 201, opened.text
    case_id = str(opened.json()["id"])
    planted.ids["case_id"] = [case_id]
    _post(desk["mediator-qatar"], f"/cases/{case_id}/status", data={"status": "investigating"})
    _post(
        desk["liaison-af"],
        f"/cases/{case_id}/evidence",
        data={"description": payload("file evidence description")},
        files={"file": (FILENAME, b"crater 3 m wide", "text/plain")},
    )
    _post(
        desk["liaison-pk"],
        f"/cases/{case_id}/evidence",
        data={"url": url_payload("evidence-url"), "description": payload("url evidence description")},
    )
    with desk.world.runtime.sessions() as session:
        filename = session.scalars(select(Evidence.filename).where(Evidence.kind == "file")).one()
    assert "<img" in filename  # the name is kept as metadata, markup and all
    shown = [payload("case title"), payload("complaint summary"), payload("reply"), filename]
    shown += [
        payload("file evidence description"),
        payload("url evidence description"),
        url_payload("evidence-url"),
    ]
    for viewer in ("mediator-qatar", "liaison-pk", "liaison-af", "monitor-one"):
        planted.expect(payload("case title"), (viewer, "/cases"))
        for text in shown:
            planted.expect(text, (viewer, f"/cases/{case_id}"))
    planted.expect(payload("case notes"), ("mediator-qatar", f"/cases/{case_id}"))
    return case_id


def _plant_finding(desk: Desk, case_id: str) -> None:
    """A finding with a hostile rationale, signed, adopted and published so that everyone reads it."""
    form = {
        "verdict": "violation_confirmed",
        "confidence": "likely",
        "rationale": payload("finding rationale"),
        "responsible_party": "PK",
        "responsibility": "forces",
        "clause_ids": "C1",
    }
    _post(desk["monitor-one"], f"/cases/{case_id}/findings", data=form)
    found = re.search(
        r'action="/findings/([^"/]+)/signatures"', desk["mediator-qatar"].get(f"/cases/{case_id}").text
    )
    assert found is not None
    finding_id = found.group(1)
    desk.planted.ids["finding_id"] = [finding_id]
    with desk.world.runtime.sessions() as session:
        message = case_views.finding_signing_message(session, finding_id)
    for name in ("mediator-qatar", "mediator-turkiye"):
        signature = base64.b64encode(desk.world.signers[name].sign(message)).decode()
        _post(desk[name], f"/findings/{finding_id}/signatures", data={"signature": signature})
    _post(desk["mediator-qatar"], f"/findings/{finding_id}/adopt")
    _post(desk["mediator-qatar"], f"/findings/{finding_id}/publish")
    for viewer in VIEWERS:
        desk.planted.expect(payload("finding rationale"), (viewer, f"/findings/{finding_id}"))


def _plant_notice(desk: Desk) -> None:
    form = {
        "kind": "troop_rotation",
        "lat": "34.11",
        "lon": "71.08",
        "radius_km": "5",
        "starts_at": "2025-10-25T00:00",
        "ends_at": "2025-10-26T00:00",
        "description": payload("notification"),
    }
    _post(desk["liaison-pk"], "/notifications", data=form)
    for viewer in ("mediator-qatar", "liaison-pk"):
        desk.planted.expect(payload("notification"), (viewer, "/notifications"))


def _fill(path: str, ids: dict[str, list[str]]) -> list[str]:
    """The path once for each planted id of each of its parameters (a sample value for the others)."""
    values = {name: [value] for name, value in SAMPLE_PATH_VALUES.items()} | ids
    params = re.findall(r"\{(\w+)\}", path)
    missing = [p for p in params if p not in values]
    assert not missing, f"{path}: give {missing} a sample value in SAMPLE_PATH_VALUES"
    combos = itertools.product(*(values[p] for p in params))
    return [path.format_map(dict(zip(params, combo, strict=True))) for combo in combos]


def _pages(runtime: Runtime) -> list[tuple[str, APIRoute]]:
    """Every HTML page route of the app: GET, outside /api and /static, found through included routers."""
    return [
        (path, route)
        for path, route in _api_routes(runtime)
        if "GET" in route.methods and not path.startswith(("/api/", "/static"))
    ]


def _page_urls(runtime: Runtime, ids: dict[str, list[str]]) -> list[str]:
    return [url for path, _ in _pages(runtime) for url in _fill(path, ids)]


def _query_probes(runtime: Runtime, ids: dict[str, list[str]]) -> Iterator[str]:
    """Each page that takes query parameters, with every one of them set to a payload (reflected text)."""
    for path, route in _pages(runtime):
        names = [p.alias for p in route.dependant.query_params]
        if names:
            query = "&".join(f"{n}={payload('query-' + n)}" for n in names)
            yield from (url + "?" + query for url in _fill(path, ids))


def _assert_escaped(html: str, where: str) -> None:
    for dangerous in DANGEROUS:
        assert dangerous not in html, (
            f"{where}: unescaped {dangerous!r} near {html[max(0, html.find(dangerous) - 80) :][:200]!r}"
        )


def test_usernames_cannot_carry_markup(runtime: Runtime) -> None:
    with runtime.transaction() as session, pytest.raises(InvalidInput, match="username"):
        create_user(
            session,
            username=payload("username"),
            password="a long enough password",
            role="analyst",
            author="t",
            now=NOW,
        )
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_no_page_shows_a_payload_unescaped_nor_a_bare_none(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        create_user(
            session,
            username="analyst-one",
            password="a long enough password",
            role="analyst",
            author="t",
            now=NOW,
        )
    planted = _plant(world)
    urls = _page_urls(runtime, planted.ids)
    assert {"/complaints", "/cases", "/findings", f"/findings/{planted.ids['finding_id'][0]}"} <= set(urls)
    seen: dict[tuple[str | None, str], str] = {}
    for viewer in VIEWERS:
        client = _client(runtime, viewer)
        for url in urls:
            response = client.get(url, follow_redirects=False)
            assert response.status_code < 500, (viewer, url, response.status_code)
            if response.headers.get("content-type", "").startswith("text/html"):
                _assert_escaped(response.text, f"{viewer} {url}")
                seen[(viewer, url)] = response.text
    mediator = _client(runtime, "mediator-qatar")
    for url in _query_probes(runtime, planted.ids):
        response = mediator.get(url, follow_redirects=False)
        if response.headers.get("content-type", "").startswith("text/html"):
            _assert_escaped(response.text, f"query probe {url}")
    login = TestClient(create_app(runtime))
    login.get("/login")
    refused = login.post(
        "/login",
        data={
            "username": payload("login"),
            "password": "x" * 12,
            "csrf_token": login.cookies["truceline_csrf"],
        },
    )
    assert refused.status_code == 401
    _assert_escaped(refused.text, "login")

    for text, pages in planted.shown_on.items():
        escaped = str(escape(text))
        for page in pages:
            assert page in seen, f"{page} was not fetched as HTML"
            assert escaped in seen[page], f"{page}: expected the escaped {text!r}"
    # A value the record does not hold is said in words ("unknown", "no finding", a dash), never as None.
    for (viewer, url), html in seen.items():
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b[\s\S]*?</\1>", " ", html))
        found = re.search(r".{0,60}\bNone\b.{0,60}", visible)
        assert found is None, f"{viewer} {url}: a bare None in {found.group(0)!r}"
    # What a viewer may not read never shows, escaped or not.
    assert (
        str(escape(payload("case notes"))) not in seen[("liaison-pk", f"/cases/{planted.ids['case_id'][0]}")]
    )
