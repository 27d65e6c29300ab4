"""The account tests check argon2id's real parameters, so they hash with the real hasher."""

from __future__ import annotations

import pytest

from truceline.users import passwords

REAL_HASHER = passwords._hasher  # read when this file is imported, before the session patches it


@pytest.fixture(autouse=True)
def real_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", REAL_HASHER)
