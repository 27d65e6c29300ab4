"""Read views of the ledger for the API and pages: entries, the published checkpoint, proofs."""

from __future__ import annotations

import base64

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.errors import InvalidInput, NotFound
from truceline.ledger import service
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import add_signature_lines, parse_checkpoint, parse_note
from truceline.ledger.schemas import (
    CheckpointRead,
    ConsistencyProofRead,
    EntryPage,
    EntryRead,
    InclusionProofRead,
)
from truceline.ledger.signing import Verifier
from truceline.scenarios.schema import Scenario
from truceline.users.models import User


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def entry_read(row: LedgerEntryRow) -> EntryRead:
    return EntryRead(
        seq=row.seq,
        kind=row.kind,
        record_id=row.record_id,
        author=row.author,
        time=row.time,
        commitment=row.commitment,
        leaf_hash=row.leaf_hash,
    )


def list_entries(
    session: Session, *, limit: int = 50, offset: int = 0, newest_first: bool = True
) -> EntryPage:
    order = LedgerEntryRow.seq.desc() if newest_first else LedgerEntryRow.seq
    rows = session.scalars(select(LedgerEntryRow).order_by(order).limit(limit).offset(offset))
    return EntryPage(total=service.tree_size(session), items=[entry_read(row) for row in rows])


def published_checkpoint(session: Session) -> CheckpointRead:
    """The latest checkpoint with every cosignature merged into the note."""
    row = service.latest_checkpoint(session)
    if row is None:
        raise NotFound("checkpoint", "latest")
    lines = [c.line for c in service.list_cosignatures(session, checkpoint_id=row.id)]
    note = add_signature_lines(row.note, lines) if lines else row.note
    checkpoint = parse_checkpoint(parse_note(row.note).body)
    cosigners = [c.witness for c in service.list_cosignatures(session, checkpoint_id=row.id)]
    return CheckpointRead(
        size=checkpoint.size, root_hash=_b64(checkpoint.root_hash), note=note, cosigners=cosigners
    )


def inclusion(session: Session, *, seq: int, size: int | None) -> InclusionProofRead:
    p = service.prove_inclusion(session, seq=seq, size=size)
    return InclusionProofRead(
        seq=p.seq,
        size=p.size,
        leaf_hash=_b64(p.leaf_hash),
        root_hash=_b64(p.root),
        proof=[_b64(h) for h in p.path],
    )


def consistency(session: Session, *, old_size: int, new_size: int | None) -> ConsistencyProofRead:
    p = service.prove_consistency(session, old_size=old_size, new_size=new_size)
    return ConsistencyProofRead(
        old_size=p.old_size,
        new_size=p.new_size,
        old_root=_b64(p.old_root),
        new_root=_b64(p.new_root),
        proof=[_b64(h) for h in p.path],
    )


def witness_keys(session: Session, scenario: Scenario) -> dict[str, Verifier]:
    """Cosigning keys of the parties' witnesses: from the scenario, and from active party accounts' keys."""
    vkeys = [party.public_key for party in scenario.parties if party.public_key]
    query = select(User.public_key).where(
        User.role == "party", User.is_active.is_(True), User.public_key.is_not(None)
    )
    vkeys.extend(key for key in session.scalars(query) if key)
    keys: dict[str, Verifier] = {}
    for vkey in vkeys:
        try:
            verifier = Verifier.from_vkey(vkey).for_cosignatures()
        except InvalidInput:
            continue  # a malformed key on record is not a witness; verify reports unknown witnesses
        keys[verifier.name] = verifier
    return keys
