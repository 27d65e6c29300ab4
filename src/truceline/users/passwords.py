"""Password policy and argon2id hashing (argon2-cffi with its RFC 9106 low-memory defaults)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from truceline.errors import InvalidInput

# NIST SP 800-63B §3.1.1.2 asks for at least 8; a mechanism whose accounts can adopt findings asks more.
MIN_PASSWORD_LENGTH = 12
# Bounds the work one login can cause; no passphrase a person types is this long.
MAX_PASSWORD_LENGTH = 1024


@cache
def _hasher() -> PasswordHasher:
    # Built on first use, not at import; PasswordHasher() is argon2id, t=3, m=64 MiB, p=4.
    return PasswordHasher()


def check_password_policy(password: str, *, username: str = "") -> None:
    """Return None when the password is acceptable; raise InvalidInput saying why (never echoing it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password: expected at least {MIN_PASSWORD_LENGTH} characters, got {len(password)}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password: expected at most {MAX_PASSWORD_LENGTH} characters, got {len(password)}"
        )
    if username and password.strip().casefold() == username.strip().casefold():
        raise InvalidInput("password: must not be the username")


def hash_password(password: str, *, username: str = "") -> str:
    """The argon2id hash (PHC string with salt and parameters) of a password that meets the policy."""
    check_password_policy(password, username=username)
    return _hasher().hash(password)


def rehash_password(password: str) -> str:
    """A fresh hash with today's parameters for a password that was accepted when it was set; no
    policy check, so raising the minimum length never locks out an existing account at login."""
    return _hasher().hash(password)


def verify_password(password: str, *, password_hash: str) -> bool:
    """Whether the password matches the hash; False, not an error, for a malformed or foreign hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (rehash it at the next login)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def _unmatchable_hash() -> str:
    return _hasher().hash("truceline: a hash no password is checked against with success")


def spend_verification_time(password: str) -> None:
    """Do the work of one verification and discard it, so an unknown username costs the same time
    as a wrong password and response times do not reveal which accounts exist."""
    verify_password(password[:MAX_PASSWORD_LENGTH], password_hash=_unmatchable_hash())
