"""Account use cases: create, sign in, disable, list users; issue, resolve and revoke API tokens.

A user row is never changed: disabling an account or rehashing its password adds a `UserEvent`, and every
lookup returns the `Account` folded from the row and its events in ledger order (`users.accounts`).
Every function takes the caller's session and flushes, never commits. Permission checks
(`rules.require(actor, Action.MANAGE_USERS)`) belong to the caller, as everywhere else.
Secrets never leave this module except the one return value of `issue_api_token` (or `issue_token`):
no password, token or hash is logged, put in an error message or written into an auth event.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record
from truceline.ledger.signing import Verifier
from truceline.users.accounts import Account, account_of, apply_event
from truceline.users.models import User, UserEvent, UserEventKind
from truceline.users.passwords import (
    hash_password,
    needs_rehash,
    rehash_password,
    spend_verification_time,
    verify_password,
)
from truceline.users.rules import Principal, Role
from truceline.users.throttle import LoginThrottle
from truceline.users.token_models import ApiToken, ApiTokenRevocation, AuthEvent, AuthEventKind

log = logging.getLogger(__name__)

USERNAME_PATTERN = re.compile(r"[a-z][a-z0-9._-]{2,39}")
INVALID_CREDENTIALS = "invalid username or password"
INVALID_TOKEN = "invalid, expired or revoked API token"
ACCOUNT_DISABLED = "this account is disabled; ask a mediator"
TOKEN_PREFIX = "tl_"
TOKEN_BYTES = 32
DEFAULT_TOKEN_TTL = timedelta(days=90)
MAX_TOKEN_TTL = timedelta(days=3650)
# Who authored an auth event when the person acting is not known (a failed or throttled login).
ANONYMOUS_AUTHOR = "anonymous"
# Longer input is no username or token we issued; refuse it without a database query.
_MAX_INPUT_CHARS = 200
_MAX_CLIENT_CHARS = 100


# --- users -------------------------------------------------------------------------------------------


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise InvalidInput(f"role: expected one of {choices}, got {value!r}") from None


def check_username(username: str) -> None:
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidInput(
            "username: expected 3-40 characters, lower-case letters, digits, '.', '_' or '-', "
            f"starting with a letter; got {username!r}"
        )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    party: str | None = None,
    public_key: str | None = None,
    known_parties: Collection[str] = (),
    author: str,
    now: datetime,
) -> Account:
    """Create an active account and its ledger entry; bad input raises before anything is written."""
    check_username(username)
    parsed_role = parse_role(role)
    if parsed_role is Role.PARTY:
        if party not in known_parties:
            known = ", ".join(sorted(known_parties)) or "none configured"
            raise InvalidInput(f"party: expected one of the scenario's parties ({known}), got {party!r}")
    elif party is not None:
        raise InvalidInput(f"party: only users with role 'party' belong to a party; got {party!r}")
    if public_key is not None:
        Verifier.from_vkey(public_key)  # raises InvalidInput naming what is wrong with the key
    if find_user(session, username) is not None:
        raise Conflict(f"username {username!r} is already taken")
    user = User(
        id=f"usr-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        username=username,
        role=parsed_role.value,
        party=party,
        password_hash=hash_password(password, username=username),
        is_active=True,
        public_key=public_key,
    )
    add_record(session, user, author=author, now=now)
    log.info("created user %s with role %s", username, parsed_role.value)
    return account_of(user)


def find_user(session: Session, username: str) -> Account | None:
    """The account as it stands now (its user row folded with its events), or None."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        return None
    return account_of(user, list_user_events(session, user_ids=[user.id]).get(user.id, []))


def get_user(session: Session, username: str) -> Account:
    account = find_user(session, username)
    if account is None:
        raise NotFound("user", username)
    return account


def list_users(session: Session) -> list[Account]:
    events = list_user_events(session)
    users = session.scalars(select(User).order_by(User.username))
    return [account_of(user, events.get(user.id, [])) for user in users]


def list_user_events(
    session: Session, *, user_ids: Collection[str] | None = None
) -> Mapping[str, list[UserEvent]]:
    """Events by user id, each list in ledger order (the order they happened, even within one instant).

    An event row without a ledger entry takes no effect here; verification names it."""
    query = (
        select(UserEvent)
        .join(
            LedgerEntryRow,
            (LedgerEntryRow.kind == UserEvent.ledger_kind()) & (LedgerEntryRow.record_id == UserEvent.id),
        )
        .order_by(LedgerEntryRow.seq)
    )
    if user_ids is not None:
        query = query.where(UserEvent.user_id.in_(user_ids))
    events: dict[str, list[UserEvent]] = {}
    for event in session.scalars(query):
        events.setdefault(event.user_id, []).append(event)
    return events


def principal_of(account: Account) -> Principal:
    return Principal(
        user_id=account.id, username=account.username, role=Role(account.role), party=account.party
    )


def disable_user(session: Session, *, username: str, author: str, now: datetime) -> Account:
    """Refuse all further logins and tokens of the user with a `disabled` event; the user row stays."""
    account = get_user(session, username)
    if not account.is_active:
        raise Conflict(f"user {username!r} is already disabled")
    event = _add_user_event(session, account, UserEventKind.DISABLED, {}, author=author, now=now)
    record_auth_event(
        session, username=username, event=AuthEventKind.USER_DISABLED, detail="", author=author, now=now
    )
    log.info("disabled user %s", username)
    return apply_event(account, event)


def _add_user_event(
    session: Session,
    account: Account,
    kind: UserEventKind,
    payload: dict[str, str],
    *,
    author: str,
    now: datetime,
) -> UserEvent:
    event = UserEvent(
        id=f"uev-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        user_id=account.id,
        kind=kind.value,
        payload=payload,
    )
    add_record(session, event, author=author, now=now)
    return event


# --- signing in --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """The outcome of one login: the principal, or the one-line reason to show instead."""

    principal: Principal | None
    refusal: str = ""

    def principal_or_raise(self) -> Principal:
        if self.principal is None:
            raise PermissionDenied(self.refusal)
        return self.principal


def attempt_login(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    client: str = "",
    throttle: LoginThrottle | None = None,
) -> LoginAttempt:
    """Check a username and password and ledger the outcome; never raises for bad credentials.

    Use this in a transaction that commits whatever the outcome, then call `principal_or_raise()`
    after it: a failed login is ledgered only if the transaction that recorded it commits.
    An unknown username and a wrong password get the same answer in the same time.
    """
    username = username.strip().lower()[:_MAX_INPUT_CHARS]
    client = client[:_MAX_CLIENT_CHARS]
    if throttle is not None:
        wait_s = throttle.retry_after_s(username, client)
        if wait_s:
            user = find_user(session, username)
            _record_login_event(session, user, AuthEventKind.LOGIN_THROTTLED, f"client {client}", now)
            return LoginAttempt(None, f"too many failed logins; try again in {wait_s} s")
    user = find_user(session, username)
    if user is None:
        spend_verification_time(password)
    if user is None or not verify_password(password, password_hash=user.password_hash):
        if throttle is not None:
            throttle.record_failure(username, client)
        reason = "unknown username" if user is None else "wrong password"
        _record_login_event(session, user, AuthEventKind.LOGIN_FAILED, f"{reason}; client {client}", now)
        return LoginAttempt(None, INVALID_CREDENTIALS)
    if throttle is not None:
        throttle.reset(username, client)
    if not user.is_active:
        _record_login_event(session, user, AuthEventKind.LOGIN_FAILED, f"disabled; client {client}", now)
        return LoginAttempt(None, ACCOUNT_DISABLED)
    if needs_rehash(user.password_hash):
        payload = {"password_hash": rehash_password(password)}
        _add_user_event(session, user, UserEventKind.PASSWORD_CHANGED, payload, author=user.username, now=now)
    _record_login_event(session, user, AuthEventKind.LOGIN_SUCCEEDED, f"client {client}", now)
    return LoginAttempt(principal_of(user))


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    client: str = "",
    throttle: LoginThrottle | None = None,
) -> Principal:
    """The principal for a username and password, or PermissionDenied "invalid username or password".

    The failure's auth event is flushed before the error is raised; a caller whose transaction
    rolls back on the error loses it; prefer `attempt_login` in request handlers.
    """
    return attempt_login(
        session, username=username, password=password, now=now, client=client, throttle=throttle
    ).principal_or_raise()


def _record_login_event(
    session: Session, user: Account | None, event: AuthEventKind, detail: str, now: datetime
) -> None:
    # An unknown username is not stored: people type their password into the username field.
    username = user.username if user is not None else ""
    author = (
        user.username if event is AuthEventKind.LOGIN_SUCCEEDED and user is not None else ANONYMOUS_AUTHOR
    )
    record_auth_event(session, username=username, event=event, detail=detail, author=author, now=now)
    log.info("%s for %s", event.value, username or "an unknown username")


def record_auth_event(
    session: Session, *, username: str, event: AuthEventKind, detail: str, author: str, now: datetime
) -> AuthEvent:
    """Ledger one authentication event. `detail` must never hold a password or token."""
    row = AuthEvent(
        id=f"auth-{uuid.uuid4().hex}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        username=username,
        event=event.value,
        detail=detail,
    )
    add_record(session, row, author=author, now=now)
    return row


# --- API tokens --------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """SHA-256 of the token: a 256-bit random secret needs no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued: the secret is here once and nowhere else (the database keeps its hash)."""

    id: str
    username: str
    expires_at: datetime
    token: str = field(repr=False)


def issue_api_token(
    session: Session, *, username: str, author: str, now: datetime, ttl: timedelta = DEFAULT_TOKEN_TTL
) -> IssuedToken:
    """A new API token for an active user, with its id and expiry; only its SHA-256 is stored."""
    if not timedelta(0) < ttl <= MAX_TOKEN_TTL:
        raise InvalidInput(
            f"token lifetime: expected more than 0 and at most {MAX_TOKEN_TTL.days} days, got {ttl}"
        )
    user = get_user(session, username)
    if not user.is_active:
        raise Conflict(f"user {username!r} is disabled; no token can be issued")
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(
        id=f"tok-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        token_hash=hash_token(token),
        username=username,
        expires_at=now + ttl,
        is_revoked=False,
    )
    add_record(session, row, author=author, now=now)
    record_auth_event(
        session,
        username=username,
        event=AuthEventKind.TOKEN_ISSUED,
        detail=f"token {row.id} expires {row.expires_at.isoformat()}",
        author=author,
        now=now,
    )
    log.info("issued token %s for %s", row.id, username)
    return IssuedToken(id=row.id, username=username, expires_at=row.expires_at, token=token)


def issue_token(
    session: Session, *, username: str, author: str, now: datetime, ttl: timedelta = DEFAULT_TOKEN_TTL
) -> str:
    """The secret of a new API token alone, for callers that never show its id (sign-in sessions)."""
    return issue_api_token(session, username=username, author=author, now=now, ttl=ttl).token


def principal_for_token(session: Session, token: str, *, now: datetime) -> Principal:
    """The principal a token stands for; PermissionDenied for any unknown, expired or revoked token,
    or one whose user is disabled (one message for all, so a token's state is not revealed)."""
    if not token or len(token) > _MAX_INPUT_CHARS:
        raise PermissionDenied(INVALID_TOKEN)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or now >= row.expires_at or is_token_revoked(session, row):
        raise PermissionDenied(INVALID_TOKEN)
    user = find_user(session, row.username)
    if user is None or not user.is_active:
        raise PermissionDenied(INVALID_TOKEN)
    return principal_of(user)


def is_token_revoked(session: Session, token: ApiToken) -> bool:
    """True when a revocation record names the token (or, before revision 0005, its flag was set)."""
    if token.is_revoked:
        return True
    return find_revocation(session, token_id=token.id) is not None


def find_revocation(session: Session, *, token_id: str) -> ApiTokenRevocation | None:
    query = select(ApiTokenRevocation).where(ApiTokenRevocation.token_id == token_id)
    return session.scalars(query).first()


def list_tokens(session: Session, *, username: str) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.username == username).order_by(ApiToken.created_at)
    return list(session.scalars(query))


def revoke_token(session: Session, *, token_id: str, author: str, now: datetime) -> ApiTokenRevocation:
    """Revoke a token by its id (not its secret) with a revocation record; the token row is not touched."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("API token", token_id)
    if is_token_revoked(session, token):
        raise Conflict(f"API token {token_id!r} is already revoked")
    revocation = ApiTokenRevocation(
        id=f"rvk-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        token_id=token.id,
    )
    add_record(session, revocation, author=author, now=now)
    record_auth_event(
        session,
        username=token.username,
        event=AuthEventKind.TOKEN_REVOKED,
        detail=f"token {token.id} by {revocation.id}",
        author=author,
        now=now,
    )
    log.info("revoked token %s of %s", token.id, token.username)
    return revocation


def revoke_session_token(session: Session, *, token: str, now: datetime) -> None:
    """Sign-out: revoke the token behind a session cookie if it is still live; unknown tokens are ignored."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is not None and not is_token_revoked(session, row):
        revoke_token(session, token_id=row.id, author=f"user:{row.username}", now=now)
