"""Publishing the log: the export file a party verifies offline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger import logfile
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import add_signature_lines
from truceline.ledger.service import entry_of, list_checkpoints, list_cosignatures
from truceline.ledger.signing import Signer


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
