"""Exports, read-only: every column of a record kind as JSON values in a stable order (`truceline export`),
and the public log as the file a party verifies offline (`truceline ledger export`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger import logfile
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import add_signature_lines
from truceline.ledger.service import entry_of, list_checkpoints, list_cosignatures, record_content
from truceline.ledger.signing import Signer
from truceline.records import record_model

EXPORT_KINDS = frozenset({"documents", "claims", "incidents", "talks_rounds", "sources"})


def iter_records(session: Session, *, kind: str) -> Iterator[dict[str, Any]]:
    model = record_model(kind)
    for record in session.scalars(select(model).order_by(model.id).execution_options(yield_per=500)):
        yield record_content(record)


def iter_export_lines(
    session: Session, *, origin: str, signer: Signer, witness_keys: Iterable[str] = ()
) -> Iterator[str]:
    """The public log as JSON lines: entries (no salts, no records) and checkpoints with cosignatures.

    The header names the witnesses' keys the server knows; a party verifies with the keys it trusts."""
    rows = session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq))
    entries = ((entry_of(row), None) for row in rows)
    notes = []
    for checkpoint in list_checkpoints(session):
        lines = [c.line for c in list_cosignatures(session, checkpoint_id=checkpoint.id)]
        notes.append(add_signature_lines(checkpoint.note, lines) if lines else checkpoint.note)
    return logfile.write_log(
        origin=origin, log_vkey=signer.vkey(), entries=entries, checkpoints=notes, witness_keys=witness_keys
    )
