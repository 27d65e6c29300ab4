"""Every committed write is inside a signed checkpoint: at once, or within the interval when coalesced."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.world import a_world
from truceline.config import Settings
from truceline.ledger.service import latest_checkpoint, tree_size
from truceline.runtime import Runtime, open_runtime
from truceline.users.service import issue_token
from truceline.web.app import create_app

RULE = {"kind": "confirmed_violation", "channel": "webhook", "target": "http://127.0.0.1:9/hook"}


def _unsealed(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        latest = latest_checkpoint(session)
        return tree_size(session) - (latest.size if latest is not None else 0)


def _mediator(runtime: Runtime) -> dict[str, str]:
    a_world(runtime)
    with runtime.transaction() as session:
        token = issue_token(session, username="mediator-qatar", author="test", now=datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def coalescing(settings: Settings) -> Iterator[Runtime]:
    runtime = open_runtime(settings.model_copy(update={"checkpoint_interval_s": 0.3}))
    yield runtime
    runtime.close()


def test_every_api_write_is_sealed_when_it_returns(runtime: Runtime) -> None:
    headers = _mediator(runtime)
    assert _unsealed(runtime) == 0  # the set-up's own transaction was sealed too

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.sampled_from(["create", "disable"]), min_size=1, max_size=6))
    def writes(steps: list[str]) -> None:
        with TestClient(create_app(runtime)) as client:
            last: str | None = None
            for n, step in enumerate(steps):
                if step == "create" or last is None:
                    made = client.post("/api/alerts/rules", json={**RULE, "name": f"r{n}"}, headers=headers)
                    assert made.status_code == 201, made.text
                    last = made.json()["id"]
                else:
                    client.post(f"/api/alerts/rules/{last}/disable", headers=headers)
                    last = None
                assert _unsealed(runtime) == 0

    writes()


def test_coalesced_writes_are_sealed_within_two_seconds(coalescing: Runtime) -> None:
    headers = _mediator(coalescing)
    with TestClient(create_app(coalescing)) as client:
        for n in range(5):
            made = client.post("/api/alerts/rules", json={**RULE, "name": f"burst {n}"}, headers=headers)
            assert made.status_code == 201, made.text
        started = time.monotonic()
        while _unsealed(coalescing) and time.monotonic() - started < 2.0:
            time.sleep(0.05)
        assert _unsealed(coalescing) == 0
        assert time.monotonic() - started < 2.0


def test_a_failed_write_commits_nothing_and_signs_nothing(runtime: Runtime) -> None:
    headers = _mediator(runtime)
    with runtime.sessions() as session:
        before = (tree_size(session), latest_checkpoint(session))
    with TestClient(create_app(runtime)) as client:
        bad = client.post(
            "/api/alerts/rules", json={**RULE, "name": "x", "channel": "pigeon"}, headers=headers
        )
        assert bad.status_code == 422
    with runtime.sessions() as session:
        latest = latest_checkpoint(session)
        assert tree_size(session) == before[0]
        assert latest is not None and before[1] is not None and latest.id == before[1].id
