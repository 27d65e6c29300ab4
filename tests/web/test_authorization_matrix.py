"""Every role × every API route and page, generated from the routes' own policy checks and the policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import NOW, add_one_of_each, one_of_each_record
from tests.web.conftest import AsUser
from truceline.cases.models import Evidence
from truceline.ledger.service import add_record
from truceline.runtime import Runtime
from truceline.users.rules import Action, Role, Scope, scopes_for
from truceline.web.app import create_app
from truceline.workflows.verification import evidence_store

# Routes any visitor may use without a policy action: signing in and out, the API docs (like /openapi.json).
UNCHECKED = {"/login", "/logout", "/docs"}
SAMPLE_PATH_VALUES = {
    "document_id": "doc-1",
    "claim_id": "doc-1-c1",
    "incident_id": "inc-1",
    "layer": "boundary",
    "complaint_id": "cmp-1",
    "case_id": "case-1",
    "finding_id": "fnd-1",
    "rule_id": "alr-1",
    "list_name": "incidents",
    "fmt": "csv",
    "username": "mediator1",
    "token_id": "tok-1",
    "notice_id": "ntc-1",
    "evidence_id": "ev-file",
}
SAMPLE_QUERIES = {"/api/ledger/proof/inclusion": "?seq=0", "/api/ledger/proof/consistency": "?old=1"}
USER_OF_ROLE = {
    Role.MEDIATOR: "mediator-qatar",
    Role.MONITOR: "monitor",
    Role.ANALYST: "analyst",
    Role.PARTY: "liaison-pk",
    Role.PUBLIC: None,
}
# Record data that must never appear in a refusal.
SECRETS = ("Torkham", "Forces exchanged fire", "Open War")


def _api_routes(runtime: Runtime) -> list[tuple[str, APIRoute]]:
    """(full path, route) of every route of the app, through the routers it includes."""
    found: list[tuple[str, APIRoute]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append((prefix + route.path, route))
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + route.include_context.prefix)

    walk(create_app(runtime).routes, "")
    return found


def _policy_routes(runtime: Runtime) -> list[tuple[str, str, Action]]:
    """(method, path, action) for every route; fails when a route declares no policy check."""
    found: list[tuple[str, str, Action]] = []
    for path, route in _api_routes(runtime):
        if path in UNCHECKED:
            continue
        names = [d.call.__name__ for d in route.dependant.dependencies if d.call is not None]
        actions = [Action(n.removeprefix("allow_")) for n in names if n.startswith("allow_")]
        assert actions, f"{path} declares no policy check"
        for method in sorted(route.methods - {"HEAD"}):
            found.append((method, path, actions[0]))
    return found


def add_file_evidence(session: Session, runtime: Runtime) -> None:
    """A stored file on the builders' case (its evidence ev-1 is a URL: nothing to download)."""
    data = b"field note: crater 3 m wide"
    stored = evidence_store(runtime.settings).put_original(data)
    url_item = next(r for r in one_of_each_record() if isinstance(r, Evidence))
    columns = {a.key: getattr(url_item, a.key) for a in Evidence.__mapper__.column_attrs}
    columns.update(id="ev-file", kind="file", sha256=stored.sha256, url="", size_bytes=len(data))
    add_record(session, Evidence(**columns), author="test", now=NOW)


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_PATH_VALUES[m.group(1)], path) + SAMPLE_QUERIES.get(path, "")


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_route_allows_exactly_what_the_policy_allows(
    client: TestClient, runtime: Runtime, as_user: AsUser, role: Role
) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        add_file_evidence(session, runtime)
    username = USER_OF_ROLE[role]
    headers = as_user(username) if username else {}
    routes = _policy_routes(runtime)
    assert len(routes) >= 15
    for method, path, action in routes:
        response = client.request(method, _url(path), headers=headers, json={}, follow_redirects=False)
        scopes = scopes_for(role, action)
        if Scope.ANY in scopes:
            assert response.status_code not in (401, 403), (role, method, path, response.text[:200])
            if method == "GET":
                assert response.status_code == 200, (role, path, response.status_code, response.text[:200])
        elif scopes:
            # A grant scoped to some records: the route admits the role, the record decides.
            assert response.status_code != 401, (role, method, path)
            if response.status_code in (403, 404):
                assert not any(secret in response.text for secret in SECRETS), (role, path)
        else:
            assert response.status_code in (403, 303), (role, method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            assert not any(secret in response.text for secret in SECRETS), (role, path)


def test_the_matrix_covers_every_route_of_the_app(runtime: Runtime) -> None:
    paths = {path for path, _ in _api_routes(runtime)}
    covered = {p for _, p, _ in _policy_routes(runtime)} | UNCHECKED
    assert len(paths) >= 15 and paths <= covered
