"""An account's current state: its user record folded with its events in ledger order. Pure, no I/O.

The service folds when it loads an account and verification folds every account from the log, with the
same `apply_event`, so the state the app acts on is the state a verifier derives.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from truceline.errors import InvalidInput
from truceline.users.models import User, UserEvent, UserEventKind

# The payload keys each event kind carries, no more and no fewer.
PAYLOAD_KEYS: dict[UserEventKind, frozenset[str]] = {
    UserEventKind.DISABLED: frozenset(),
    UserEventKind.PASSWORD_CHANGED: frozenset({"password_hash"}),
}


@dataclass(frozen=True, slots=True)
class Account:
    """A user as it stands now; never stored (the user row and its events are)."""

    id: str
    username: str
    role: str
    party: str | None
    is_active: bool
    public_key: str | None
    created_at: datetime
    created_by: str
    password_hash: str = field(repr=False)


def account_of(user: User, events: Iterable[UserEvent] = ()) -> Account:
    """The user's state after its events, given in ledger order; InvalidInput for a malformed event."""
    account = Account(
        id=user.id,
        username=user.username,
        role=user.role,
        party=user.party,
        is_active=user.is_active,
        public_key=user.public_key,
        created_at=user.created_at,
        created_by=user.created_by,
        password_hash=user.password_hash,
    )
    for event in events:
        account = apply_event(account, event)
    return account


def apply_event(account: Account, event: UserEvent) -> Account:
    """The account after one event. Disabling a disabled account changes nothing (the service refuses it)."""
    if event.user_id != account.id:
        raise InvalidInput(f"user event {event.id}: expected user {account.id!r}, got {event.user_id!r}")
    kind = parse_event_kind(event)
    payload = event.payload
    if not isinstance(payload, dict) or set(payload) != PAYLOAD_KEYS[kind]:
        keys = sorted(payload) if isinstance(payload, dict) else payload
        raise InvalidInput(
            f"user event {event.id}: expected payload keys {sorted(PAYLOAD_KEYS[kind])} for {kind.value}, "
            f"got {keys!r}"
        )
    if kind is UserEventKind.DISABLED:
        return dataclasses.replace(account, is_active=False)
    password_hash = payload["password_hash"]
    if not isinstance(password_hash, str) or not password_hash:
        raise InvalidInput(f"user event {event.id}: expected a password hash, got {password_hash!r}")
    return dataclasses.replace(account, password_hash=password_hash)


def parse_event_kind(event: UserEvent) -> UserEventKind:
    try:
        return UserEventKind(event.kind)
    except ValueError:
        choices = ", ".join(kind.value for kind in UserEventKind)
        raise InvalidInput(f"user event {event.id}: expected kind {choices}, got {event.kind!r}") from None
