"""Signing in and out: the session cookie is an API token; signing out revokes it with a revocation record."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders import NOW
from truceline.runtime import Runtime
from truceline.users.service import INVALID_TOKEN, create_user
from truceline.users.token_models import ApiToken, ApiTokenRevocation
from truceline.web.app import create_app
from truceline.web.deps import CSRF_COOKIE, SESSION_COOKIE

PASSWORD = "a long enough test password"


def test_signing_out_revokes_the_session_token_without_editing_it(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        create_user(
            session, username="analyst-one", password=PASSWORD, role="analyst", author="test", now=NOW
        )
    client = TestClient(create_app(runtime), base_url="https://testserver")
    client.get("/login")
    csrf = client.cookies[CSRF_COOKIE]
    signed_in = client.post(
        "/login",
        data={"username": "analyst-one", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    session_token = client.cookies[SESSION_COOKIE]
    assert client.get("/api/documents").status_code == 200

    assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    with runtime.sessions() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.is_revoked is False
        assert session.scalars(select(ApiTokenRevocation.token_id)).all() == [token.id]
    refused = client.get("/api/documents", headers={"Authorization": f"Bearer {session_token}"})
    assert refused.status_code == 403 and refused.json()["detail"] == INVALID_TOKEN
