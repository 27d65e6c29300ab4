"""Recompute the whole ledger from the database: entries, record commitments, checkpoints, cosignatures.

It replays every record kind (`records.RECORD_MODELS`, and accounts from their events), so it sits above the
domains, beside `records.py`, not in `ledger/`, which every domain imports to append (no import circle)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from sqlalchemy import JSON, ScalarSelect, Select, Text, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from truceline.db.base import Record
from truceline.errors import InvalidInput, TrucelineError, VerificationError
from truceline.ledger.encoding import MAX_SEQ, LedgerEntry, parse_time
from truceline.ledger.merkle import MerkleAccumulator, hash_leaf
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.ledger.notes import parse_checkpoint, parse_note, verify_cosignature, verify_note
from truceline.ledger.service import CHAIN_PREFIX, chain_line, record_columns
from truceline.ledger.signing import Verifier
from truceline.ledger.stored import stored_commitment
from truceline.records import RECORD_MODELS
from truceline.users.accounts import account_of, apply_event
from truceline.users.models import User, UserEvent


@dataclass(frozen=True, slots=True)
class VerifyReport:
    entries: int
    records: int
    checkpoints: int
    cosignatures: int
    unsigned_entries: int
    evidence_files: int = 0


# Rows fetched per round trip while streaming (a server-side cursor on PostgreSQL): memory stays bounded.
_STREAM_ROWS = 2000


def verify_database(
    session: Session, *, log_verifier: Verifier, witnesses: Mapping[str, Verifier] | None = None
) -> VerifyReport:
    """Return a report when all matches; raise VerificationError naming the first entry that does not.

    Streams: the entries are read once in seq order and the records table by table, a few thousand rows at
    a time, and what spans tables (one entry per record, a record per entry, subjects logged first) is
    asked of the database with joins, so memory does not grow with the log."""
    session.expire_all()  # read what the database holds now, not what this session remembers
    problems: list[tuple[int, str]] = []
    checkpoints_rows = list(
        session.scalars(select(CheckpointRow).order_by(CheckpointRow.size, CheckpointRow.id))
    )
    scan = _scan_entries(session, wanted={row.size for row in checkpoints_rows}, problems=problems)
    _check_one_entry_per_record(session, problems)
    records = 0
    for model in RECORD_MODELS:
        records += _verify_records(session, model, problems, at=scan.count)
    _check_entries_have_records(session, problems)
    _verify_accounts(session, problems)

    leaf_problems = list(problems)
    checkpoints, cosignatures = _verify_checkpoints(
        session, checkpoints_rows, scan, log_verifier, witnesses or {}, leaf_problems
    )
    problems.extend(p for p in leaf_problems if p not in problems)
    if problems:
        seq, message = min(problems)
        raise VerificationError(message, seq=seq)
    signed = checkpoints[-1] if checkpoints else 0
    return VerifyReport(
        entries=scan.count,
        records=records,
        checkpoints=len(checkpoints),
        cosignatures=cosignatures,
        unsigned_entries=scan.count - signed,
    )


@dataclass(frozen=True, slots=True)
class _EntryScan:
    count: int
    roots: dict[int, bytes]  # tree root at each size a checkpoint names (and at most the log's size)


_ENTRY_COLUMNS = (
    LedgerEntryRow.seq,
    LedgerEntryRow.kind,
    LedgerEntryRow.record_id,
    LedgerEntryRow.author,
    LedgerEntryRow.time,
    LedgerEntryRow.commitment,
    LedgerEntryRow.leaf_hash,
)


def _scan_entries(session: Session, *, wanted: set[int], problems: list[tuple[int, str]]) -> _EntryScan:
    """One pass over the entries in seq order: numbering, each leaf hash recomputed from the six fields,
    and the tree root at every checkpointed size (from the stored leaf hashes, as a reader would)."""
    query = select(*_ENTRY_COLUMNS).order_by(LedgerEntryRow.seq).execution_options(yield_per=_STREAM_ROWS)
    accumulator = MerkleAccumulator()
    roots: dict[int, bytes] = {0: accumulator.root()} if 0 in wanted else {}
    stops = sorted(size for size in wanted if size > 0)
    is_numbered = True
    for rows in session.connection().execute(query).partitions():
        leaf_hashes: list[bytes] = []
        for row in rows:
            index = accumulator.size + len(leaf_hashes)
            if is_numbered and row.seq != index:
                problems.append((index, f"entry {index} is missing (found entry {row.seq} in its place)"))
                is_numbered = False  # after a gap every number is off: the first one names the problem
            leaf_hash = None
            if is_numbered:
                try:
                    leaf_hash = hash_leaf(_entry_bytes(*row[:6]))
                except TrucelineError as exc:
                    problems.append((row.seq, f"{_name(row)}: {exc}"))
                if leaf_hash is not None and leaf_hash.hex() != row.leaf_hash:
                    problems.append((row.seq, f"{_name(row)}: its fields do not match its leaf hash"))
                    leaf_hash = None
            leaf_hashes.append(leaf_hash or _stored_leaf_hash(row.leaf_hash))
        _extend_taking_roots(accumulator, leaf_hashes, stops, roots)
    return _EntryScan(count=accumulator.size, roots=roots)


def _extend_taking_roots(
    accumulator: MerkleAccumulator, leaf_hashes: list[bytes], stops: list[int], roots: dict[int, bytes]
) -> None:
    """Extend the tree by a batch of leaves, keeping its root at each size in `stops` (sorted) it passes."""
    start = 0
    end = accumulator.size + len(leaf_hashes)
    for size in stops[bisect_right(stops, accumulator.size) : bisect_right(stops, end)]:
        stop = start + size - accumulator.size
        accumulator.extend(leaf_hashes[start:stop])
        roots[size] = accumulator.root()
        start = stop
    accumulator.extend(leaf_hashes[start:])


# An entry's bytes (§1) when no string needs escaping: what `LedgerEntry.to_bytes` writes, spelled out.
_PLAIN_ENTRY = re.compile(
    r'\{"author":"[^"\\\x00-\x1f]+","commitment":"[0-9a-f]{64}","kind":"[^"\\\x00-\x1f]+",'
    r'"record_id":"[^"\\\x00-\x1f]+","seq":[0-9]+,"time":"[^"]+"\}'
)


def _entry_bytes(seq: Any, kind: Any, record_id: Any, author: Any, time: Any, commitment_hex: Any) -> bytes:
    """`LedgerEntry(...).to_bytes()` of a row's six fields: written out directly when they are strings with
    nothing to escape and a seq and time `LedgerEntry` accepts, three times faster; otherwise through
    `LedgerEntry`, which raises what is wrong. The fields are as stored: nothing about them is trusted."""
    if (
        type(seq) is int
        and 0 <= seq <= MAX_SEQ
        and all(type(value) is str for value in (kind, record_id, author, time, commitment_hex))
    ):
        text = (
            f'{{"author":"{author}","commitment":"{commitment_hex}","kind":"{kind}",'
            f'"record_id":"{record_id}","seq":{seq},"time":"{time}"}}'
        )
        if _PLAIN_ENTRY.fullmatch(text):
            try:
                parse_time(time)
                return text.encode()
            except (InvalidInput, UnicodeEncodeError):
                pass  # LedgerEntry below says what is wrong
    entry = LedgerEntry(
        seq=seq, kind=kind, record_id=record_id, author=author, time=time, commitment=commitment_hex
    )
    return entry.to_bytes()


def _check_one_entry_per_record(session: Session, problems: list[tuple[int, str]]) -> None:
    """A record is never rewritten: a change is a new record that names its predecessor, a state change is
    an event record naming its subject. So every (kind, record id) has one entry; each later one is named
    with the one before it."""
    repeated = (
        select(LedgerEntryRow.kind, LedgerEntryRow.record_id)
        .group_by(LedgerEntryRow.kind, LedgerEntryRow.record_id)
        .having(func.count() > 1)
        .subquery()
    )
    query = (
        select(*_ENTRY_COLUMNS)
        .join(
            repeated,
            (LedgerEntryRow.kind == repeated.c.kind) & (LedgerEntryRow.record_id == repeated.c.record_id),
        )
        .order_by(LedgerEntryRow.kind, LedgerEntryRow.record_id, LedgerEntryRow.seq)
    )
    earlier: _NamedEntry | None = None
    for row in session.execute(query):
        if earlier is not None and (earlier.kind, earlier.record_id) == (row.kind, row.record_id):
            problems.append(
                (
                    row.seq,
                    f"{_name(row)}: a second entry for the record of {_name(earlier)}; records never change",
                )
            )
        earlier = row


def _first_seq(kind: str, record_id: Any) -> ScalarSelect[Any]:
    """The seq of the first entry of a record of `kind` (NULL when it has none), looked up by record id."""
    entry = aliased(LedgerEntryRow)  # never correlated with the entries the outer query reads
    return (
        select(func.min(entry.seq)).where(entry.kind == kind, entry.record_id == record_id).scalar_subquery()
    )


def _latest_seq(kind: str, record_id: Any) -> ScalarSelect[Any]:
    """The seq of the latest entry of a record of `kind` (NULL when it has none)."""
    entry = aliased(LedgerEntryRow)
    return (
        select(func.max(entry.seq)).where(entry.kind == kind, entry.record_id == record_id).scalar_subquery()
    )


@cache
def _records_query(
    model: type[Record],
) -> tuple[tuple[tuple[str, str], ...], list[bool], int, int | None, Select[Any]]:
    """What `_verify_records` reads of one table, built once per table (building the query cost more than
    running it on a small database): the columns, which are JSON, the position of the id and of the
    subject, and the query."""
    kind = model.ledger_kind()
    columns = record_columns(model)
    keys = [key for _, key in columns]
    width = len(columns)
    id_index = keys.index("id")
    # JSON columns are read as their text and parsed here, as the column type would (`json.loads`), at
    # less than half the cost per value: a record has several and each costs as much as the rest of its row.
    json_indexes = {i for i, key in enumerate(keys) if isinstance(getattr(model, key).type, JSON)}
    is_json = [i in json_indexes for i in range(width)]
    selected: list[Any] = [
        cast(getattr(model, key), Text) if i in json_indexes else getattr(model, key)
        for i, key in enumerate(keys)
    ]
    selected += [LedgerEntryRow.seq, LedgerEntryRow.commitment, LedgerEntryRow.salt]
    subject_index = None
    if model.ledger_subject is not None:
        column_key, subject_kind = model.ledger_subject
        subject_index = keys.index(column_key)
        selected.append(_first_seq(subject_kind, getattr(model, column_key)))
    # Each record joined with its entries (by the record_id index); a record with two entries comes twice,
    # in seq order, and is checked against the latest (the second is named by the one-entry-per-record check).
    query = (
        select(*selected)
        .outerjoin(LedgerEntryRow, (LedgerEntryRow.record_id == model.id) & (LedgerEntryRow.kind == kind))
        .order_by(model.id, LedgerEntryRow.seq)
        .execution_options(yield_per=_STREAM_ROWS)
    )
    return columns, is_json, id_index, subject_index, query


def _verify_records(
    session: Session, model: type[Record], problems: list[tuple[int, str]], *, at: int
) -> int:
    """Each record of one table against its (latest) entry: the commitment from its columns and salt, its
    predecessor present, its subject logged before it. Returns how many records there are."""
    kind = model.ledger_kind()
    columns, is_json, id_index, subject_index, query = _records_query(model)
    width = len(columns)
    records = 0
    rows = iter(session.connection().execute(query))
    row = next(rows, None)
    while row is not None:
        following = next(rows, None)
        if following is not None and following[id_index] == row[id_index]:
            row = following
            continue
        records += 1
        values = row[:width]
        record_id = values[id_index]
        seq, expected, salt_hex = row[width], row[width + 1], row[width + 2]
        if seq is None:
            problems.append((at, f"{kind} {record_id!r} has no ledger entry"))
            row = following
            continue
        where = f"entry {seq} ({kind} {record_id!r})"
        if subject_index is not None and model.ledger_subject is not None:
            subject_kind = model.ledger_subject[1]
            subject_id, subject_seq = values[subject_index], row[width + 3]
            if subject_seq is None:
                problems.append(
                    (seq, f"{where}: names {subject_kind} {subject_id!r}, which has no ledger entry")
                )
            elif subject_seq > seq:
                subject_name = f"entry {subject_seq} ({subject_kind} {subject_id!r})"
                problems.append((seq, f"{where}: names {subject_name}, which is logged after it"))
        try:
            matches = stored_commitment(columns, values, is_json, bytes.fromhex(salt_hex)) == expected
        except (TrucelineError, ValueError):  # a JSON column's text that is not JSON is a changed record
            matches = False
        if not matches:
            problems.append((seq, f"{where}: the record does not match its commitment"))
        row = following
    _check_predecessors(session, model, problems, at=at)
    return records


@cache
def _predecessors_query(model: type[Record]) -> Select[Any]:
    predecessor = aliased(model)
    return select(model.id, model.supersedes_id, _latest_seq(model.ledger_kind(), model.id)).where(
        model.supersedes_id.is_not(None),
        ~select(predecessor.id).where(predecessor.id == model.supersedes_id).exists(),
    )


def _check_predecessors(
    session: Session, model: type[Record], problems: list[tuple[int, str]], *, at: int
) -> None:
    """A record whose `supersedes_id` names a record of its kind that is not there."""
    kind = model.ledger_kind()
    for record_id, supersedes_id, seq in session.execute(_predecessors_query(model)):
        name = f"entry {seq} ({kind} {record_id!r})" if seq is not None else f"{kind} {record_id!r}"
        problems.append(
            (at if seq is None else seq, f"{name}: supersedes {supersedes_id!r}, which is missing")
        )


@cache
def _entries_without_records() -> Select[int, str, str]:
    kinds = {model.ledger_kind(): model for model in RECORD_MODELS}
    missing = [
        (LedgerEntryRow.kind == kind) & ~select(model.id).where(model.id == LedgerEntryRow.record_id).exists()
        for kind, model in kinds.items()
    ]
    query = select(LedgerEntryRow.seq, LedgerEntryRow.kind, LedgerEntryRow.record_id).where(
        or_(LedgerEntryRow.kind.not_in(list(kinds)), *missing)
    )
    return query.execution_options(yield_per=_STREAM_ROWS)


def _check_entries_have_records(session: Session, problems: list[tuple[int, str]]) -> None:
    """An entry whose record is not in its table, or whose kind has no table, named by the latest entry
    of that record (one pass over the entries; each record looked up by its primary key)."""
    latest: dict[tuple[str, str], int] = {}
    for seq, kind, record_id in session.execute(_entries_without_records()):
        latest[(kind, record_id)] = max(seq, latest.get((kind, record_id), seq))
    for (kind, record_id), seq in latest.items():
        problems.append((seq, f"entry {seq} ({kind} {record_id!r}): the record is missing"))


def _verify_accounts(session: Session, problems: list[tuple[int, str]]) -> None:
    """Derive every account's current state from its user record and its events in ledger order, with the
    fold the app uses (`users.accounts`); an event that cannot be applied is named."""
    accounts = {user.id: account_of(user) for user in session.scalars(select(User))}
    first = _first_seq(UserEvent.ledger_kind(), UserEvent.id).label("seq")
    query = (
        select(UserEvent, first)
        .where(first.is_not(None))  # an event with no entry is already named
        .order_by(first)
        .execution_options(yield_per=_STREAM_ROWS)
    )
    for event, seq in session.execute(query):
        if event.user_id not in accounts:
            continue  # already named: its subject has no record
        try:
            accounts[event.user_id] = apply_event(accounts[event.user_id], event)
        except InvalidInput as exc:
            problems.append((seq, f"entry {seq} ({UserEvent.ledger_kind()} {event.id!r}): {exc}"))


def _verify_checkpoints(
    session: Session,
    rows: list[CheckpointRow],
    scan: _EntryScan,
    log_verifier: Verifier,
    witnesses: Mapping[str, Verifier],
    problems: list[tuple[int, str]],
) -> tuple[list[int], int]:
    """Check every checkpoint's signature and root; returns the verified sizes and the cosignature count."""
    roots, count = scan.roots, scan.count
    sizes: list[int] = []
    good_size = 0

    def report(size: int, message: str) -> None:
        # A problem already named inside the range explains a failing checkpoint better than itself.
        if not any(good_size <= seq < max(size, good_size + 1) for seq, _ in problems):
            problems.append((min(good_size, max(count - 1, 0)), message))

    for row in rows:
        try:
            checkpoint = parse_checkpoint(verify_note(row.note, [log_verifier]).body)
        except TrucelineError as exc:
            report(row.size, f"checkpoint {row.id} (size {row.size}): {exc}")
            continue
        if checkpoint.size != row.size:
            report(row.size, f"checkpoint {row.id}: size column {row.size} but note says {checkpoint.size}")
        elif checkpoint.size not in roots:
            report(row.size, f"checkpoint {row.id}: covers {checkpoint.size} entries, log has {count}")
        elif roots[checkpoint.size] != checkpoint.root_hash:
            report(
                checkpoint.size,
                f"entries {good_size}..{checkpoint.size - 1}: tree root differs from checkpoint {row.id}",
            )
        else:
            good_size = checkpoint.size
            sizes.append(checkpoint.size)
    _verify_chain(session, rows, problems, at=count)
    cosignatures = 0
    by_id = {row.id: row for row in rows}
    for cosig in session.scalars(select(CosignatureRow).order_by(CosignatureRow.id)):
        cosignatures += 1
        checkpoint_row = by_id.get(cosig.checkpoint_id)
        verifier = witnesses.get(cosig.witness)
        if checkpoint_row is None or verifier is None:
            problems.append(
                (count, f"cosignature {cosig.id}: unknown checkpoint or witness {cosig.witness!r}")
            )
            continue
        body = parse_checkpoint(verify_note(checkpoint_row.note, [log_verifier]).body).body()
        try:
            verify_cosignature(body, cosig.line, verifier)
        except TrucelineError as exc:
            problems.append((count, f"cosignature {cosig.id} by {cosig.witness}: {exc}"))
    return sizes, cosignatures


def _verify_chain(
    session: Session, rows: list[CheckpointRow], problems: list[tuple[int, str]], *, at: int
) -> None:
    """Each checkpoint names the one signed before it (and the cosignatures it then had): a deleted
    checkpoint or cosignature breaks the chain."""
    ordered = sorted(rows, key=lambda row: row.id)
    for previous, row in zip([None, *ordered], ordered, strict=False):
        try:
            extensions = parse_checkpoint(parse_note(row.note).body).extensions
        except TrucelineError:
            continue  # an unreadable note is reported by the signature check
        chain = [line for line in extensions if line.startswith(CHAIN_PREFIX + " ")]
        if previous is None:
            if chain:
                problems.append(
                    (at, f"checkpoint {row.id}: names a predecessor, but none is stored before it")
                )
            continue
        cosigs = list(
            session.scalars(
                select(CosignatureRow)
                .where(CosignatureRow.checkpoint_id == previous.id)
                .order_by(CosignatureRow.id)
            )
        )
        count = _chained_count(chain[0]) if chain else 0
        expected = chain_line(previous, cosigs[:count])
        if chain != [expected]:
            problems.append(
                (
                    at,
                    f"checkpoint {row.id}: does not chain to checkpoint {previous.id} before it "
                    "(a checkpoint or a cosignature was deleted or changed)",
                )
            )


def _chained_count(line: str) -> int:
    parts = line.split(" ")
    return int(parts[3]) if len(parts) == 5 and parts[3].isdigit() else -1


class _NamedEntry(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def record_id(self) -> str: ...


def _name(row: _NamedEntry) -> str:
    return f"entry {row.seq} ({row.kind} {row.record_id!r})"


def _stored_leaf_hash(leaf_hash: str) -> bytes:
    """The stored leaf hash; a malformed one (already reported) counts as all zeros."""
    try:
        value = bytes.fromhex(leaf_hash)
    except (TypeError, ValueError):
        return bytes(32)
    return value if len(value) == 32 else bytes(32)
