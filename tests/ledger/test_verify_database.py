"""Tamper tests: a raw-SQL change to any column of any row must make verification fail and name the entry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tests.builders import add_one_of_each, one_of_each_record
from truceline.audit import verify_database
from truceline.errors import VerificationError
from truceline.ledger.models import CheckpointRow, LedgerEntryRow
from truceline.ledger.service import append_entry, create_checkpoint
from truceline.records import RECORD_MODELS
from truceline.runtime import Runtime


def _setup(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_one_of_each(session)
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)


def _changed(value: Any, column_type: Any) -> Any:
    """A different value of the same type, so the database accepts the raw UPDATE."""
    if isinstance(column_type, sa.JSON):
        return '{"tampered": true}'
    if isinstance(column_type, sa.DateTime):
        return datetime(2020, 1, 1, 12, 0, 0)
    if isinstance(column_type, sa.Date):
        return date(2020, 1, 1)
    if isinstance(column_type, sa.Boolean):
        return not value
    if isinstance(column_type, sa.Integer | sa.Float):
        return (value or 0) + 1
    text_value = str(value or "")
    if not text_value:
        return "x"
    return text_value[:-1] + ("y" if text_value.endswith("x") else "x")


def _allow_dangling_references(session: Session) -> None:
    """Let the raw UPDATE point a foreign key anywhere: the test rolls back before any check."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("PRAGMA defer_foreign_keys = ON"))


def _tamper_and_verify(
    runtime: Runtime, session: Session, table: sa.Table, column: str, key: str, key_value: Any
) -> str:
    value = session.execute(
        text(f'SELECT "{column}" FROM {table.name} WHERE "{key}" = :k'), {"k": key_value}
    ).scalar()
    column_type = table.c[column].type
    if hasattr(column_type, "impl"):
        column_type = (
            column_type.impl if isinstance(column_type.impl, sa.types.TypeEngine) else column_type.impl()
        )
    _allow_dangling_references(session)
    session.execute(
        text(f'UPDATE {table.name} SET "{column}" = :v WHERE "{key}" = :k'),
        {"v": _changed(value, column_type), "k": key_value},
    )
    with pytest.raises(VerificationError) as caught:
        verify_database(session, log_verifier=runtime.log_verifier)
    return str(caught.value)


def test_an_untouched_database_verifies(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session:
        report = verify_database(session, log_verifier=runtime.log_verifier)
    assert report.entries == report.records == len(one_of_each_record())
    assert report.checkpoints == 1 and report.unsigned_entries == 0


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.ledger_kind())
def test_changing_any_column_of_a_record_fails_naming_its_entry(runtime: Runtime, model: Any) -> None:
    _setup(runtime)
    kinds = [r.ledger_kind() for r in one_of_each_record()]
    seq = kinds.index(model.ledger_kind())
    record_id = one_of_each_record()[seq].id
    for column in [c.name for c in model.__table__.columns if c.name != "id"]:
        with runtime.sessions() as session, session.begin():
            message = _tamper_and_verify(runtime, session, model.__table__, column, "id", record_id)
            assert f"entry {seq} " in message, (column, message)
            session.rollback()


def test_changing_a_record_id_fails_naming_its_entry(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        session.execute(text("UPDATE talks_rounds SET id = 'talks-y' WHERE id = 'talks-x'"))
        with pytest.raises(VerificationError, match="entry 14 "):
            verify_database(session, log_verifier=runtime.log_verifier)


@pytest.mark.parametrize("column", ["kind", "record_id", "author", "time", "commitment", "salt", "leaf_hash"])
def test_changing_any_column_of_a_ledger_entry_fails_naming_it(runtime: Runtime, column: str) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        message = _tamper_and_verify(runtime, session, LedgerEntryRow.__table__, column, "seq", 5)
        assert message.startswith("entry 5") or "entries 0..15" in message, message


def test_a_deleted_entry_is_named(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        session.execute(text("DELETE FROM ledger_entries WHERE seq = 7"))
        with pytest.raises(VerificationError, match="entry 7"):
            verify_database(session, log_verifier=runtime.log_verifier)


def test_a_record_inserted_behind_the_ledgers_back_is_found(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO sources (id, created_at, created_by, name, kind, url, reliability, language) "
                "VALUES ('src-x', '2025-11-01 00:00:00', 'raw', 'Raw', 'outlet', '', 'A', 'en')"
            )
        )
        with pytest.raises(VerificationError, match="sources 'src-x' has no ledger entry"):
            verify_database(session, log_verifier=runtime.log_verifier)


def test_a_changed_checkpoint_note_fails(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        row = session.scalars(select(CheckpointRow)).one()
        forged = row.note.replace(f"\n{row.size}\n", f"\n{row.size - 1}\n", 1)
        session.execute(text("UPDATE ledger_checkpoints SET note = :n"), {"n": forged})
        with pytest.raises(VerificationError, match="checkpoint"):
            verify_database(session, log_verifier=runtime.log_verifier)


def test_a_rewritten_entry_with_a_consistent_leaf_hash_still_breaks_the_signed_root(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        row = session.get(LedgerEntryRow, 3)
        assert row is not None
        from truceline.ledger.service import entry_of

        row.author = "someone-else"
        row.leaf_hash = entry_of(row).leaf_hash().hex()
        session.flush()
        with pytest.raises(VerificationError, match=r"tree root differs"):
            verify_database(session, log_verifier=runtime.log_verifier)


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.ledger_kind())
def test_a_record_rewritten_and_re_appended_fails_naming_both_entries(runtime: Runtime, model: Any) -> None:
    """The insider's rewrite: change a record with SQL, append a fresh entry committing to the new content
    (what an 'update' code path would do) and sign a checkpoint over it. The log stays consistent, so only
    the rule 'one entry per record' can catch it; no kind is exempt, accounts included."""
    _setup(runtime)
    kinds = [r.ledger_kind() for r in one_of_each_record()]
    seq = kinds.index(model.ledger_kind())
    record_id = one_of_each_record()[seq].id
    with runtime.transaction() as session:
        record = session.get(model, record_id)
        assert record is not None
        record.created_by = "rewritten"
        session.flush()
        append_entry(session, record=record, author="insider", now=datetime(2025, 12, 1, tzinfo=UTC))
    with runtime.sessions() as session:
        latest = session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc())).first()
        assert latest is not None and latest.size == len(kinds) + 1  # signed: the log itself is consistent
        with pytest.raises(VerificationError) as caught:
            verify_database(session, log_verifier=runtime.log_verifier)
    message = str(caught.value)
    assert f"entry {len(kinds)} " in message and f"entry {seq} " in message, message


def test_an_account_disabled_and_rehashed_is_two_events_and_verifies(runtime: Runtime) -> None:
    _setup(runtime)
    from truceline.users.service import disable_user, get_user

    user = next(r for r in one_of_each_record() if r.ledger_kind() == "users")
    with runtime.transaction() as session:
        disable_user(session, username=user.username, author="test", now=datetime(2025, 12, 1, tzinfo=UTC))
    with runtime.sessions() as session:
        report = verify_database(session, log_verifier=runtime.log_verifier)
        assert report.entries == report.records == len(one_of_each_record()) + 2  # the event, its auth event
        assert not get_user(session, user.username).is_active
        assert session.scalar(select(sa.func.count()).where(LedgerEntryRow.record_id == user.id)) == 1


def _verify_with_user_event(runtime: Runtime, **fields: Any) -> str:
    """Append a user event with its ledger entry, as an insider with database access could, then verify
    (and roll back); returns the failure's message."""
    from truceline.users.models import UserEvent

    _setup(runtime)
    with runtime.sessions() as session:
        session.begin()
        _allow_dangling_references(session)
        event = UserEvent(
            id="uev-x",
            created_at=datetime(2025, 12, 1, tzinfo=UTC),
            created_by="insider",
            supersedes_id=None,
            **{"user_id": "user-1", "kind": "disabled", "payload": {}, **fields},
        )
        session.add(event)
        session.flush()
        append_entry(session, record=event, author="insider", now=datetime(2025, 12, 1, tzinfo=UTC))
        with pytest.raises(VerificationError) as caught:
            verify_database(session, log_verifier=runtime.log_verifier)
        session.rollback()
    return str(caught.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "promoted"}, "expected kind disabled, password_changed, got 'promoted'"),
        ({"payload": {"role": "mediator"}}, "expected payload keys [] for disabled, got ['role']"),
        ({"kind": "password_changed", "payload": {}}, "expected payload keys ['password_hash']"),
        ({"kind": "password_changed", "payload": {"password_hash": 7}}, "expected a password hash, got 7"),
    ],
)
def test_an_account_event_that_cannot_be_applied_fails_naming_it(
    runtime: Runtime, fields: dict[str, Any], message: str
) -> None:
    failure = _verify_with_user_event(runtime, **fields)
    assert f"entry {len(one_of_each_record())} (user_events 'uev-x')" in failure and message in failure


def test_an_event_whose_subject_is_missing_fails_naming_it(runtime: Runtime) -> None:
    failure = _verify_with_user_event(runtime, user_id="user-gone")
    assert "(user_events 'uev-x'): names users 'user-gone', which has no ledger entry" in failure


def test_an_event_logged_before_its_subject_fails_naming_both(runtime: Runtime) -> None:
    from truceline.users.token_models import ApiToken, ApiTokenRevocation

    with runtime.transaction() as session:
        now = datetime(2025, 12, 1, tzinfo=UTC)
        common = {"created_at": now, "created_by": "t", "supersedes_id": None}
        revocation = ApiTokenRevocation(id="rvk-early", token_id="tok-late", **common)
        session.add(revocation)
        session.flush()
        append_entry(session, record=revocation, author="t", now=now)
        token = ApiToken(
            id="tok-late", token_hash="b" * 64, username="u", expires_at=now, is_revoked=False, **common
        )
        session.add(token)
        session.flush()
        append_entry(session, record=token, author="t", now=now)
    with runtime.sessions() as session, pytest.raises(VerificationError) as caught:
        verify_database(session, log_verifier=runtime.log_verifier)
    assert str(caught.value).endswith(
        "entry 0 (api_token_revocations 'rvk-early'): names entry 1 (api_tokens 'tok-late'), "
        "which is logged after it"
    ), str(caught.value)


def test_a_successor_whose_predecessor_is_missing_fails(runtime: Runtime) -> None:
    _setup(runtime)
    with runtime.sessions() as session, session.begin():
        _allow_dangling_references(session)
        session.execute(text("UPDATE talks_rounds SET supersedes_id = 'talks-gone' WHERE id = 'talks-x'"))
        with pytest.raises(VerificationError, match="supersedes 'talks-gone', which is missing"):
            verify_database(session, log_verifier=runtime.log_verifier)


def _three_checkpoints_with_a_cosignature(runtime: Runtime) -> int:
    """Entries sealed by three checkpoints; a witness cosigns the second. Returns the cosignature's id."""
    from truceline.ledger.models import CosignatureRow
    from truceline.ledger.notes import cosign, parse_note
    from truceline.ledger.signing import Signer

    _setup(runtime)
    witness = Signer(name="af-witness", seed=bytes(32))
    with runtime.transaction() as session:
        record = next(r for r in one_of_each_record() if r.ledger_kind() == "talks_rounds")
        extra = type(record)(
            **{**{c.name: getattr(record, c.name) for c in record.__table__.columns}, "id": "t-2"}
        )
        session.add(extra)
        session.flush()
        append_entry(session, record=extra, author="test", now=datetime(2025, 12, 1, tzinfo=UTC))
    with runtime.transaction() as session:
        second = session.scalars(select(CheckpointRow).order_by(CheckpointRow.id.desc())).first()
        assert second is not None
        line = cosign(parse_note(second.note).body, witness, 1_760_000_000)
        row = CosignatureRow(checkpoint_id=second.id, witness="af-witness", line=line)
        session.add(row)
        session.flush()
        cosig_id = row.id
        extra = type(record)(
            **{**{c.name: getattr(record, c.name) for c in record.__table__.columns}, "id": "t-3"}
        )
        session.add(extra)
        session.flush()
        append_entry(session, record=extra, author="test", now=datetime(2025, 12, 1, tzinfo=UTC))
    with runtime.sessions() as session:
        assert session.scalar(sa.func.count(CheckpointRow.id)) == 3
        verify_database(
            session, log_verifier=runtime.log_verifier, witnesses={"af-witness": witness.verifier()}
        )
    return cosig_id


def test_a_deleted_checkpoint_breaks_the_chain(runtime: Runtime) -> None:
    _three_checkpoints_with_a_cosignature(runtime)
    with runtime.sessions() as session, session.begin():
        session.execute(text("DELETE FROM ledger_cosignatures"))
        middle = session.scalars(select(CheckpointRow.id).order_by(CheckpointRow.id)).all()[1]
        session.execute(text("DELETE FROM ledger_checkpoints WHERE id = :i"), {"i": middle})
        with pytest.raises(VerificationError, match="does not chain to checkpoint"):
            verify_database(session, log_verifier=runtime.log_verifier)


def test_a_deleted_cosignature_breaks_the_chain(runtime: Runtime) -> None:
    cosig_id = _three_checkpoints_with_a_cosignature(runtime)
    with runtime.sessions() as session, session.begin():
        session.execute(text("DELETE FROM ledger_cosignatures WHERE id = :i"), {"i": cosig_id})
        with pytest.raises(VerificationError, match="a checkpoint or a cosignature was deleted"):
            verify_database(session, log_verifier=runtime.log_verifier)


def test_a_json_column_is_checked_as_the_json_its_text_holds(runtime: Runtime) -> None:
    _setup(runtime)
    seq = [r.ledger_kind() for r in one_of_each_record()].index("claims")
    with runtime.sessions() as session, session.begin():
        is_sqlite = session.get_bind().dialect.name == "sqlite"
        spaced = "' ' || location || ' '" if is_sqlite else "CAST(' ' || location::text || ' ' AS JSON)"
        session.execute(text(f"UPDATE claims SET location = {spaced}"))
        verify_database(session, log_verifier=runtime.log_verifier)  # spaces around the JSON change nothing
        if is_sqlite:  # PostgreSQL refuses JSON text that is not JSON
            session.execute(text("UPDATE claims SET location = '{\"lat\": 34'"))
            with pytest.raises(VerificationError, match=f"entry {seq} .*does not match its commitment"):
                verify_database(session, log_verifier=runtime.log_verifier)
        session.rollback()
