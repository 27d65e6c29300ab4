"""Accounts, logins and API tokens on the database (SQLite and PostgreSQL), each event ledgered.

These tests need the tables of truceline.users.token_models (api_tokens, auth_events):
tests/users/conftest.py leaves this module uncollected, and says so, until their migration lands.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders import NOW
from truceline.audit import verify_database
from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record, find_entry_for, tree_size
from truceline.runtime import Runtime
from truceline.users.accounts import Account
from truceline.users.models import User, UserEvent
from truceline.users.rules import Principal, Role
from truceline.users.service import (
    INVALID_CREDENTIALS,
    INVALID_TOKEN,
    attempt_login,
    authenticate,
    create_user,
    disable_user,
    get_user,
    hash_token,
    issue_api_token,
    issue_token,
    list_tokens,
    list_users,
    principal_for_token,
    revoke_token,
)
from truceline.users.throttle import LoginThrottle
from truceline.users.token_models import ApiToken, ApiTokenRevocation, AuthEvent

PASSWORD = "olive branch at dawn"
PARTIES = ("PK", "AF")


def _create(
    session: Session,
    username: str = "pk.liaison",
    *,
    password: str = PASSWORD,
    role: str = "party",
    party: str | None = "PK",
    public_key: str | None = None,
) -> Account:
    return create_user(
        session,
        username=username,
        password=password,
        role=role,
        party=party,
        public_key=public_key,
        known_parties=PARTIES,
        author="med.admin",
        now=NOW,
    )


def _events(session: Session) -> list[tuple[str, str]]:
    """Auth events in the order they were ledgered (they share one timestamp and have random ids)."""
    query = (
        select(AuthEvent.event, AuthEvent.username)
        .join(LedgerEntryRow, LedgerEntryRow.record_id == AuthEvent.id)
        .where(LedgerEntryRow.kind == "auth_events")
        .order_by(LedgerEntryRow.seq)
    )
    return [(event, username) for event, username in session.execute(query)]


def test_a_new_user_is_stored_with_an_argon2id_hash_and_a_ledger_entry(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        user = _create(session)
    with runtime.sessions() as session:
        stored = get_user(session, "pk.liaison")
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash
        assert (stored.role, stored.party, stored.is_active) == ("party", "PK", True)
        entry = find_entry_for(session, kind="users", record_id=user.id)
        assert entry is not None and entry.author == "med.admin"
        assert [u.username for u in list_users(session)] == ["pk.liaison"]


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"username": "PK Liaison"}, InvalidInput, "username: expected 3-40 characters"),
        ({"role": "admin"}, InvalidInput, "role: expected one of mediator, monitor"),
        ({"party": None}, InvalidInput, "party: expected one of the scenario's parties (AF, PK), got None"),
        ({"party": "IN"}, InvalidInput, "got 'IN'"),
        ({"role": "mediator", "party": "PK"}, InvalidInput, "only users with role 'party'"),
        ({"password": "short"}, InvalidInput, "at least 12 characters"),
        ({"public_key": "not a key"}, InvalidInput, ""),
        ({"username": "taken.name"}, Conflict, "username 'taken.name' is already taken"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_writes_nothing(
    runtime: Runtime, fields: dict[str, Any], error: type[Exception], message: str
) -> None:
    with runtime.transaction() as session:
        _create(session, "taken.name")
        size = tree_size(session)
    args: dict[str, Any] = {"username": "new.user"}
    args.update(fields)
    with pytest.raises(error) as caught, runtime.transaction() as session:
        _create(session, **args)
    assert message in str(caught.value)
    with runtime.sessions() as session:
        assert tree_size(session) == size
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_a_correct_password_gives_the_principal_and_is_ledgered(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        user = _create(session)
    with runtime.transaction() as session:
        principal = authenticate(session, username="PK.Liaison ", password=PASSWORD, now=NOW)
        assert principal == Principal(user_id=user.id, username="pk.liaison", role=Role.PARTY, party="PK")
    with runtime.sessions() as session:
        assert _events(session) == [("login_succeeded", "pk.liaison")]


def test_unknown_user_and_wrong_password_get_the_same_answer_and_both_are_ledgered(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        _create(session)
    with runtime.transaction() as session:
        unknown = attempt_login(session, username="olive branch at dawn", password=PASSWORD, now=NOW)
        wrong = attempt_login(session, username="pk.liaison", password="not the password", now=NOW)
    for attempt in (unknown, wrong):
        with pytest.raises(PermissionDenied) as caught:
            attempt.principal_or_raise()
        assert str(caught.value) == INVALID_CREDENTIALS
    with runtime.sessions() as session:
        # a username that matches no account is not stored: it may be a password typed in the wrong box
        assert _events(session) == [("login_failed", ""), ("login_failed", "pk.liaison")]
        details = " ".join(session.scalars(select(AuthEvent.detail)))
        assert PASSWORD not in details and "not the password" not in details


def test_a_disabled_user_is_refused_and_disabling_is_an_event_of_its_own(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        user = _create(session)
    with runtime.transaction() as session:
        disabled = disable_user(session, username="pk.liaison", author="med.admin", now=NOW)
    assert not disabled.is_active
    with runtime.transaction() as session:
        attempt = attempt_login(session, username="pk.liaison", password=PASSWORD, now=NOW)
    assert attempt.principal is None and "disabled" in attempt.refusal
    with runtime.sessions() as session:
        (event,) = session.scalars(select(UserEvent)).all()
        assert (event.user_id, event.kind, event.payload, event.created_by) == (
            user.id,
            "disabled",
            {},
            "med.admin",
        )
        assert find_entry_for(session, kind="user_events", record_id=event.id) is not None
        row = session.get(User, user.id)
        assert row is not None and row.is_active  # the user row is as created; the event disables it
        assert not get_user(session, "pk.liaison").is_active
        assert [u.is_active for u in list_users(session)] == [False]
        assert ("user_disabled", "pk.liaison") in _events(session)
        verify_database(session, log_verifier=runtime.log_verifier)
    with pytest.raises(Conflict, match="already disabled"), runtime.transaction() as session:
        disable_user(session, username="pk.liaison", author="med.admin", now=NOW)
    with pytest.raises(NotFound), runtime.transaction() as session:
        disable_user(session, username="nobody", author="med.admin", now=NOW)


def test_five_failures_throttle_even_the_right_password(runtime: Runtime) -> None:
    clock_s = [0.0]
    throttle = LoginThrottle(clock=lambda: clock_s[0])
    with runtime.transaction() as session:
        _create(session)
    with runtime.transaction() as session:
        for _ in range(5):
            attempt_login(
                session,
                username="pk.liaison",
                password="wrong guess",
                now=NOW,
                client="10.1.1.1",
                throttle=throttle,
            )
        attempt = attempt_login(
            session, username="pk.liaison", password=PASSWORD, now=NOW, client="10.1.1.1", throttle=throttle
        )
    assert attempt.refusal == "too many failed logins; try again in 300 s"
    assert _events_last(runtime) == ("login_throttled", "pk.liaison")
    clock_s[0] = 301.0
    with runtime.transaction() as session:
        authenticate(
            session, username="pk.liaison", password=PASSWORD, now=NOW, client="10.1.1.1", throttle=throttle
        )


def _events_last(runtime: Runtime) -> tuple[str, str]:
    with runtime.sessions() as session:
        return _events(session)[-1]


def test_an_outdated_hash_is_upgraded_at_login_by_an_event_and_the_ledger_still_verifies(
    runtime: Runtime,
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with runtime.transaction() as session:  # an account made by an older release with weaker parameters
        user = User(
            id="usr-old",
            created_at=NOW,
            created_by="med.admin",
            supersedes_id=None,
            username="pk.liaison",
            role="party",
            party="PK",
            password_hash=weak,
            is_active=True,
            public_key=None,
        )
        add_record(session, user, author="med.admin", now=NOW)
    for _ in range(2):  # the second login finds today's hash and changes nothing
        with runtime.transaction() as session:
            authenticate(session, username="pk.liaison", password=PASSWORD, now=NOW)
    with runtime.sessions() as session:
        assert "m=65536" in get_user(session, "pk.liaison").password_hash
        (event,) = session.scalars(select(UserEvent)).all()
        assert (event.kind, event.created_by) == ("password_changed", "pk.liaison")
        row = session.get(User, "usr-old")
        assert row is not None and row.password_hash == weak  # the row is as created
        verify_database(session, log_verifier=runtime.log_verifier)


def test_a_lookup_folds_events_in_ledger_order_even_within_one_instant(runtime: Runtime) -> None:
    hashes = [f"$argon2id$v=19$m=65536,t=3,p=4${n}" for n in range(5)]
    with runtime.transaction() as session:
        user = _create(session)
        for n, password_hash in enumerate(hashes):  # one timestamp, ids in reverse: only the log orders them
            event = UserEvent(
                id=f"uev-{9 - n}-{uuid.uuid4().hex[:6]}",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                user_id=user.id,
                kind="password_changed",
                payload={"password_hash": password_hash},
            )
            add_record(session, event, author="test", now=NOW)
    with runtime.sessions() as session:
        assert get_user(session, "pk.liaison").password_hash == hashes[-1]
        assert list_users(session)[0].password_hash == hashes[-1]


def test_an_api_token_is_shown_once_stored_only_as_its_hash_and_resolves_to_the_user(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        _create(session)
        token = issue_token(session, username="pk.liaison", author="med.admin", now=NOW)
    assert token.startswith("tl_") and len(token) >= 40
    with runtime.sessions() as session:
        (row,) = list_tokens(session, username="pk.liaison")
        assert row.token_hash == hash_token(token)
        assert token not in repr(vars(row))
        assert principal_for_token(session, token, now=NOW).username == "pk.liaison"
        assert ("token_issued", "pk.liaison") in _events(session)
        verify_database(session, log_verifier=runtime.log_verifier)


def test_unknown_expired_revoked_and_disabled_tokens_are_refused_alike(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        _create(session)
        _create(session, "af.liaison", party="AF")
        short = issue_token(
            session, username="pk.liaison", author="med.admin", now=NOW, ttl=timedelta(hours=1)
        )
        revoked = issue_token(session, username="pk.liaison", author="med.admin", now=NOW)
        disabled = issue_token(session, username="af.liaison", author="med.admin", now=NOW)
    with runtime.transaction() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(revoked))).one()
        revoke_token(session, token_id=row.id, author="med.admin", now=NOW)
        disable_user(session, username="af.liaison", author="med.admin", now=NOW)
    later = NOW + timedelta(hours=2)
    with runtime.sessions() as session:
        for token in ("tl_made-up", "", "x" * 500, short, revoked, disabled):
            with pytest.raises(PermissionDenied) as caught:
                principal_for_token(session, token, now=later)
            assert str(caught.value) == INVALID_TOKEN
        assert principal_for_token(session, short, now=NOW).username == "pk.liaison"
        verify_database(session, log_verifier=runtime.log_verifier)


def test_revoking_a_token_adds_a_revocation_record_and_leaves_the_token_row_as_ledgered(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        _create(session)
        issued = issue_api_token(session, username="pk.liaison", author="med.admin", now=NOW)
    with runtime.transaction() as session:
        revocation = revoke_token(session, token_id=issued.id, author="med.admin", now=NOW)
    with runtime.sessions() as session:
        assert session.get(ApiTokenRevocation, revocation.id).token_id == issued.id  # type: ignore[union-attr]
        token_entries = select(func.count()).where(
            LedgerEntryRow.kind == "api_tokens", LedgerEntryRow.record_id == issued.id
        )
        assert session.scalar(token_entries) == 1  # no second entry: the token row was not edited
        assert session.get(ApiToken, issued.id).is_revoked is False  # type: ignore[union-attr]
        assert find_entry_for(session, kind="api_token_revocations", record_id=revocation.id) is not None
        assert ("token_revoked", "pk.liaison") in _events(session)
        with pytest.raises(PermissionDenied):
            principal_for_token(session, issued.token, now=NOW)
        verify_database(session, log_verifier=runtime.log_verifier)


def test_a_token_is_revoked_once_and_an_unknown_id_is_not_found(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        _create(session)
        issued = issue_api_token(session, username="pk.liaison", author="med.admin", now=NOW)
        revoke_token(session, token_id=issued.id, author="med.admin", now=NOW)
    size = _tree_size(runtime)
    with pytest.raises(Conflict, match="already revoked"), runtime.transaction() as session:
        revoke_token(session, token_id=issued.id, author="med.admin", now=NOW)
    with pytest.raises(NotFound, match="tok-nope"), runtime.transaction() as session:
        revoke_token(session, token_id="tok-nope", author="med.admin", now=NOW)
    assert _tree_size(runtime) == size


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(days=-1), timedelta(days=3651)])
def test_a_token_lifetime_outside_one_second_to_ten_years_is_refused(
    runtime: Runtime, ttl: timedelta
) -> None:
    with runtime.transaction() as session:
        _create(session)
    size = _tree_size(runtime)
    with pytest.raises(InvalidInput, match="token lifetime"), runtime.transaction() as session:
        issue_api_token(session, username="pk.liaison", author="med.admin", now=NOW, ttl=ttl)
    assert _tree_size(runtime) == size


def _tree_size(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return tree_size(session)


def test_no_token_is_issued_for_a_disabled_user(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        _create(session)
        disable_user(session, username="pk.liaison", author="med.admin", now=NOW)
    with pytest.raises(Conflict, match="disabled"), runtime.transaction() as session:
        issue_token(session, username="pk.liaison", author="med.admin", now=NOW)


def test_no_password_or_token_reaches_the_log(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="truceline")
    with runtime.transaction() as session:
        _create(session)
        token = issue_token(session, username="pk.liaison", author="med.admin", now=NOW)
        attempt_login(session, username="pk.liaison", password=PASSWORD, now=NOW)
        attempt_login(session, username="pk.liaison", password="a wrong password", now=NOW)
    assert caplog.records
    for secret in (PASSWORD, "a wrong password", token, hash_token(token)):
        assert secret not in caplog.text
