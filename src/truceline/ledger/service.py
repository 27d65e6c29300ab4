"""Ledger use cases on the database: append an entry with its record, sign checkpoints, build proofs."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    TextClause,
    event,
    exists,
    func,
    insert,
    select,
    text,
    true,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.dml import ReturningInsert

from truceline.db.base import Record
from truceline.db.bulk_insert import driver_insert, json_text
from truceline.errors import InvalidInput, NotFound
from truceline.ledger import merkle
from truceline.ledger.encoding import (
    ENTRY_FIELDS,
    MAX_SEQ,
    LedgerEntry,
    commitment,
    commitment_of_plain,
    entry_bytes_of,
    format_time,
    new_salts,
)
from truceline.ledger.merkle import hash_leaf
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.ledger.notes import Checkpoint, sign_note
from truceline.ledger.rows import RowLayout, insert_rows, layout_of
from truceline.ledger.rows import content_of_columns as content_of_columns  # re-exported for verify.py
from truceline.ledger.rows import record_columns as record_columns  # re-exported for verify.py
from truceline.ledger.rows import record_content as record_content  # re-exported for export and verify
from truceline.ledger.signing import Signer

# An arbitrary constant naming the ledger's lock among PostgreSQL advisory locks.
_PG_LEDGER_LOCK = 6962
APPENDED = "truceline.ledger.appended"  # key in Session.info: this transaction appended ledger entries
_NEXT_SEQ = "truceline.ledger.next_seq"  # key in Session.info: (transaction, its next free seq)
_BATCH = "truceline.ledger.batch"  # key in Session.info: the open `batched_appends` block's queue
_LEAVES = "truceline.ledger.leaves"  # key in Session.info: (transaction, first seq, leaf hashes it appended)
_ENTRY_COLUMNS = (*ENTRY_FIELDS, "salt", "leaf_hash", "signature")  # an entry's values, in this order
_JSON_NULL = json_text(None)  # an entry's signature is written as JSON null (authors sign in the export)


def add_record(session: Session, record: Record, *, author: str, now: datetime) -> None:
    """Add a new record and append its ledger entry; both land in the caller's transaction or neither does.

    The record is written with a Core INSERT of its columns (the ORM's unit of work is not used for
    records: they are never changed, and it cost more than the rest of an append), then its entry. Inside
    `batched_appends` both are queued and written with the rest of the batch; otherwise right away."""
    batch = session.info.get(_BATCH)
    if batch is None:
        _write_appends(session, [(record, author, now)])
        return
    batch.pending.append((record, author, now))
    if len(batch.pending) >= batch.size:
        batch.write(session)


@dataclass(slots=True)
class _Batch:
    size: int
    pending: list[tuple[Record, str, datetime]] = field(default_factory=list)
    unwritten: int = 0  # pending[unwritten:] are records not yet inserted (a read inserts them early)

    def write(self, session: Session) -> None:
        _write_appends(session, self.pending, records_from=self.unwritten)
        self.pending.clear()
        self.unwritten = 0

    def insert_records(self, session: Session) -> None:
        by_layout: dict[RowLayout, list[list[Any]]] = {}
        for record, _, _ in self.pending[self.unwritten :]:
            layout = layout_of(type(record))
            by_layout.setdefault(layout, []).append(layout.row_and_content(record)[0])
        insert_rows(session.connection(), by_layout)
        self.unwritten = len(self.pending)


@contextmanager
def batched_appends(session: Session, *, size: int = 1000) -> Iterator[None]:
    """Within the block, `add_record` queues each record and its entry and writes them `size` at a time and
    at the end: one INSERT of the batch's records per kind (kinds in foreign-key order) and one of its
    entries (see `_write_appends`).

    For bulk writes (ingest, import, recluster, re-extract). A query in the session first inserts the
    queued records, as the ORM's autoflush would, so the block can read what it added; nothing inside it
    may read the ledger's entries: the last ones are written when it ends. If the block raises, the queued
    entries are not written and the caller's transaction must roll back (the unit of work does)."""
    if _BATCH in session.info:  # already inside a batch: the outer block writes
        yield
        return
    batch = _Batch(size=size)
    session.info[_BATCH] = batch
    event.listen(session, "do_orm_execute", _insert_before_reads)
    try:
        yield
        batch.write(session)
    finally:
        event.remove(session, "do_orm_execute", _insert_before_reads)
        del session.info[_BATCH]


def _insert_before_reads(state: ORMExecuteState) -> None:
    batch = state.session.info.get(_BATCH)
    if state.is_select and batch is not None and batch.unwritten < len(batch.pending):
        batch.insert_records(state.session)


def append_entry(session: Session, *, record: Record, author: str, now: datetime) -> LedgerEntry:
    """Append the entry committing to a stored record's current content (the record is not written)."""
    return append_entries(session, [(record, author, now)])[0]


def append_entries(session: Session, appends: Sequence[tuple[Record, str, datetime]]) -> list[LedgerEntry]:
    """Append the entries committing to each stored (record, author, time)'s content, in order; returns them.

    The records must be in the session or the database already (pending changes are flushed first)."""
    if not appends:
        return []
    session.flush()
    first = _allocate_seqs(session, len(appends))
    leaves: list[bytes] = []
    rows = [
        _entry_row(first + number, record, author, format_time(now), salt, record_content(record), leaves)
        for number, ((record, author, now), salt) in enumerate(
            zip(appends, new_salts(len(appends)), strict=True)
        )
    ]
    _insert_entry_rows(session, first, rows, leaves)
    return [LedgerEntry(*row[: len(ENTRY_FIELDS)]) for row in rows]


def _write_appends(
    session: Session, appends: Sequence[tuple[Record, str, datetime]], *, records_from: int = 0
) -> None:
    """Insert the new records of `appends` (from `records_from` on: the others are in already) and the
    entries of all of them: one INSERT (executemany, or COPY) per kind of record, one of the entries.

    Each record's row, content, commitment and entry are made in one pass, and only the rows are kept: the
    content's objects are freed at once (kept for the whole batch, they were enough new objects to set off
    the garbage collector's full passes, a tenth of the time of a batch)."""
    if not appends:
        return
    session.flush()  # whatever the ORM holds goes first, as it would in the ORM's own order
    first = _allocate_seqs(session, len(appends))
    by_layout: dict[RowLayout, list[list[Any]]] = {}
    entries: list[tuple[Any, ...]] = []
    leaves: list[bytes] = []
    times: dict[datetime, str] = {}
    for number, ((record, author, now), salt) in enumerate(
        zip(appends, new_salts(len(appends)), strict=True)
    ):
        layout = layout_of(type(record))
        row, content = layout.row_and_content(record)
        if number >= records_from:
            rows = by_layout.get(layout)
            if rows is None:
                rows = by_layout[layout] = []
            rows.append(row)
        time_text = times.get(now) or times.setdefault(now, format_time(now))
        entries.append(_entry_row(first + number, record, author, time_text, salt, content, leaves))
    insert_rows(session.connection(), by_layout)
    _insert_entry_rows(session, first, entries, leaves)


def _entry_row(
    seq: int,
    record: Record,
    author: str,
    time_text: str,
    salt: bytes,
    content: dict[str, Any] | None,
    leaves: list[bytes],
) -> tuple[Any, ...]:
    """The values of `_ENTRY_COLUMNS` of a record's entry; its leaf hash goes to `leaves`. `content` is
    `RowLayout.row_and_content`'s, or None: then it is `record_content` of the record."""
    commitment_hex = (
        commitment(record_content(record), salt) if content is None else commitment_of_plain(content, salt)
    )
    kind, record_id = record.ledger_kind(), record.id
    if type(author) is not str or not author or type(record_id) is not str or not record_id:
        LedgerEntry(seq, kind, record_id, author, time_text, commitment_hex)  # its checks: InvalidInput
    leaf = hash_leaf(
        entry_bytes_of(
            seq=seq, kind=kind, record_id=record_id, author=author, time=time_text, commitment=commitment_hex
        )
    )
    leaves.append(leaf)
    return (seq, kind, record_id, author, time_text, commitment_hex, salt.hex(), leaf.hex(), _JSON_NULL)


def _insert_entry_rows(
    session: Session, first: int, rows: list[tuple[Any, ...]], leaves: list[bytes]
) -> None:
    """Insert entry rows (`_entry_row`) numbered from `first`, with one executemany INSERT (or COPY)."""
    connection = session.connection()
    driver_insert(_statements().entries, _ENTRY_COLUMNS, connection.dialect).execute(connection, rows)
    _note_leaves(session, first, leaves)
    session.info[APPENDED] = True  # the unit of work seals it into a signed checkpoint


def _note_leaves(session: Session, first: int, leaves: list[bytes]) -> None:
    """Keep the transaction's new leaf hashes, so its checkpoint need not read them back."""
    transaction = session.get_transaction()
    known = session.info.get(_LEAVES)
    if known is not None and known[0] is transaction and known[1] + len(known[2]) == first:
        known[2].extend(leaves)
    else:
        session.info[_LEAVES] = (transaction, first, leaves)


def _allocate_seqs(session: Session, count: int) -> int:
    """The first of `count` fresh sequence numbers. The transaction's first append reads `max(seq)` once,
    while holding the ledger's lock (an advisory lock on PostgreSQL; SQLite has one writer at a time, and a
    second would fail to commit, never reuse a number); later appends in it count on from memory."""
    transaction = session.get_transaction()
    known = session.info.get(_NEXT_SEQ)
    if known is not None and known[0] is transaction:
        first: int = known[1]
    else:
        connection = session.connection()  # not session.execute: a query there would run the batch's hook
        _lock_ledger(connection)
        last = connection.scalar(_statements().max_seq)
        first = 0 if last is None else last + 1
    if first + count - 1 > MAX_SEQ:
        raise InvalidInput(f"entry seq must be at most 2^53-1, the log would reach {first + count - 1}")
    session.info[_NEXT_SEQ] = (transaction, first + count)
    return first


def lock_for_writing(session: Session) -> None:
    """Hold the write lock till the transaction ends, for a write that decides on what it reads first: the
    ledger's advisory lock (PostgreSQL), or BEGIN IMMEDIATE (SQLite) unless the transaction wrote already."""
    connection = session.connection()
    _lock_ledger(connection)
    driver_connection = connection.connection.driver_connection
    if connection.dialect.name == "sqlite" and driver_connection and not driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_ledger(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":  # appends and checkpoints in turn: seq numbers stay dense
        connection.execute(_statements().lock_ledger, {"key": _PG_LEDGER_LOCK})


def _known_size(session: Session) -> int | None:
    """The tree size after this transaction's appends, when it appended (it holds the ledger's lock)."""
    known = session.info.get(_NEXT_SEQ)
    if known is not None and known[0] is session.get_transaction():
        return int(known[1])
    return None


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
    only the leaves appended since are hashed into it (those this transaction appended are known without
    reading them back), so a checkpoint costs O(new entries), not O(log size). Checkpoints are signed one
    at a time (an advisory lock on PostgreSQL; SQLite writes one at a time), so their sizes grow with their
    ids."""
    connection = session.connection()
    _lock_ledger(connection)
    latest = _latest_with_cosignatures(connection)
    size = _known_size(session)
    if size is None:
        size = tree_size(session)
    if latest is not None and latest[0].size == size:
        return session.get(CheckpointRow, latest[0].id) or latest[0]
    if tree is None:
        tree = merkle.MerkleAccumulator()
    elif tree.size > size:  # entries were removed behind the ledger's back: start again from what is stored
        tree.clear()
    known = session.info.get(_LEAVES)
    if known is not None and known[0] is session.get_transaction() and known[1] <= tree.size:
        for leaf in known[2][tree.size - known[1] : size - known[1]]:
            tree.append(leaf)
    if tree.size < size:
        query = select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq >= tree.size)
        for leaf_hash in connection.scalars(query.order_by(LedgerEntryRow.seq).limit(size - tree.size)):
            tree.append(bytes.fromhex(leaf_hash))
    extensions = () if latest is None else (chain_line(*latest),)
    body = Checkpoint(origin=origin, size=size, root_hash=tree.root(), extensions=extensions).body()
    note = sign_note(body, [signer])
    inserted = connection.execute(_statements().insert_checkpoint, {"size": size, "note": note})
    return CheckpointRow(id=inserted.scalar_one(), size=size, note=note)


def _latest_with_cosignatures(connection: Connection) -> tuple[CheckpointRow, list[CosignatureRow]] | None:
    """The newest checkpoint and its cosignatures, read with one query."""
    rows = connection.execute(_statements().latest_checkpoint).all()
    if not rows:
        return None
    checkpoint = CheckpointRow(id=rows[0].id, size=rows[0].size, note=rows[0].note)
    return checkpoint, [CosignatureRow(line=row.line) for row in rows if row.line is not None]


@dataclass(frozen=True, slots=True)
class _Statements:
    """The statements of an append and its checkpoint, built once: building one costs more than running it."""

    max_seq: Select[int | None]
    lock_ledger: TextClause
    latest_checkpoint: Select[int, int, str, str]
    insert_checkpoint: ReturningInsert[int]
    entries: Table  # inserted by the driver (`driver_insert`)


@cache
def _statements() -> _Statements:
    entries = LedgerEntryRow.__table__
    assert isinstance(entries, Table)
    newest = select(CheckpointRow.id).order_by(CheckpointRow.id.desc()).limit(1).scalar_subquery()
    return _Statements(
        max_seq=select(func.max(LedgerEntryRow.seq)),
        lock_ledger=text("SELECT pg_advisory_xact_lock(:key)"),
        latest_checkpoint=select(
            CheckpointRow.id, CheckpointRow.size, CheckpointRow.note, CosignatureRow.line
        )
        .outerjoin(CosignatureRow, CosignatureRow.checkpoint_id == CheckpointRow.id)
        .where(CheckpointRow.id == newest)
        .order_by(CosignatureRow.id),
        insert_checkpoint=insert(CheckpointRow).returning(CheckpointRow.id),
        entries=entries,
    )


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
