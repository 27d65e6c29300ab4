"""Every committed write is inside a signed checkpoint: at once, or within the interval when coalesced."""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.world import INCIDENT, a_world
from truceline.config import Settings
from truceline.ledger.merkle import root_from_leaf_hashes
from truceline.ledger.notes import parse_checkpoint, verify_note
from truceline.ledger.service import latest_checkpoint, leaf_hashes, tree_size
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


# A few kinds of API write: (who, path, body); `{complaint}` and `{token}` name the latest one made.
WRITES: dict[str, tuple[str, str, dict[str, object]]] = {
    "complaint": (
        "liaison-af",
        "/api/complaints",
        {"accused_party": "PK", "incident_id": INCIDENT, "clause_ids": ["C1"], "summary": "Shelling"},
    ),
    "reply": ("liaison-pk", "/api/responses", {"complaint_id": "{complaint}", "text": "We returned fire."}),
    "case": ("mediator-qatar", "/api/cases", {"title": "Shelling", "complaint_ids": ["{complaint}"]}),
    "notification": (
        "liaison-pk",
        "/api/notifications",
        {
            "kind": "troop_rotation",
            "area": {"type": "Point", "coordinates": [71.08, 34.11], "radius_km": 5},
            "starts_at": "2025-11-02T00:00:00Z",
            "ends_at": "2025-11-03T00:00:00Z",
        },
    ),
    "token": ("mediator-qatar", "/api/users/liaison-pk/tokens", {"expires_days": 7}),
    "revoke": ("mediator-qatar", "/api/tokens/{token}/revoke", {}),
    "rule": ("mediator-qatar", "/api/alerts/rules", {**RULE, "name": "rule"}),
    "refused": ("liaison-pk", "/api/complaints", {"accused_party": "PK", "clause_ids": []}),  # writes nothing
}


NEEDS = {"reply": "complaint", "case": "complaint", "revoke": "token"}


def _filled(template: Any, latest: dict[str, str]) -> Any:
    """The template with `{complaint}` and `{token}` replaced by the ids of the latest ones made."""
    return json.loads(
        json.dumps(template)
        .replace("{complaint}", latest.get("complaint", ""))
        .replace("{token}", latest.get("token", ""))
    )


def _signed_size(runtime: Runtime) -> int:
    """The size of the latest checkpoint, after checking its log signature and its root over the log."""
    with runtime.sessions() as session:
        latest = latest_checkpoint(session)
        if latest is None:
            return 0
        checkpoint = parse_checkpoint(verify_note(latest.note, [runtime.log_verifier]).body)
        assert checkpoint.root_hash == root_from_leaf_hashes(leaf_hashes(session, size=checkpoint.size))
        return checkpoint.size


def test_after_any_sequence_of_api_writes_every_entry_is_signed_within_two_seconds(
    coalescing: Runtime,
) -> None:
    world = a_world(coalescing)
    with coalescing.transaction() as session:
        tokens = {
            name: issue_token(session, username=name, author="test", now=datetime.now(UTC))
            for name in world.principals
        }
    latest: dict[str, str] = {}

    def write(client: TestClient, kind: str) -> None:
        needed = NEEDS.get(kind)
        if needed is not None and needed not in latest:
            kind = needed  # nothing to reply to or revoke yet: make it first
        who, path, body = WRITES[kind]
        made = client.post(
            _filled(path, latest),
            json=_filled(body, latest),
            headers={"Authorization": f"Bearer {tokens[who]}"},
        )
        assert made.status_code == (422 if kind == "refused" else 201), (kind, made.text)
        if kind == "complaint":
            latest["complaint"] = made.json()["complaint"]["id"]
        elif kind == "token":
            latest["token"] = made.json()["id"]
        elif kind in NEEDS:
            del latest[NEEDS[kind]]  # replied to, taken up or revoked: the next needs a new one

    @settings(
        max_examples=8,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.sampled_from(sorted(WRITES)), min_size=1, max_size=6))
    def writes(kinds: list[str]) -> None:
        with TestClient(create_app(coalescing)) as client:
            for kind in kinds:
                write(client, kind)
                # From the answer (the commit happened inside the request): a request itself may take
                # seconds on a loaded machine, and what is bounded is the signing after the commit.
                started = time.monotonic()
                with coalescing.sessions() as session:
                    committed = tree_size(session)
                while _signed_size(coalescing) < committed and time.monotonic() - started < 2.0:
                    time.sleep(0.02)
                assert _signed_size(coalescing) >= committed, (kind, committed)
                assert time.monotonic() - started < 2.0, kind

    writes()


def test_a_primed_sealer_signs_the_next_write_over_the_whole_log(settings: Settings) -> None:
    first = open_runtime(settings)
    _mediator(first)  # entries signed by another process's sealer
    first.close()
    runtime = open_runtime(settings)
    try:
        with runtime.sessions() as session:
            runtime.sealer.prime(session)
            stored = tree_size(session)
        with runtime.transaction() as session:
            issue_token(session, username="mediator-qatar", author="test", now=datetime.now(UTC))
        with runtime.sessions() as session:
            latest = latest_checkpoint(session)
            leaves = leaf_hashes(session)
        assert latest is not None and latest.size == len(leaves) > stored
        assert parse_checkpoint(verify_note(latest.note, [runtime.log_verifier]).body).root_hash == (
            root_from_leaf_hashes(leaves)
        )
    finally:
        runtime.close()
