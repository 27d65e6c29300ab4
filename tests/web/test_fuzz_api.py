"""A bounded schemathesis run over the JSON API: no server error, every response as the OpenAPI schema says.

Every operation of /openapi.json gets generated requests, valid and invalid, signed in with an API token
(a mediator's; a party's for what only parties do), then once more with the ids of real records in its path
so the requests reach past the 404. Hypothesis is derandomized, so a run is reproducible, and bounded.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.strategies import SearchStrategy
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy import select

from tests.builders import NOW, one_of_each_record
from tests.web.conftest import AsUser
from truceline.alerts.transports import Sent
from truceline.claims.models import Claim
from truceline.documents.models import Document
from truceline.ledger.service import add_record
from truceline.runtime import Runtime
from truceline.workflows import alerts as alert_flow

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES_PER_PASS = 5  # per operation and pass: the whole run stays well under a minute
# What only a party may do is fuzzed signed in as one, or every request would stop at the 403.
PARTY_OPERATIONS = {
    "POST /api/complaints": "liaison-af",
    "POST /api/responses": "liaison-pk",
    "POST /api/notifications": "liaison-pk",
}


@pytest.fixture
def record_ids(client: TestClient, as_user: AsUser, runtime: Runtime) -> dict[str, str]:
    """A real record for every path parameter: an incident, a complaint, its case, an evidence file and a
    proposed finding, the accused party's notice, a token and an alert rule, besides the demo documents and
    claims."""
    incident = next(r for r in one_of_each_record() if r.ledger_kind() == "incidents")
    with runtime.transaction() as session:
        add_record(session, incident, author="test", now=NOW)
        document_id = session.scalars(select(Document.id).order_by(Document.id)).first()
        claim_id = session.scalars(select(Claim.id).where(Claim.document_id == document_id)).first()
    mediator, party = as_user("mediator-qatar"), as_user("liaison-af")

    def created(path: str, body: dict[str, object], headers: dict[str, str]) -> str:
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        made = answer.json()
        return str(made["complaint"]["id"] if "complaint" in made else made["id"])

    complaint = {"accused_party": "PK", "incident_id": incident.id, "claim_ids": [claim_id]}
    complaint_id = created(
        "/api/complaints", {**complaint, "clause_ids": ["C1"], "summary": "Shelling"}, party
    )
    case = {"title": "Shelling", "complaint_ids": [complaint_id], "monitors": ["monitor"]}
    deadline = datetime.now(UTC) + timedelta(days=9)
    case_id = created("/api/cases", {**case, "deadline": deadline.isoformat()}, mediator)
    moved = client.post(f"/api/cases/{case_id}/status", json={"status": "investigating"}, headers=mediator)
    assert moved.status_code == 200, moved.text
    finding = {"verdict": "inconclusive", "clause_ids": ["C1"], "confidence": "likely", "rationale": "Few"}
    rule = {"name": "Deaths", "kind": "fatalities_at_least", "threshold": 5, "channel": "webhook"}
    note = {"file": ("note.txt", b"field note", "text/plain")}
    evidence = client.post(f"/api/cases/{case_id}/evidence", files=note, headers=mediator)
    assert evidence.status_code == 201, evidence.text
    return {
        "document_id": str(document_id),
        "claim_id": str(claim_id),
        "incident_id": incident.id,
        "complaint_id": complaint_id,
        "case_id": case_id,
        "finding_id": created(f"/api/cases/{case_id}/findings", finding, mediator),
        "username": "liaison-pk",
        "token_id": created("/api/users/liaison-pk/tokens", {"expires_days": 30}, mediator),
        "rule_id": created("/api/alerts/rules", {**rule, "target": "http://127.0.0.1:9/hook"}, mediator),
        "layer": "crossings",
        "evidence_id": str(evidence.json()["id"]),
        "notice_id": str(client.get("/api/notices", headers=mediator).json()[0]["id"]),
    }


@pytest.fixture
def no_alert_deliveries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Generated alert rules name any target: running them must not reach out to the network."""
    monkeypatch.setattr(alert_flow, "send_event", lambda *_a, **_k: Sent(False, "not sent in the fuzz run"))
    yield


def _fuzz(strategy: SearchStrategy[schemathesis.Case], *, headers: dict[str, str], failures: set[str]) -> int:
    """Call the app with a bounded number of the strategy's cases; collect failed checks; return the count."""
    count = 0

    @settings(
        max_examples=EXAMPLES_PER_PASS,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def call(case: schemathesis.Case) -> None:
        nonlocal count
        count += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            failures.update(failure.title for failure in group.exceptions)

    call()
    return count


def test_every_generated_request_gets_a_documented_answer_and_no_server_error(
    client: TestClient, as_user: AsUser, record_ids: dict[str, str], no_alert_deliveries: None
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    failures: dict[str, set[str]] = {}
    examples: Counter[str] = Counter()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        headers = as_user(PARTY_OPERATIONS.get(operation.label, "mediator-qatar"))
        in_path = {p.name: record_ids[p.name] for p in operation.path_parameters}
        passes = [
            ("valid", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
            ("invalid", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
        ]
        if in_path:
            passes.append(("real ids", operation.as_strategy(path_parameters=in_path)))
        found: set[str] = set()
        for name, strategy in passes:
            try:
                examples[name] += _fuzz(strategy, headers=headers, failures=found)
            except Unsatisfiable:
                assert name == "invalid", operation.label  # no parameter or body that could be invalid
        if found:
            failures[operation.label] = found
    elapsed_s = time.monotonic() - started
    print(
        f"schemathesis: {len(operations)} operations, {sum(examples.values())} examples "
        f"({', '.join(f'{n} {name}' for name, n in examples.items())}), {len(failures)} failing, "
        f"{elapsed_s:.1f} s"
    )
    assert failures == {}
    assert len(operations) >= 40
