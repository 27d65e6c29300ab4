"""Recompute the whole ledger from the database: entries, record commitments, checkpoints, cosignatures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.db.base import Record
from truceline.db.registry import RECORD_MODELS
from truceline.errors import InvalidInput, TrucelineError, VerificationError
from truceline.ledger.encoding import commitment
from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.ledger.notes import parse_checkpoint, parse_note, verify_cosignature, verify_note
from truceline.ledger.service import CHAIN_PREFIX, chain_line, entry_of, record_content
from truceline.ledger.signing import Verifier
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


def verify_database(
    session: Session, *, log_verifier: Verifier, witnesses: Mapping[str, Verifier] | None = None
) -> VerifyReport:
    """Return a report when all matches; raise VerificationError naming the first entry that does not."""
    session.expire_all()  # read what the database holds now, not what this session remembers
    problems: list[tuple[int, str]] = []
    entries = list(session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)))
    first_by_record: dict[tuple[str, str], LedgerEntryRow] = {}
    latest_by_record: dict[tuple[str, str], LedgerEntryRow] = {}
    for index, row in enumerate(entries):
        if row.seq != index:
            problems.append((index, f"entry {index} is missing (found entry {row.seq} in its place)"))
            break
        try:
            if entry_of(row).leaf_hash().hex() != row.leaf_hash:
                problems.append((row.seq, f"{_name(row)}: its fields do not match its leaf hash"))
        except TrucelineError as exc:
            problems.append((row.seq, f"{_name(row)}: {exc}"))
        earlier = latest_by_record.get((row.kind, row.record_id))
        if earlier is not None:
            # A record is never rewritten: a change is a new record that names its predecessor, a state
            # change is an event record naming its subject. So every record id appears once.
            problems.append(
                (
                    row.seq,
                    f"{_name(row)}: a second entry for the record of {_name(earlier)}; records never change",
                )
            )
        latest_by_record[(row.kind, row.record_id)] = row
        first_by_record.setdefault((row.kind, row.record_id), row)

    records = 0
    for model in RECORD_MODELS:
        kind = model.ledger_kind()
        ids = set(session.scalars(select(model.id)))
        for record in session.scalars(select(model)):
            records += 1
            if record.supersedes_id is not None and record.supersedes_id not in ids:
                entry = latest_by_record.get((kind, record.id))
                where = (entry.seq, _name(entry)) if entry else (len(entries), f"{kind} {record.id!r}")
                problems.append(
                    (where[0], f"{where[1]}: supersedes {record.supersedes_id!r}, which is missing")
                )
            found = latest_by_record.pop((kind, record.id), None)
            if found is None:
                problems.append((len(entries), f"{kind} {record.id!r} has no ledger entry"))
                continue
            if (problem := _subject_problem(record, found, first_by_record)) is not None:
                problems.append(problem)
            try:
                salt = bytes.fromhex(found.salt)
                matches = commitment(record_content(record), salt) == found.commitment
            except (TrucelineError, ValueError):
                matches = False
            if not matches:
                problems.append((found.seq, f"{_name(found)}: the record does not match its commitment"))
    for row in latest_by_record.values():
        problems.append((row.seq, f"{_name(row)}: the record is missing"))
    _verify_accounts(session, first_by_record, problems)

    leaf_problems = list(problems)
    checkpoints, cosignatures = _verify_checkpoints(
        session, entries, log_verifier, witnesses or {}, leaf_problems
    )
    problems.extend(p for p in leaf_problems if p not in problems)
    if problems:
        seq, message = min(problems)
        raise VerificationError(message, seq=seq)
    signed = checkpoints[-1] if checkpoints else 0
    return VerifyReport(
        entries=len(entries),
        records=records,
        checkpoints=len(checkpoints),
        cosignatures=cosignatures,
        unsigned_entries=len(entries) - signed,
    )


def _subject_problem(
    record: Record, entry: LedgerEntryRow, first_by_record: Mapping[tuple[str, str], LedgerEntryRow]
) -> tuple[int, str] | None:
    """An event record (a user disabled, a token revoked) must name a subject logged before it."""
    if record.ledger_subject is None:
        return None
    column, kind = record.ledger_subject
    subject_id = getattr(record, column)
    subject = first_by_record.get((kind, subject_id))
    if subject is None:
        return entry.seq, f"{_name(entry)}: names {kind} {subject_id!r}, which has no ledger entry"
    if subject.seq > entry.seq:
        return entry.seq, f"{_name(entry)}: names {_name(subject)}, which is logged after it"
    return None


def _verify_accounts(
    session: Session,
    first_by_record: Mapping[tuple[str, str], LedgerEntryRow],
    problems: list[tuple[int, str]],
) -> None:
    """Derive every account's current state from its user record and its events in ledger order, with the
    fold the app uses (`users.accounts`); an event that cannot be applied is named."""
    accounts = {user.id: account_of(user) for user in session.scalars(select(User))}
    logged: list[tuple[LedgerEntryRow, UserEvent]] = []
    for event in session.scalars(select(UserEvent)):
        entry = first_by_record.get((UserEvent.ledger_kind(), event.id))
        if entry is not None and event.user_id in accounts:  # otherwise already named above
            logged.append((entry, event))
    for entry, event in sorted(logged, key=lambda pair: pair[0].seq):
        try:
            accounts[event.user_id] = apply_event(accounts[event.user_id], event)
        except InvalidInput as exc:
            problems.append((entry.seq, f"{_name(entry)}: {exc}"))


def _verify_checkpoints(
    session: Session,
    entries: list[LedgerEntryRow],
    log_verifier: Verifier,
    witnesses: Mapping[str, Verifier],
    problems: list[tuple[int, str]],
) -> tuple[list[int], int]:
    """Check every checkpoint's signature and root; returns the verified sizes and the cosignature count."""
    rows = list(session.scalars(select(CheckpointRow).order_by(CheckpointRow.size, CheckpointRow.id)))
    roots: dict[int, bytes] = {}
    wanted = {row.size for row in rows}
    accumulator = MerkleAccumulator()
    if 0 in wanted:
        roots[0] = accumulator.root()
    for entry in entries:
        accumulator.append(_stored_leaf_hash(entry))
        if accumulator.size in wanted:
            roots[accumulator.size] = accumulator.root()
    sizes: list[int] = []
    good_size = 0

    def report(size: int, message: str) -> None:
        # A problem already named inside the range explains a failing checkpoint better than itself.
        if not any(good_size <= seq < max(size, good_size + 1) for seq, _ in problems):
            problems.append((min(good_size, max(len(entries) - 1, 0)), message))

    for row in rows:
        try:
            checkpoint = parse_checkpoint(verify_note(row.note, [log_verifier]).body)
        except TrucelineError as exc:
            report(row.size, f"checkpoint {row.id} (size {row.size}): {exc}")
            continue
        if checkpoint.size != row.size:
            report(row.size, f"checkpoint {row.id}: size column {row.size} but note says {checkpoint.size}")
        elif checkpoint.size not in roots:
            report(row.size, f"checkpoint {row.id}: covers {checkpoint.size} entries, log has {len(entries)}")
        elif roots[checkpoint.size] != checkpoint.root_hash:
            report(
                checkpoint.size,
                f"entries {good_size}..{checkpoint.size - 1}: tree root differs from checkpoint {row.id}",
            )
        else:
            good_size = checkpoint.size
            sizes.append(checkpoint.size)
    _verify_chain(session, rows, problems, at=len(entries))
    cosignatures = 0
    by_id = {row.id: row for row in rows}
    for cosig in session.scalars(select(CosignatureRow).order_by(CosignatureRow.id)):
        cosignatures += 1
        checkpoint_row = by_id.get(cosig.checkpoint_id)
        verifier = witnesses.get(cosig.witness)
        if checkpoint_row is None or verifier is None:
            problems.append(
                (len(entries), f"cosignature {cosig.id}: unknown checkpoint or witness {cosig.witness!r}")
            )
            continue
        body = parse_checkpoint(verify_note(checkpoint_row.note, [log_verifier]).body).body()
        try:
            verify_cosignature(body, cosig.line, verifier)
        except TrucelineError as exc:
            problems.append((len(entries), f"cosignature {cosig.id} by {cosig.witness}: {exc}"))
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


def _name(row: LedgerEntryRow) -> str:
    return f"entry {row.seq} ({row.kind} {row.record_id!r})"


def _stored_leaf_hash(row: LedgerEntryRow) -> bytes:
    """The stored leaf hash; a malformed one (already reported) counts as all zeros."""
    try:
        value = bytes.fromhex(row.leaf_hash)
    except ValueError:
        return bytes(32)
    return value if len(value) == 32 else bytes(32)
