"""The read models only read: each one works on a database connection that cannot write.

The connection is read-only at the database, not by promise: SQLite opens the file with `mode=ro` and
`PRAGMA query_only`, PostgreSQL runs every transaction under `default_transaction_read_only`. A write on the
same connection fails, which shows the views would fail too if they wrote.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.builders import NOW
from tests.cases.world import INCIDENT, Decided, World, a_world, decide_over_five_days
from truceline import views
from truceline.db.engine import make_engine
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime
from truceline.views import ceasefire, desk, documents, filters, incidents, ledger, maps, records, timeline


def _read_only_engine(url: str) -> Engine:
    """An engine whose every connection the database itself keeps from writing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(f"sqlite:///file:{parsed.database}?mode=ro&uri=true")
        setting = "PRAGMA query_only = ON"
    else:
        engine = make_engine(url)
        setting = "SET default_transaction_read_only = on"

    @event.listens_for(engine, "connect")
    def _refuse_writes(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(setting)
        cursor.close()
        if parsed.get_backend_name() != "sqlite":
            dbapi_connection.commit()  # psycopg opened a transaction for the SET: the setting outlives it

    return engine


@pytest.fixture
def world(runtime: Runtime) -> World:
    return a_world(runtime)


@pytest.fixture
def decided(runtime: Runtime, world: World) -> Decided:
    """A complaint, its case and a published finding on one incident, with a signed checkpoint."""
    decided = decide_over_five_days(world)
    with runtime.transaction() as session:
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    return decided


@pytest.fixture
def read_only(runtime: Runtime, decided: Decided) -> Iterator[Session]:
    engine = _read_only_engine(runtime.settings.resolved_database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_a_write_on_the_read_only_connection_fails(read_only: Session) -> None:
    with pytest.raises(DBAPIError):
        read_only.execute(text("UPDATE incidents SET title = 'changed'"))


def test_the_desk_the_incident_list_and_its_pictures_work_on_a_read_only_connection(
    runtime: Runtime, world: World, read_only: Session
) -> None:
    mediator = world["mediator-qatar"]
    scenario, today = runtime.scenario, NOW.date() + timedelta(days=6)
    points = incidents.incident_points(read_only, scenario, mediator)
    assert [p.id for p in points] == [INCIDENT]
    assert points[0].status == "violation_confirmed"
    assert filters.filter_incidents(points, filters.parse_filter(status="violation_confirmed")) == points
    view = desk.desk_view(read_only, scenario, mediator, now=NOW + timedelta(days=6))
    assert view.counts["incidents"] == 1
    assert view.checkpoint is not None
    assert ceasefire.escalation(read_only, scenario, at=today, principal=mediator).parts
    assert any(i.kind == "finding" for i in timeline.timeline(read_only, scenario, mediator))
    assert maps.map_geojson(points, scenario, zoom=5)["properties"]["incidents"] == len(
        [p for p in points if p.lat is not None]
    )
    page = incidents.incident_view(read_only, scenario, mediator, incident_id=INCIDENT)
    assert page.incident.id == INCIDENT
    assert [c.id for c in page.cases] and [c.id for c in page.complaints]


def test_the_record_pages_work_on_a_read_only_connection(
    runtime: Runtime, world: World, read_only: Session, decided: Decided
) -> None:
    mediator, scenario = world["mediator-qatar"], runtime.scenario
    complaint = records.complaint_view(
        read_only, scenario, principal=mediator, complaint_id=decided.complaint, now=NOW
    )
    assert complaint.proof is not None and complaint.notices
    case = records.case_view(read_only, scenario, principal=mediator, case_id=decided.case)
    assert [f.base_id for f in case.findings] == [decided.finding]
    finding = records.finding_view(read_only, scenario, principal=mediator, finding_id=decided.finding)
    assert finding.proof is not None and finding.proof.is_proven
    assert records.finding_read(finding).id == decided.finding
    published = records.published_finding_views(read_only, scenario, principal=mediator)
    assert [v.base_id for v in published] == [decided.finding]
    assert documents.document_view(read_only, "doc-1", with_claims=True)["proof"] is not None


def test_the_ledger_views_work_on_a_read_only_connection(world: World, read_only: Session) -> None:
    mediator = world["mediator-qatar"]
    page = ledger.list_entries(read_only, principal=mediator, limit=500)
    assert page.total == len(page.items) > 0
    checkpoint = ledger.published_checkpoint(read_only)
    assert checkpoint.size == page.total
    data = ledger.verification_data(read_only, principal=mediator, log_vkey="", seq=0)
    assert data.entry is not None
    assert ledger.consistency(read_only, old_size=1, new_size=checkpoint.size).new_size == checkpoint.size


WRITING_METHODS = frozenset({"add", "add_all", "flush", "commit", "delete", "merge", "bulk_save_objects"})
WRITING_FUNCTIONS = frozenset({"add_record", "batched_appends", "append_entry", "create_checkpoint"})


def test_no_view_module_calls_a_writing_method_of_the_session_or_the_ledger() -> None:
    found = []
    for path in sorted(Path(views.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            on_session = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "session"
            if on_session and isinstance(func, ast.Attribute) and func.attr in WRITING_METHODS:
                found.append(f"{path.name}:{node.lineno} session.{func.attr}")
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in WRITING_FUNCTIONS:
                found.append(f"{path.name}:{node.lineno} {name}")
    assert found == []
