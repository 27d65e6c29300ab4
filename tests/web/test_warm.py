"""`serve` builds the incident index and the checkpoint tree as it starts, before the first request."""

from __future__ import annotations

from datetime import date

from tests.views.test_desk import add_incident
from truceline.ledger.service import create_checkpoint
from truceline.runtime import Runtime
from truceline.views import incidents, ledger
from truceline.web.warm import start_warming


def test_warming_keeps_the_index_and_the_tree_that_the_first_request_then_reads(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    start_warming(runtime).join(timeout=60)
    with runtime.sessions() as session:
        head = incidents.ledger_head(session)
        warmed = [index.points for at, index in incidents._cache.values() if at == head]
        tree = ledger._trees[str(runtime.engine.url)]
        points = incidents.incident_points(session, runtime.scenario)
        checkpoint = ledger.find_checkpoint(session)
        assert checkpoint is not None
        assert ledger.checkpoint_tree(session, checkpoint.size) is tree
    assert [p.id for p in points] == ["i-1"]
    assert any(kept is points for kept in warmed)
