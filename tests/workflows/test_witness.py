"""Witnessing: cosign a growing log, refuse a rewritten one with both checkpoints, store cosignatures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from tests.builders import NOW, add_one_of_each
from truceline.audit import verify_database
from truceline.errors import Conflict, NotFound, VerificationError
from truceline.ledger.encoding import LedgerEntry
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import verify_note
from truceline.ledger.service import add_record, create_checkpoint, entry_of
from truceline.ledger.signing import Signer, generate_key
from truceline.runtime import Runtime
from truceline.sources.models import Source
from truceline.views.ledger import consistency, published_checkpoint
from truceline.workflows.witness import (
    SplitView,
    WitnessState,
    add_cosignature,
    check_and_cosign,
    witness_for_line,
)

WITNESS = Signer.from_skey(generate_key("witness-pk")[0])


def _grow(runtime: Runtime, n: int, *, start: int = 0) -> None:
    with runtime.transaction() as session:
        for i in range(start, start + n):
            source = Source(
                id=f"src-w{i}",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                name=f"Outlet {i}",
                kind="outlet",
                url="",
                reliability="C",
                language="en",
            )
            add_record(session, source, author="test", now=NOW)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)


def _server_view(runtime: Runtime, old_size: int | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    with runtime.sessions() as session:
        checkpoint = published_checkpoint(session).model_dump()
        proof = None
        if old_size is not None and checkpoint["size"] > old_size:
            proof = consistency(session, old_size=old_size, new_size=checkpoint["size"]).model_dump()
    return checkpoint, proof


def _witness(runtime: Runtime, prev: WitnessState | None, *, minutes: int = 0) -> Any:
    checkpoint, proof = _server_view(runtime, prev.size if prev else None)
    return check_and_cosign(
        prev, checkpoint, proof, WITNESS, runtime.log_verifier, NOW + timedelta(minutes=minutes)
    )


def test_a_witness_cosigns_a_log_that_only_grows(runtime: Runtime) -> None:
    _grow(runtime, 3)
    first = _witness(runtime, None)
    assert first.state.size == 3
    _grow(runtime, 4, start=3)
    second = _witness(runtime, first.state, minutes=15)
    assert second.state.size == 7
    verify_note(second.state.note + "", [runtime.log_verifier])
    assert WitnessState.from_json(second.state.to_json()) == second.state


def test_a_witness_detects_history_rewritten_behind_the_servers_back(runtime: Runtime) -> None:
    _grow(runtime, 5)
    cosigned = _witness(runtime, None)
    # Someone with database access rewrites entry 2 and recomputes its leaf hash: the root at size 5 changes.
    with runtime.transaction() as session:
        row = session.get(LedgerEntryRow, 2)
        assert row is not None
        forged = LedgerEntry(**{**entry_of(row).to_json(), "commitment": "f" * 64})  # type: ignore[arg-type]
        session.execute(
            text("UPDATE ledger_entries SET commitment = :c, leaf_hash = :h WHERE seq = 2"),
            {"c": forged.commitment, "h": forged.leaf_hash().hex()},
        )
    _grow(runtime, 2, start=5)
    with pytest.raises(SplitView, match="does not extend the cosigned size 5") as caught:
        _witness(runtime, cosigned.state, minutes=15)
    report = caught.value.report.to_json()
    assert report["cosigned_checkpoint"] == cosigned.state.note
    assert report["new_checkpoint"].split("\n")[1] == "7"
    # Both checkpoints carry the log's valid signature: together they prove the log lied.
    for note in (report["cosigned_checkpoint"], report["new_checkpoint"]):
        verify_note(note, [runtime.log_verifier])
    assert report["consistency_proof"]["old_size"] == 5


def test_a_different_root_at_the_same_size_is_a_split_view(runtime: Runtime) -> None:
    _grow(runtime, 2)
    cosigned = _witness(runtime, None)
    other = WitnessState(
        origin=cosigned.state.origin,
        size=cosigned.state.size,
        root_hash=b"\x00" * 32,
        note=cosigned.state.note,
    )
    with pytest.raises(SplitView, match="two different roots for size 2"):
        _witness(runtime, other)


def test_a_checkpoint_not_signed_by_the_log_is_refused(runtime: Runtime) -> None:
    _grow(runtime, 2)
    checkpoint, _ = _server_view(runtime, None)
    impostor = Signer.from_skey(generate_key(runtime.origin)[0])
    with pytest.raises(VerificationError, match="no signature from a known key"):
        check_and_cosign(None, checkpoint, None, WITNESS, impostor.verifier(), NOW)


def test_the_server_stores_a_valid_cosignature_and_the_ledger_verifies_it(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    cosigned = _witness(runtime, None)
    witnesses = {"witness-pk": WITNESS.verifier()}
    with runtime.transaction() as session:
        verifier = witness_for_line(cosigned.line, witnesses)
        row = add_cosignature(session, line=cosigned.line, witness_verifier=verifier, now=NOW)
        again = add_cosignature(session, line=cosigned.line, witness_verifier=verifier, now=NOW)
        assert again.id == row.id
    with runtime.sessions() as session:
        assert published_checkpoint(session).cosigners == ["witness-pk"]
        assert (
            verify_database(session, log_verifier=runtime.log_verifier, witnesses=witnesses).cosignatures == 1
        )
    later = _witness(runtime, None, minutes=5)
    with runtime.transaction() as session, pytest.raises(Conflict, match="already cosigned"):
        add_cosignature(session, line=later.line, witness_verifier=WITNESS.verifier(), now=NOW)


def test_the_server_refuses_a_forged_or_unknown_cosignature(runtime: Runtime) -> None:
    _grow(runtime, 2)
    cosigned = _witness(runtime, None)
    impostor = Signer.from_skey(generate_key("witness-pk")[0])
    with runtime.transaction() as session:
        with pytest.raises(VerificationError, match="does not verify against the latest checkpoint"):
            add_cosignature(session, line=cosigned.line, witness_verifier=impostor.verifier(), now=NOW)
        with pytest.raises(NotFound, match="witness 'witness-pk'"):
            witness_for_line(cosigned.line, {})
