"""The API-token routes: a mediator issues (shown once), lists and revokes tokens; nobody else may."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders import NOW
from truceline.ledger.service import tree_size
from truceline.runtime import Runtime
from truceline.users.service import INVALID_TOKEN, create_user, hash_token, issue_token
from truceline.users.token_models import ApiToken, ApiTokenRevocation
from truceline.web.app import create_app

USERS = (
    ("mediator-qatar", "mediator", None),
    ("monitor-one", "monitor", None),
    ("analyst-one", "analyst", None),
    ("liaison-pk", "party", "PK"),
)


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with runtime.transaction() as session:
        for username, role, party in USERS:
            create_user(
                session,
                username=username,
                password="a long enough test password",
                role=role,
                party=party,
                known_parties=["PK", "AF"],
                author="test",
                now=NOW,
            )
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _as(
    runtime: Runtime, username: str, *, issued_at: datetime | None = None, days: int = 1
) -> dict[str, str]:
    with runtime.transaction() as session:
        now = issued_at or datetime.now(UTC)
        token = issue_token(session, username=username, author="test", now=now, ttl=timedelta(days=days))
    return _bearer(token)


def test_a_token_a_mediator_issues_works_until_the_mediator_revokes_it(
    client: TestClient, runtime: Runtime
) -> None:
    mediator = _as(runtime, "mediator-qatar")
    issued = client.post("/api/users/liaison-pk/tokens", json={"expires_days": 7}, headers=mediator)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    token, token_id = body["token"], body["id"]
    assert token.startswith("tl_") and body["username"] == "liaison-pk"
    assert client.get("/api/documents", headers=_bearer(token)).status_code == 200
    assert client.get("/api/documents").status_code == 403  # the route does need someone signed in

    listed = client.get("/api/users/liaison-pk/tokens", headers=mediator)
    assert listed.status_code == 200
    assert [(t["id"], t["is_revoked"], t["created_by"]) for t in listed.json()] == [
        (token_id, False, "mediator-qatar")
    ]
    assert token not in listed.text and hash_token(token) not in listed.text

    revoked = client.post(f"/api/tokens/{token_id}/revoke", headers=mediator)
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["token_id"] == token_id and revoked.json()["created_by"] == "mediator-qatar"
    refused = client.get("/api/documents", headers=_bearer(token))
    assert refused.status_code == 403 and refused.json()["detail"] == INVALID_TOKEN
    assert [t["is_revoked"] for t in client.get("/api/users/liaison-pk/tokens", headers=mediator).json()] == [
        True
    ]
    with runtime.sessions() as session:
        assert session.scalars(select(ApiTokenRevocation.token_id)).all() == [token_id]

    assert client.post(f"/api/tokens/{token_id}/revoke", headers=mediator).status_code == 409
    assert client.post("/api/tokens/tok-nope/revoke", headers=mediator).status_code == 404


def test_an_expired_token_is_refused(client: TestClient, runtime: Runtime) -> None:
    expired = _as(runtime, "liaison-pk", issued_at=datetime.now(UTC) - timedelta(days=2), days=1)
    refused = client.get("/api/documents", headers=expired)
    assert refused.status_code == 403 and refused.json()["detail"] == INVALID_TOKEN
    assert client.get("/api/documents", headers=_as(runtime, "liaison-pk")).status_code == 200


@pytest.mark.parametrize("username", ["monitor-one", "analyst-one", "liaison-pk", None])
def test_only_a_mediator_may_issue_list_or_revoke_tokens(
    client: TestClient, runtime: Runtime, username: str | None
) -> None:
    victim = _as(runtime, "liaison-pk")
    caller = _as(runtime, username) if username else {}
    with runtime.sessions() as session:
        victim_hash = hash_token(victim["Authorization"].removeprefix("Bearer "))
        victim_id = session.scalars(select(ApiToken.id).where(ApiToken.token_hash == victim_hash)).one()
        size = tree_size(session)
    for target in {"liaison-pk", username or "liaison-pk"}:  # another user's token, or one's own
        assert client.post(f"/api/users/{target}/tokens", json={}, headers=caller).status_code == 403
        assert client.get(f"/api/users/{target}/tokens", headers=caller).status_code == 403
    assert client.post(f"/api/tokens/{victim_id}/revoke", headers=caller).status_code == 403
    with runtime.sessions() as session:
        assert tree_size(session) == size
    assert client.get("/api/documents", headers=victim).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/users/liaison-pk/tokens", {"expires_days": 0}, 422),
        ("/api/users/liaison-pk/tokens", {"expires_days": 3651}, 422),
        ("/api/users/liaison-pk/tokens", {"expires_days": "soon"}, 422),
        ("/api/users/nobody-here/tokens", {}, 404),
    ],
    ids=["zero days", "too long", "not a number", "unknown user"],
)
def test_bad_requests_write_nothing(
    client: TestClient, runtime: Runtime, path: str, body: dict[str, object], status: int
) -> None:
    mediator = _as(runtime, "mediator-qatar")
    with runtime.sessions() as session:
        size = tree_size(session)
    response = client.post(path, json=body, headers=mediator)
    assert response.status_code == status, response.text
    with runtime.sessions() as session:
        assert tree_size(session) == size
