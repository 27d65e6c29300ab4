"""`truceline users token|revoke-token`: a token is printed once, stored as a hash, revoked by a record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.builders import NOW
from tests.cli.conftest import RunCli
from truceline.errors import PermissionDenied
from truceline.ledger.encoding import parse_time
from truceline.ledger.service import latest_checkpoint, tree_size
from truceline.records import Base
from truceline.runtime import Runtime
from truceline.users.service import create_user, hash_token, issue_api_token, principal_for_token
from truceline.users.token_models import ApiToken, ApiTokenRevocation


def _add_users(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        for username, role, party in (("liaison-pk", "party", "PK"), ("analyst-1", "analyst", None)):
            create_user(
                session,
                username=username,
                password="a long enough test password",
                role=role,
                party=party,
                known_parties=["PK", "AF"],
                author="test",
                now=NOW,
            )


def _every_stored_value(runtime: Runtime) -> str:
    """Every value of every row of every table, as one string to search for secrets."""
    with runtime.sessions() as session:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        )


def test_users_token_prints_the_token_once_and_stores_only_its_hash(
    run_cli: RunCli, runtime: Runtime
) -> None:
    _add_users(runtime)
    before = datetime.now(UTC)
    result = run_cli("users", "token", "liaison-pk", "--expires", "30")
    assert result.code == 0, result.err
    token_id, username, expires_at, token = result.out.strip().split("\t")
    assert token.startswith("tl_") and len(token) >= 40
    assert (result.out + result.err).count(token) == 1
    assert username == "liaison-pk"
    assert before + timedelta(days=30) <= parse_time(expires_at) <= datetime.now(UTC) + timedelta(days=30)
    assert token not in _every_stored_value(runtime)
    with runtime.sessions() as session:
        row = session.get(ApiToken, token_id)
        assert row is not None and row.token_hash == hash_token(token)
        assert principal_for_token(session, token, now=datetime.now(UTC)).username == "liaison-pk"
        checkpoint = latest_checkpoint(session)
        assert checkpoint is not None and checkpoint.size == tree_size(session)
    assert run_cli("ledger", "verify").code == 0


def test_users_token_as_json_gives_the_id_and_the_token(run_cli: RunCli, runtime: Runtime) -> None:
    _add_users(runtime)
    result = run_cli("users", "token", "liaison-pk", "--format", "json")
    assert result.code == 0, result.err
    issued = json.loads(result.out)
    assert set(issued) == {"id", "username", "expires_at", "token"}
    with runtime.sessions() as session:
        principal = principal_for_token(session, issued["token"], now=datetime.now(UTC))
        assert principal.username == "liaison-pk"
        # The default lifetime is 90 days.
        row = session.get(ApiToken, issued["id"])
        assert row is not None and row.expires_at - row.created_at == timedelta(days=90)


def test_revoke_token_refuses_the_token_from_then_on_with_a_revocation_record(
    run_cli: RunCli, runtime: Runtime
) -> None:
    _add_users(runtime)
    with runtime.transaction() as session:
        issued = issue_api_token(session, username="liaison-pk", author="test", now=datetime.now(UTC))
    result = run_cli("users", "revoke-token", issued.id)
    assert result.code == 0, result.err
    assert result.out.startswith(f"{issued.id}\trevoked\trvk-")
    with runtime.sessions() as session:
        with pytest.raises(PermissionDenied):
            principal_for_token(session, issued.token, now=datetime.now(UTC))
        revocation = session.scalars(select(ApiTokenRevocation)).one()
        assert revocation.token_id == issued.id and revocation.created_by == "cli:admin"
        checkpoint = latest_checkpoint(session)
        assert checkpoint is not None and checkpoint.size == tree_size(session)
    again = run_cli("users", "revoke-token", issued.id)
    assert again.code == 1 and again.err.strip().count("\n") == 0 and "already revoked" in again.err
    assert run_cli("ledger", "verify").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "nobody-here"], "user 'nobody-here' not found"),
        (["token", "liaison-pk", "--expires", "abc"], "--expires: expected a whole number of days"),
        (["token", "liaison-pk", "--expires", "0"], "--expires: expected a whole number of days"),
        (["token", "liaison-pk", "--expires", "-3"], "--expires: expected a whole number of days"),
        (["token", "liaison-pk", "--expires", "36500"], "--expires: expected a whole number of days"),
        (["token", "liaison-pk", "--as", "analyst-1"], "may not manage_users"),
        (["revoke-token", "tok-0000000000000000"], "API token 'tok-0000000000000000' not found"),
    ],
    ids=["unknown user", "not a number", "zero", "negative", "too long", "not a mediator", "unknown id"],
)
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    run_cli: RunCli, runtime: Runtime, args: list[str], message: str
) -> None:
    _add_users(runtime)
    with runtime.sessions() as session:
        size = tree_size(session)
        before = latest_checkpoint(session)
    result = run_cli("users", *args)
    assert result.code == 1
    assert result.err.startswith("truceline: error: ") and result.err.strip().count("\n") == 0
    assert message in result.err
    assert result.out == ""
    with runtime.sessions() as session:
        assert tree_size(session) == size
        assert session.scalars(select(ApiToken)).first() is None
        after = latest_checkpoint(session)
        assert (after.id if after else None) == (before.id if before else None)  # nothing new signed
