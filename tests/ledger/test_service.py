from contextlib import nullcontext

import pytest
from sqlalchemy import func, inspect, select, text

from tests.builders import NOW, add_one_of_each, one_of_each_record
from truceline.audit import verify_database
from truceline.db.base import Record
from truceline.documents.models import Document
from truceline.errors import InvalidInput
from truceline.ledger import merkle
from truceline.ledger.models import CheckpointRow, LedgerEntryRow
from truceline.ledger.notes import parse_checkpoint, verify_note
from truceline.ledger.service import (
    add_record,
    batched_appends,
    create_checkpoint,
    latest_checkpoint,
    leaf_hashes,
    prove_consistency,
    prove_inclusion,
    record_content,
)
from truceline.runtime import Runtime


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model))


def test_a_record_and_its_entry_are_written_together(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
    with runtime.sessions() as session:
        entries = list(session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)))
        assert [e.seq for e in entries] == list(range(len(one_of_each_record())))
        assert entries[1].kind == "documents" and entries[1].record_id == "doc-1"


def test_a_failed_transaction_leaves_neither_record_nor_entry(runtime: Runtime) -> None:
    records = one_of_each_record()
    with pytest.raises(RuntimeError), runtime.transaction() as session:
        add_record(session, records[0], author="test", now=NOW)
        raise RuntimeError("crash after the write")
    with runtime.sessions() as session:
        assert _count(session, LedgerEntryRow) == 0
        assert _count(session, Document) == 0


def test_record_content_reads_back_identically_from_the_database(runtime: Runtime) -> None:
    written = {}
    with runtime.transaction() as session:
        for record in add_one_of_each(session):
            written[(record.ledger_kind(), record.id)] = record_content(record)
    with runtime.sessions() as session:
        for record in one_of_each_record():
            stored = session.get(type(record), record.id)
            assert record_content(stored) == written[(record.ledger_kind(), record.id)]


def test_checkpoint_is_reused_until_the_log_grows(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        first = create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        again = create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
        assert again.id == first.id
        assert latest_checkpoint(session).size == len(one_of_each_record())


def test_inclusion_and_consistency_proofs_from_the_database_verify(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session:
        size = latest_checkpoint(session).size
        for seq in range(size):
            p = prove_inclusion(session, seq=seq)
            merkle.verify_inclusion(leaf_hash=p.leaf_hash, index=seq, size=size, proof=p.path, root=p.root)
        c = prove_consistency(session, old_size=3, new_size=size)
        merkle.verify_consistency(
            old_size=3, new_size=size, old_root=c.old_root, new_root=c.new_root, proof=c.path
        )


def test_a_proof_for_an_entry_beyond_the_tree_is_refused(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    with runtime.sessions() as session, pytest.raises(InvalidInput, match="seq"):
        prove_inclusion(session, seq=999)


def _entries(runtime: Runtime) -> list[LedgerEntryRow]:
    with runtime.sessions() as session:
        return list(session.scalars(select(LedgerEntryRow).order_by(LedgerEntryRow.seq)))


def test_batched_appends_number_entries_in_the_order_records_were_added(runtime: Runtime) -> None:
    records = one_of_each_record()
    with runtime.transaction() as session, batched_appends(session, size=4):
        for record in records:  # a document before the claims that name it: written in that order
            add_record(session, record, author="test", now=NOW)
    entries = _entries(runtime)
    assert [(e.seq, e.kind, e.record_id) for e in entries] == [
        (seq, r.ledger_kind(), r.id) for seq, r in enumerate(records)
    ]
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier, witnesses={})


def test_a_transaction_counts_on_from_its_first_append(runtime: Runtime) -> None:
    first, *rest = one_of_each_record()
    with runtime.transaction() as session:
        add_record(session, first, author="test", now=NOW)
    with runtime.transaction() as session:
        add_record(session, rest[0], author="test", now=NOW)
        with batched_appends(session):
            for record in rest[1:-1]:
                add_record(session, record, author="test", now=NOW)
        add_record(session, rest[-1], author="test", now=NOW)
    assert [e.seq for e in _entries(runtime)] == list(range(len(rest) + 1))


def test_a_batch_that_raises_writes_no_entry(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.transaction() as session, batched_appends(session):
        for record in one_of_each_record():
            add_record(session, record, author="test", now=NOW)
        raise RuntimeError("crash inside the batch")
    with runtime.sessions() as session:
        assert _count(session, LedgerEntryRow) == 0
        assert _count(session, Document) == 0


def test_the_sealer_signs_the_root_of_every_stored_leaf_after_each_commit(runtime: Runtime) -> None:
    for record in one_of_each_record():
        with runtime.transaction() as session:
            add_record(session, record, author="test", now=NOW)
        with runtime.sessions() as session:
            checkpoint = parse_checkpoint(
                verify_note(latest_checkpoint(session).note, [runtime.log_verifier]).body
            )
            assert checkpoint.root_hash == merkle.root_from_leaf_hashes(leaf_hashes(session))


def _stored_rows(session, records) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """Every stored column of the records as the driver reads it, and as its text in the database (JSON as
    stored, SQL NULL as None; psycopg would parse JSON, and JSON null would read as SQL NULL)."""
    rows = []
    for record in records:
        table = type(record).__table__
        as_text = ", ".join(f"CAST({c.name} AS TEXT)" for c in table.columns)
        query = text(f"SELECT *, {as_text} FROM {table.name} WHERE id = :id")
        rows.append(tuple(session.execute(query, {"id": record.id}).one()))
    return rows


def _with_optional_columns_unset(record: Record) -> Record:
    """A copy of the record with only the columns that have no default and may not be NULL set."""
    required = [
        attr.key
        for attr in inspect(type(record)).column_attrs
        if not attr.columns[0].nullable and attr.columns[0].default is None
    ]
    return type(record)(**{key: getattr(record, key) for key in required})


@pytest.mark.parametrize("is_batched", [False, True], ids=["one by one", "batched"])
@pytest.mark.parametrize("is_sparse", [False, True], ids=["every column set", "optional columns unset"])
def test_records_are_stored_exactly_as_the_orm_stores_them(
    runtime: Runtime, is_batched: bool, is_sparse: bool
) -> None:
    # The ORM's unit of work is the reference: defaults, SQL NULL for unset JSON, JSON null for None. One
    # record is one INSERT; a batch is an executemany, or a COPY on PostgreSQL.
    def build() -> list[Record]:
        records = one_of_each_record()
        return [_with_optional_columns_unset(r) for r in records] if is_sparse else records

    with runtime.sessions() as session:
        by_orm = build()
        for record in by_orm:  # one at a time: the models declare no relationships to order them by
            session.add(record)
            session.flush()
        expected = _stored_rows(session, by_orm)
        session.rollback()
    records = build()
    with runtime.transaction() as session, batched_appends(session) if is_batched else nullcontext():
        for record in records:
            add_record(session, record, author="test", now=NOW)
    with runtime.sessions() as session:
        assert _stored_rows(session, records) == expected
        assert [record_content(r) for r in records] == [
            record_content(session.get(type(r), r.id)) for r in records
        ]
        verify_database(session, log_verifier=runtime.log_verifier, witnesses={})  # the commitments hold


def test_a_query_inside_a_batch_sees_the_records_queued_before_it(runtime: Runtime) -> None:
    source, document, *_ = one_of_each_record()
    with runtime.transaction() as session, batched_appends(session):
        add_record(session, source, author="test", now=NOW)
        add_record(session, document, author="test", now=NOW)
        found = session.get(Document, document.id)
        assert found is not None and found.text == document.text
        assert _count(session, LedgerEntryRow) == 0  # the entries are written when the batch is
    entries = _entries(runtime)
    assert [(e.kind, e.record_id) for e in entries] == [("sources", source.id), ("documents", document.id)]
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier, witnesses={})


def test_each_write_commits_with_its_checkpoint(runtime: Runtime) -> None:
    records = one_of_each_record()
    for number, record in enumerate(records[:3], start=1):
        with runtime.transaction() as session:
            add_record(session, record, author="test", now=NOW)
        with runtime.sessions() as session:
            assert _count(session, CheckpointRow) == number
            assert latest_checkpoint(session).size == number


def test_entries_are_stored_exactly_as_the_orm_stores_them(runtime: Runtime) -> None:
    # Entries are inserted by the driver (`driver_insert`): the ORM's unit of work is the reference.
    with runtime.transaction() as session, batched_appends(session):
        add_one_of_each(session)
    columns = [c.key for c in LedgerEntryRow.__table__.columns if c.key != "seq"]
    as_text = ", ".join(f"CAST({c} AS TEXT) AS {c}" for c in columns)  # JSON as its stored text
    query = text(f"SELECT {as_text} FROM ledger_entries WHERE seq = :seq")
    with runtime.sessions() as session:
        stored = session.get(LedgerEntryRow, 1)
        assert stored is not None
        session.add(LedgerEntryRow(seq=10_000, **{c: getattr(stored, c) for c in columns}))
        session.flush()
        by_orm = session.execute(query, {"seq": 10_000}).one()
        assert session.execute(query, {"seq": 1}).one() == by_orm
        assert by_orm.signature == "null"  # JSON null, as the ORM writes None in a JSON column
        session.rollback()
