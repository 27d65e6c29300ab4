"""Pure complaint rules: the signed message, signature checks, clauses, the reply window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders import NOW
from truceline.complaints.rules import (
    FilingKind,
    FilingSignature,
    check_clauses,
    check_not_replayed,
    check_reply_in_time,
    sign_filing,
    signing_message,
    verify_filing,
)
from truceline.errors import Conflict, InvalidInput, VerificationError
from truceline.ledger.signing import Signer, generate_key

SIGNER = Signer.from_skey(generate_key("liaison-af")[0])
CONTENT = {"complaint_id": "cmp-1", "party": "PK", "text": "We deny it."}


def test_the_signed_message_is_canonical_json_with_domain_nonce_and_time() -> None:
    message = signing_message(
        FilingKind.RESPONSE, CONTENT, nonce="n" * 16, signed_at="2025-11-01T09:30:00.000000Z"
    )
    assert message == (
        b'{"content":{"complaint_id":"cmp-1","party":"PK","text":"We deny it."},'
        b'"domain":"truceline-response/v1","nonce":"nnnnnnnnnnnnnnnn","signed_at":"2025-11-01T09:30:00.000000Z"}'
    )


def test_a_signature_verifies_for_its_own_kind_only() -> None:
    signed = sign_filing(SIGNER, FilingKind.RESPONSE, CONTENT, now=NOW)
    verify_filing(SIGNER.verifier(), FilingKind.RESPONSE, CONTENT, signed, now=NOW)
    with pytest.raises(VerificationError):
        verify_filing(SIGNER.verifier(), FilingKind.COMPLAINT, CONTENT, signed, now=NOW)


def test_a_stale_or_future_signature_is_refused() -> None:
    signed = sign_filing(SIGNER, FilingKind.RESPONSE, CONTENT, now=NOW)
    with pytest.raises(InvalidInput, match="older than"):
        verify_filing(SIGNER.verifier(), FilingKind.RESPONSE, CONTENT, signed, now=NOW + timedelta(days=2))
    with pytest.raises(InvalidInput, match="in the future"):
        verify_filing(SIGNER.verifier(), FilingKind.RESPONSE, CONTENT, signed, now=NOW - timedelta(hours=1))


def test_signature_json_round_trips() -> None:
    signed = sign_filing(SIGNER, FilingKind.RESPONSE, CONTENT, now=NOW)
    assert FilingSignature.from_json(signed.to_json()) == signed


def test_a_used_nonce_is_a_replay() -> None:
    signed = sign_filing(SIGNER, FilingKind.RESPONSE, CONTENT, now=NOW, nonce="abcdefgh12345678")
    with pytest.raises(Conflict, match="replay refused"):
        check_not_replayed(signed, used_nonces=["abcdefgh12345678"], used=[])


def test_clauses_must_exist_and_are_deduplicated_in_order() -> None:
    assert check_clauses(["C2", "C1", "C2"], known=["C1", "C2"]) == ["C2", "C1"]
    with pytest.raises(InvalidInput, match="C9"):
        check_clauses(["C9"], known=["C1"])


def test_a_reply_is_in_time_up_to_the_end_of_the_window() -> None:
    check_reply_in_time("cmp-1", filed_at=NOW, reply_window_days=3, now=NOW + timedelta(days=3))
    with pytest.raises(Conflict, match="cmp-1: the reply window of 3 days closed at 2025-11-04T09:30:00"):
        check_reply_in_time(
            "cmp-1", filed_at=NOW, reply_window_days=3, now=NOW + timedelta(days=3, seconds=1)
        )
