"""Ledger use cases on the database: append an entry with its record, sign checkpoints, build proofs."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, exists, func, insert, inspect, select, text, true
from sqlalchemy.orm import Session

from truceline.db.base import Record
from truceline.errors import InvalidInput, NotFound
from truceline.ledger import merkle
from truceline.ledger.encoding import LedgerEntry, commitment, format_time, new_salt
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.ledger.notes import Checkpoint, sign_note
from truceline.ledger.signing import Signer

# An arbitrary constant naming the ledger's lock among PostgreSQL advisory locks.
_PG_LEDGER_LOCK = 6962
APPENDED = "truceline.ledger.appended"  # key in Session.info: this transaction appended ledger entries
_NEXT_SEQ = "truceline.ledger.next_seq"  # key in Session.info: (transaction, its next free seq)
_BATCH = "truceline.ledger.batch"  # key in Session.info: the open `batched_appends` block's queue


def record_content(record: Record) -> dict[str, Any]:
    """Every column of a record as JSON values: what its ledger commitment covers."""
    return {name: _json_value(getattr(record, key)) for name, key in record_columns(type(record))}


@cache
def record_columns(model: type[Record]) -> tuple[tuple[str, str], ...]:
    """(column name, attribute key) of every column of a record class, in mapper order."""
    return tuple((attr.columns[0].name, attr.key) for attr in inspect(model).column_attrs)


def content_of_columns(columns: Sequence[tuple[str, str]], values: Sequence[Any]) -> dict[str, Any]:
    """`record_content` of a record read as column values (in the order of `record_columns`)."""
    return {name: _json_value(value) for (name, _), value in zip(columns, values, strict=True)}


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _json_value(value: Any) -> Any:
    if type(value) in _JSON_SCALARS:  # most columns: returned as they are, without the checks below
        return value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def add_record(session: Session, record: Record, *, author: str, now: datetime) -> None:
    """Add a record and append its ledger entry; both land in the caller's transaction or neither does.

    Inside `batched_appends` the entry is written with the rest of the batch; otherwise right away."""
    batch = session.info.get(_BATCH)
    if batch is None:
        session.add(record)
        append_entries(session, [(record, author, now)])
        return
    if batch.pending and type(batch.pending[-1][0]) is not type(record):
        # The ORM orders the inserts of one flush by table, not by foreign key (the models declare no
        # relationships): write the run of the previous kind first, so a claim never precedes its document.
        session.flush()
    session.add(record)
    batch.pending.append((record, author, now))
    if len(batch.pending) >= batch.size:
        append_entries(session, batch.pending)
        batch.pending.clear()


@dataclass(slots=True)
class _Batch:
    size: int
    pending: list[tuple[Record, str, datetime]] = field(default_factory=list)


@contextmanager
def batched_appends(session: Session, *, size: int = 1000) -> Iterator[None]:
    """Within the block, `add_record` queues each entry and writes them `size` at a time and at the end,
    each batch with one flush of its records and one INSERT of its entries (see `append_entries`).

    For bulk writes (ingest, import, recluster). Nothing inside the block may read the ledger's entries: the
    last ones are written when it ends. If the block raises, the queued entries are not written and the
    caller's transaction must roll back (the unit of work does)."""
    if _BATCH in session.info:  # already inside a batch: the outer block writes
        yield
        return
    batch = _Batch(size=size)
    session.info[_BATCH] = batch
    try:
        yield
        append_entries(session, batch.pending)
    finally:
        del session.info[_BATCH]


def append_entry(session: Session, *, record: Record, author: str, now: datetime) -> LedgerEntry:
    """Append the entry committing to an added record's current content."""
    return append_entries(session, [(record, author, now)])[0]


def append_entries(session: Session, appends: Sequence[tuple[Record, str, datetime]]) -> list[LedgerEntry]:
    """Append the entries committing to each (record, author, time)'s content, in order; returns them.

    One flush writes the records (so their column defaults are set), the sequence numbers count on in
    memory from the first of the transaction (`_allocate_seqs`), each entry is encoded once, and one
    executemany INSERT writes the entries."""
    if not appends:
        return []
    session.flush()
    first = _allocate_seqs(session, len(appends))
    times: dict[datetime, str] = {}
    entries: list[LedgerEntry] = []
    rows: list[dict[str, Any]] = []
    for seq, (record, author, now) in enumerate(appends, start=first):
        salt = new_salt()
        time_text = times.get(now) or times.setdefault(now, format_time(now))
        entry = LedgerEntry(
            seq=seq,
            kind=record.ledger_kind(),
            record_id=record.id,
            author=author,
            time=time_text,
            commitment=commitment(record_content(record), salt),
        )
        entries.append(entry)
        rows.append(
            {
                "seq": seq,
                "kind": entry.kind,
                "record_id": entry.record_id,
                "author": author,
                "time": time_text,
                "commitment": entry.commitment,
                "salt": salt.hex(),
                "leaf_hash": entry.leaf_hash().hex(),
                "signature": None,
            }
        )
    session.execute(insert(LedgerEntryRow), rows)
    session.info[APPENDED] = True  # the unit of work seals it into a signed checkpoint after commit
    return entries


def _allocate_seqs(session: Session, count: int) -> int:
    """The first of `count` fresh sequence numbers. The transaction's first append reads `max(seq)` once,
    while holding the ledger's lock (an advisory lock on PostgreSQL; SQLite has one writer at a time, and a
    second would fail to commit, never reuse a number); later appends in it count on from memory."""
    transaction = session.get_transaction()
    known = session.info.get(_NEXT_SEQ)
    if known is not None and known[0] is transaction:
        first: int = known[1]
    else:
        if session.get_bind().dialect.name == "postgresql":
            # Serialise appends across transactions so sequence numbers stay dense.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LEDGER_LOCK})
        last = session.scalar(select(func.max(LedgerEntryRow.seq)))
        first = 0 if last is None else last + 1
    session.info[_NEXT_SEQ] = (transaction, first + count)
    return first


def recorded_by(model: type[Record], as_of: datetime | None) -> ColumnElement[bool]:
    """A WHERE condition: the record's ledger entry was appended at or before `as_of` (always true for None).

    The ledger's time is the clock of "the record as it stood then": a view of a past day is built only from
    records whose entry is at or before that moment, so a later decision never rewrites the past. Entry times
    are fixed-width RFC 3339 UTC strings (`format_time`), so comparing the text compares the times.
    """
    if as_of is None:
        return true()
    return exists().where(
        LedgerEntryRow.kind == model.ledger_kind(),
        LedgerEntryRow.record_id == model.id,
        LedgerEntryRow.time <= format_time(as_of),
    )


def size_at(session: Session, as_of: datetime | None) -> int:
    """How many entries the ledger held at `as_of` (now, for None)."""
    query = select(func.count()).select_from(LedgerEntryRow)
    if as_of is not None:
        query = query.where(LedgerEntryRow.time <= format_time(as_of))
    return session.scalar(query) or 0


def entry_of(row: LedgerEntryRow) -> LedgerEntry:
    return LedgerEntry(
        seq=row.seq,
        kind=row.kind,
        record_id=row.record_id,
        author=row.author,
        time=row.time,
        commitment=row.commitment,
    )


def tree_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0


def leaf_hashes(session: Session, *, size: int | None = None) -> list[bytes]:
    """Stored leaf hashes in seq order (the first `size` of them)."""
    query = select(LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.seq)
    if size is not None:
        query = query.limit(size)
    return [bytes.fromhex(h) for h in session.scalars(query)]


def create_checkpoint(
    session: Session, *, signer: Signer, origin: str, tree: merkle.MerkleAccumulator | None = None
) -> CheckpointRow:
    """Sign the current tree head; returns the existing checkpoint when the tree has not grown.

    `tree`, when given, holds the stored leaves up to its size (the sealer keeps it between checkpoints):
    only the leaves appended since are read and hashed into it, so a checkpoint costs O(new entries), not
    O(log size). Checkpoints are signed one at a time (an advisory lock on PostgreSQL; SQLite writes one at
    a time), so their sizes grow with their ids."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LEDGER_LOCK})
    latest = latest_checkpoint(session)
    size = tree_size(session)
    if latest is not None and latest.size == size:
        return latest
    if tree is None:
        tree = merkle.MerkleAccumulator()
    elif tree.size > size:  # entries were removed behind the ledger's back: start again from what is stored
        tree.clear()
    query = (
        select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq >= tree.size).order_by(LedgerEntryRow.seq)
    )
    for leaf_hash in session.scalars(query.limit(size - tree.size)):
        tree.append(bytes.fromhex(leaf_hash))
    root = tree.root()
    extensions = (
        () if latest is None else (chain_line(latest, list_cosignatures(session, checkpoint_id=latest.id)),)
    )
    note = sign_note(
        Checkpoint(origin=origin, size=size, root_hash=root, extensions=extensions).body(), [signer]
    )
    row = CheckpointRow(size=size, note=note)
    session.add(row)
    session.flush()
    return row


CHAIN_PREFIX = "truceline-prev"


def chain_line(previous: CheckpointRow, cosignatures: list[CosignatureRow]) -> str:
    """The extension line that chains a checkpoint to the one before it (docs/ledger.md, "Checkpoint chain"):
    `truceline-prev <size> <sha256 of its note> <n> <sha256 of its first n cosignature lines>`, hashes in
    base64. Deleting a checkpoint, or a cosignature it had when the next was signed, breaks the chain."""
    note_hash = hashlib.sha256(previous.note.encode("utf-8")).digest()
    lines = "".join(c.line + "\n" for c in cosignatures)
    cosig_hash = hashlib.sha256(lines.encode("utf-8")).digest()
    fields = [str(previous.size), base64.b64encode(note_hash).decode(), str(len(cosignatures))]
    return " ".join([CHAIN_PREFIX, *fields, base64.b64encode(cosig_hash).decode()])


def latest_checkpoint(session: Session, *, max_size: int | None = None) -> CheckpointRow | None:
    """The newest checkpoint, or the newest covering at most `max_size` entries (the one a past day had)."""
    query = select(CheckpointRow)
    if max_size is not None:
        query = query.where(CheckpointRow.size <= max_size)
    return session.scalars(query.order_by(CheckpointRow.id.desc()).limit(1)).first()


def list_checkpoints(session: Session) -> list[CheckpointRow]:
    return list(session.scalars(select(CheckpointRow).order_by(CheckpointRow.id)))


def list_cosignatures(session: Session, *, checkpoint_id: int) -> list[CosignatureRow]:
    query = select(CosignatureRow).where(CosignatureRow.checkpoint_id == checkpoint_id)
    return list(session.scalars(query.order_by(CosignatureRow.id)))


def get_entry(session: Session, seq: int) -> LedgerEntryRow:
    row = session.get(LedgerEntryRow, seq)
    if row is None:
        raise NotFound("ledger entry", str(seq))
    return row


def find_entry(session: Session, seq: int) -> LedgerEntryRow | None:
    return session.get(LedgerEntryRow, seq)


def find_entry_for(session: Session, *, kind: str, record_id: str) -> LedgerEntryRow | None:
    """The latest entry about a record, or None."""
    query = select(LedgerEntryRow).where(LedgerEntryRow.kind == kind, LedgerEntryRow.record_id == record_id)
    return session.scalars(query.order_by(LedgerEntryRow.seq.desc()).limit(1)).first()


@dataclass(frozen=True, slots=True)
class InclusionProof:
    seq: int
    size: int
    leaf_hash: bytes
    path: list[bytes]
    root: bytes


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: list[bytes]


def prove_inclusion(session: Session, *, seq: int, size: int | None = None) -> InclusionProof:
    """Inclusion proof of entry `seq` in the tree of `size` entries (default: the latest checkpoint's)."""
    size = _proof_size(session, size)
    if not 0 <= seq < size:
        raise InvalidInput(f"seq: expected an entry number in 0..{size - 1}, found {seq}")
    hashes = leaf_hashes(session, size=size)
    return InclusionProof(
        seq=seq,
        size=size,
        leaf_hash=hashes[seq],
        path=merkle.inclusion_proof(hashes, seq, size),
        root=merkle.root_from_leaf_hashes(hashes),
    )


def prove_consistency(session: Session, *, old_size: int, new_size: int | None = None) -> ConsistencyProof:
    """Consistency proof between tree sizes `old_size` and `new_size` (default: latest checkpoint's)."""
    new_size = _proof_size(session, new_size)
    if not 0 < old_size <= new_size:
        raise InvalidInput(f"old size: expected 1..{new_size}, found {old_size}")
    hashes = leaf_hashes(session, size=new_size)
    return ConsistencyProof(
        old_size=old_size,
        new_size=new_size,
        old_root=merkle.root_from_leaf_hashes(hashes[:old_size]),
        new_root=merkle.root_from_leaf_hashes(hashes),
        path=merkle.consistency_proof(hashes, old_size, new_size),
    )


def _proof_size(session: Session, size: int | None) -> int:
    total = tree_size(session)
    if size is None:
        latest = latest_checkpoint(session)
        size = latest.size if latest is not None else total
    if not 0 < size <= total:
        raise InvalidInput(f"tree size: expected 1..{total}, found {size}")
    return size
