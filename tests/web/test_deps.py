import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import create_engine

from tests.incidents.builders import an_incident
from truceline.db.engine import make_session_factory
from truceline.incidents.service import create_incident
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.web.app import create_app

REQUESTS = 8


@pytest.fixture
def small(runtime: Runtime) -> Iterator[Runtime]:
    """The test's runtime with one pooled connection, for more requests at once than connections."""
    url = runtime.engine.url.render_as_string(hide_password=False)
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=10)
    yield dataclasses.replace(runtime, engine=engine, sessions=make_session_factory(engine))
    engine.dispose()


def test_more_requests_than_pooled_connections_wait_their_turn_and_all_succeed(
    demo_data: None, runtime: Runtime, small: Runtime
) -> None:
    # One pooled connection for eight requests at once. If a dependency looked the token up on the event
    # loop, it would block the loop waiting for the connection, and the loop is what hands it back: the
    # requests would fail when the pool timed out instead of taking their turns.
    with runtime.transaction() as session:
        token = issue_token(session, username="mediator-qatar", author="test", now=datetime.now(UTC))

    async def fetch_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(small))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Bearer {token}"}
            answers = await asyncio.gather(
                *(client.get("/api/incidents?limit=5", headers=headers) for _ in range(REQUESTS))
            )
        return [answer.status_code for answer in answers]

    assert asyncio.run(fetch_at_once()) == [200] * REQUESTS


def test_evidence_uploads_at_once_on_one_pooled_connection_all_succeed(
    demo_data: None, runtime: Runtime, small: Runtime
) -> None:
    # A write holds one pooled connection (its unit of work): the caller's token is looked up and the
    # connection given back first, and the upload is read in a worker thread, not on the event loop. Were
    # either not so, eight uploads at once on one pooled connection would wait for each other until the pool
    # timed out.
    with runtime.transaction() as session:
        token = issue_token(session, username="mediator-qatar", author="test", now=datetime.now(UTC))
        now = datetime.now(UTC)
        incident_id = create_incident(session, an_incident(), supersedes_id=None, author="test", now=now).id

    async def upload_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(small))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            headers = {"Authorization": f"Bearer {token}"}
            case_in = {"title": "Uploads at once", "incident_ids": [incident_id]}
            case = await client.post("/api/cases", json=case_in, headers=headers)
            assert case.status_code == 201, case.text
            answers = await asyncio.gather(
                *(
                    client.post(
                        f"/api/cases/{case.json()['id']}/evidence",
                        files={"file": (f"note-{n}.txt", f"observation {n}".encode(), "text/plain")},
                        headers=headers,
                    )
                    for n in range(REQUESTS)
                )
            )
        return [answer.status_code for answer in answers]

    assert asyncio.run(upload_at_once()) == [201] * REQUESTS
