"""Password policy and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from truceline.errors import InvalidInput
from truceline.users.passwords import (
    MIN_PASSWORD_LENGTH,
    check_password_policy,
    hash_password,
    needs_rehash,
    rehash_password,
    verify_password,
)

GOOD = "correct horse battery staple"


def test_a_hash_is_argon2id_and_verifies_only_the_same_password() -> None:
    hashed = hash_password(GOOD)
    assert hashed.startswith("$argon2id$")
    assert GOOD not in hashed
    assert verify_password(GOOD, password_hash=hashed)
    assert not verify_password(GOOD + "!", password_hash=hashed)


def test_two_hashes_of_one_password_differ_because_each_has_its_own_salt() -> None:
    assert hash_password(GOOD) != hash_password(GOOD)


def test_a_malformed_or_foreign_hash_verifies_nothing_instead_of_raising() -> None:
    assert not verify_password(GOOD, password_hash="$argon2id$x")
    assert not verify_password(GOOD, password_hash="5f4dcc3b5aa765d61d8327deb882cf99")
    assert needs_rehash("$argon2id$x")


def test_a_short_password_is_refused_with_the_minimum_and_without_echoing_it() -> None:
    with pytest.raises(InvalidInput) as caught:
        hash_password("hunter2")
    message = str(caught.value)
    assert f"at least {MIN_PASSWORD_LENGTH} characters, got 7" in message
    assert "hunter2" not in message


def test_the_username_is_not_a_password() -> None:
    with pytest.raises(InvalidInput, match="must not be the username"):
        check_password_policy("liaison.officer", username="Liaison.Officer")


def test_an_absurdly_long_password_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at most"):
        check_password_policy("x" * 5000)


def test_a_hash_made_with_weaker_parameters_needs_rehash_and_today_s_does_not() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(GOOD)
    assert verify_password(GOOD, password_hash=weak)
    assert needs_rehash(weak)
    assert not needs_rehash(rehash_password(GOOD))
