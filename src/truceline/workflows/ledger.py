"""Publishing the log: the export file a party verifies offline."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger import logfile
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import add_signature_lines
from truceline.ledger.service import entry_of, list_checkpoints, list_cosignatures
from truceline.ledger.signing import Signer


def iter_export_lines(session: Session, *, origin: str, signer: Signer) -> Iterator[str]:
    """The public log as JSON lines: entries (no salts, no records) and checkpoints with cosignatures."""
    rows = session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq))
    entries = ((entry_of(row), None) for row in rows)
    notes = []
    for checkpoint in list_checkpoints(session):
        lines = [c.line for c in list_cosignatures(session, checkpoint_id=checkpoint.id)]
        notes.append(add_signature_lines(checkpoint.note, lines) if lines else checkpoint.note)
    return logfile.write_log(origin=origin, log_vkey=signer.vkey(), entries=entries, checkpoints=notes)
