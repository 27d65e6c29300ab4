"""The tamper suite: every single-row change an insider can make to the tables is detected by verify.

For every table: each column of its one row updated, the row deleted, a copy inserted under a new id (record
tables); for the ledger: each entry column updated, each entry deleted, a checkpoint or cosignature deleted
or its text changed. Then the rewrites that keep the log consistent: every record changed and re-appended
under its own id, and every event kind appended naming a subject that does not exist. A change that verify
does not report fails the test and is named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.builders import add_one_of_each, one_of_each_record
from tests.ledger.test_verify_database import _allow_dangling_references, _changed
from truceline.audit import verify_database
from truceline.db.base import Record
from truceline.errors import TrucelineError, VerificationError
from truceline.ledger.models import CheckpointRow, CosignatureRow, LedgerEntryRow
from truceline.ledger.notes import cosign, parse_note
from truceline.ledger.service import add_record, append_entry
from truceline.ledger.signing import Signer
from truceline.records import RECORD_MODELS
from truceline.runtime import Runtime

WITNESS = Signer(name="af-witness", seed=bytes(32))


def _world(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
    with runtime.transaction() as session:
        checkpoint = session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc())).first()
        assert checkpoint is not None
        line = cosign(parse_note(checkpoint.note).body, WITNESS, 1_760_000_000)
        session.add(CosignatureRow(checkpoint_id=checkpoint.id, witness=WITNESS.name, line=line))
    with runtime.transaction() as session:  # a later write: the next checkpoint chains the cosignature
        record = next(r for r in one_of_each_record() if r.ledger_kind() == "talks_rounds")
        add_record(session, _copy(record, id="t-2"), author="t", now=LATER)


LATER = datetime(2025, 12, 1, tzinfo=UTC)
Tamper = Callable[[Session], None]


def _copy(record: Record, **changes: object) -> Record:
    columns = {attr.key: getattr(record, attr.key) for attr in sa.inspect(type(record)).column_attrs}
    return type(record)(**{**columns, **changes})


def _sql(statement: str, params: dict[str, object]) -> Tamper:
    return lambda session: session.execute(text(statement), params) and None


def _re_append(model: type[Record], record_id: str) -> Tamper:
    """Change a record with SQL and append a fresh entry committing to it, as an 'update' would."""

    def tamper(session: Session) -> None:
        record = session.get(model, record_id)
        assert record is not None
        record.created_by = "rewritten"
        session.flush()
        append_entry(session, record=record, author="insider", now=LATER)

    return tamper


def _event_without_subject(model: type[Record], record_id: str) -> Tamper:
    """Append a new event (with its entry) naming a subject that was never logged."""
    assert model.ledger_subject is not None
    column = model.ledger_subject[0]

    def tamper(session: Session) -> None:
        record = session.get(model, record_id)
        assert record is not None
        add_record(
            session, _copy(record, id="forged-2", **{column: "nothing-1"}), author="insider", now=LATER
        )

    return tamper


def _plain_type(column: sa.Column[object]) -> object:
    kind = column.type
    if hasattr(kind, "impl"):
        kind = kind.impl if isinstance(kind.impl, sa.types.TypeEngine) else kind.impl()
    return kind


def _changes(session: Session) -> Iterator[tuple[str, Tamper]]:
    """(name, change) of every single-row change and every rewrite to try."""
    for model in RECORD_MODELS:
        table = model.__table__
        record_id = session.scalars(select(model.id).order_by(model.id)).first()
        assert record_id is not None, model
        for column in table.columns:
            if column.name == "id":
                continue
            value = session.execute(select(column).where(table.c.id == record_id)).scalar()
            yield (
                f"update {table.name}.{column.name}",
                _sql(
                    f'UPDATE {table.name} SET "{column.name}" = :v WHERE id = :k',
                    {"v": _changed(value, _plain_type(column)), "k": record_id},
                ),
            )
        yield f"delete {table.name}", _sql(f"DELETE FROM {table.name} WHERE id = :k", {"k": record_id})
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        copied = ", ".join(":new" if c.name == "id" else f'"{c.name}"' for c in table.columns)
        yield (
            f"insert into {table.name}",
            _sql(
                f"INSERT INTO {table.name} ({names}) SELECT {copied} FROM {table.name} WHERE id = :k",
                {"k": record_id, "new": "forged-1"},
            ),
        )
        yield f"rewrite {table.name} and re-append it", _re_append(model, record_id)
        if model.ledger_subject is not None:
            yield (
                f"append a {table.name} row naming no {model.ledger_subject[1]}",
                _event_without_subject(model, record_id),
            )
    for column in ("kind", "record_id", "author", "time", "commitment", "salt", "leaf_hash"):
        value = {"time": "2020-01-01T00:00:00.000000Z"}.get(
            column, "tampered" if column in {"kind", "record_id", "author"} else "00" * 32
        )
        yield (
            f"update ledger_entries.{column}",
            _sql(f'UPDATE ledger_entries SET "{column}" = :v WHERE seq = 3', {"v": value}),
        )
    size = session.scalar(sa.func.count(LedgerEntryRow.seq)) or 0
    for seq in range(size):
        yield f"delete ledger entry {seq}", _sql("DELETE FROM ledger_entries WHERE seq = :s", {"s": seq})
    first, *_rest, last = session.scalars(select(CheckpointRow.id).order_by(CheckpointRow.id)).all()
    yield "delete a checkpoint", _sql("DELETE FROM ledger_checkpoints WHERE id = :i", {"i": first})
    yield (
        "change a checkpoint note",
        _sql("UPDATE ledger_checkpoints SET note = note || 'x' WHERE id = :i", {"i": last}),
    )
    yield "delete a cosignature", _sql("DELETE FROM ledger_cosignatures", {})
    yield "change a cosignature", _sql("UPDATE ledger_cosignatures SET line = replace(line, 'A', 'B')", {})


def test_every_single_row_change_is_detected(runtime: Runtime) -> None:
    _world(runtime)
    witnesses = {WITNESS.name: WITNESS.verifier()}
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier, witnesses=witnesses)
        changes = list(_changes(session))
    missed: list[str] = []
    refused: list[str] = []
    for name, change in changes:
        with runtime.sessions() as session:
            session.begin()
            try:
                _allow_dangling_references(session)
                try:
                    # No savepoint: SQLite's driver opens no transaction before one, so releasing it
                    # would commit the change and leave it in place for every later try.
                    change(session)
                    session.flush()
                except (sa.exc.IntegrityError, sa.exc.DataError):
                    refused.append(name)  # the schema itself refuses it (a unique column): nothing to detect
                    continue
                try:
                    verify_database(session, log_verifier=runtime.log_verifier, witnesses=witnesses)
                    missed.append(name)
                except VerificationError:
                    pass
                except TrucelineError as exc:  # anything else must still be a reported failure
                    pytest.fail(f"{name}: {exc}")
            finally:
                session.rollback()
    with runtime.sessions() as session:  # every change was rolled back: each try started from the same state
        verify_database(session, log_verifier=runtime.log_verifier, witnesses=witnesses)
    assert len(changes) > 250
    assert missed == [], f"{len(missed)} of {len(changes)} changes went unnoticed: {missed}"
    assert {"rewrite users and re-append it", "append a user_events row naming no users"} <= {
        name for name, _ in changes
    }
    print(
        f"tamper suite: {len(changes)} tried, {len(changes) - len(refused)} detected, {len(refused)} refused"
    )
