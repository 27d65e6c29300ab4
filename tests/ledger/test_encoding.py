"""Canonical JSON, ledger entries, RFC 3339 times and salted record commitments."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.encoding import (
    LedgerEntry,
    canonical_json,
    commitment,
    format_time,
    new_salt,
    parse_time,
    verify_commitment,
)


def build_entry(**overrides: object) -> LedgerEntry:
    fields: dict[str, object] = {
        "seq": 7,
        "kind": "claim.created",
        "record_id": "CL-0007",
        "author": "secretariat",
        "time": "2025-10-25T09:30:00.000000Z",
        "commitment": "ab" * 32,
    }
    fields.update(overrides)
    return LedgerEntry(**fields)  # type: ignore[arg-type]


def test_canonical_json_matches_the_rfc_8785_example() -> None:
    # RFC 8785 §3.2.4 (sorting, numbers, string escapes).
    value = json.loads(
        '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],'
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(value) == expected.encode("utf-8")


def test_canonical_json_refuses_values_json_cannot_hold_exactly() -> None:
    for bad in (float("nan"), 2**60, {1: "non-string key"}, b"bytes"):
        with pytest.raises(InvalidInput, match="RFC 8785"):
            canonical_json(bad)


def test_entry_bytes_are_the_canonical_json_of_exactly_its_six_fields() -> None:
    assert build_entry().to_bytes() == (
        b'{"author":"secretariat","commitment":"' + b"ab" * 32 + b'","kind":"claim.created",'
        b'"record_id":"CL-0007","seq":7,"time":"2025-10-25T09:30:00.000000Z"}'
    )


def test_entry_leaf_hash_is_sha256_of_a_zero_byte_and_the_entry_bytes() -> None:
    entry = build_entry()
    assert entry.leaf_hash() == hashlib.sha256(b"\x00" + entry.to_bytes()).digest()


@given(
    seq=st.integers(min_value=0, max_value=2**53 - 1),
    kind=st.text(min_size=1),
    record_id=st.text(min_size=1),
    author=st.text(min_size=1),
    when=st.datetimes(timezones=st.just(UTC), min_value=datetime(1000, 1, 1)),
    digest=st.binary(min_size=32, max_size=32),
)
def test_entry_survives_a_round_trip_through_json(
    seq: int, kind: str, record_id: str, author: str, when: datetime, digest: bytes
) -> None:
    entry = LedgerEntry(seq, kind, record_id, author, format_time(when), digest.hex())
    assert LedgerEntry.from_json(json.loads(entry.to_bytes())) == entry
    assert parse_time(entry.time) == when


@given(text=st.text(min_size=1), seq=st.integers(min_value=0, max_value=2**53 - 1))
def test_entry_bytes_are_the_rfc_8785_encoding_of_any_text(text: str, seq: int) -> None:
    entry = LedgerEntry(seq, text, text, text, "2025-10-25T09:30:00.000000Z", "ab" * 32)
    assert entry.to_bytes() == canonical_json(entry.to_json())


def test_entry_bytes_refuse_a_lone_surrogate() -> None:
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        LedgerEntry(0, "claims", "\ud800", "secretariat", "2025-10-25T09:30:00.000000Z", "ab" * 32).to_bytes()


def test_parse_time_refuses_digits_other_than_ascii() -> None:
    with pytest.raises(InvalidInput, match="must look like"):
        parse_time("２025-10-25T09:30:00.000000Z")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seq": True}, "seq"),
        ({"seq": -1}, "seq"),
        ({"seq": 2**53}, "seq"),
        ({"seq": "1"}, "seq"),
        ({"kind": ""}, "kind"),
        ({"author": None}, "author"),
        ({"time": "2025-10-25T09:30:00Z"}, "time"),
        ({"time": "2025-02-30T09:30:00.000000Z"}, "real date"),
        ({"commitment": "AB" * 32}, "commitment"),
        ({"commitment": "ab" * 31}, "commitment"),
    ],
)
def test_entry_from_json_refuses_a_field_of_the_wrong_shape(change: dict[str, object], message: str) -> None:
    obj = build_entry().to_json() | change
    with pytest.raises(InvalidInput, match=message):
        LedgerEntry.from_json(obj)


def test_entry_from_json_refuses_missing_and_unexpected_fields() -> None:
    obj = build_entry().to_json()
    del obj["author"]
    obj["salt"] = "00"
    with pytest.raises(InvalidInput, match=r"missing \['author'\], unexpected \['salt'\]"):
        LedgerEntry.from_json(obj)


def test_format_time_converts_to_utc_with_microseconds() -> None:
    islamabad = timezone(timedelta(hours=5))
    assert (
        format_time(datetime(2025, 10, 25, 14, 30, 0, 12, tzinfo=islamabad)) == "2025-10-25T09:30:00.000012Z"
    )


def test_format_time_refuses_a_naive_datetime() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        format_time(datetime(2025, 10, 25, 9, 30))


def test_commitment_is_sha256_of_the_salt_then_the_canonical_content() -> None:
    salt = bytes(range(16))
    content = {"id": "CL-0007", "text": "Shelling near Angoor Adda", "fatalities": {"best": 3}}
    expected = hashlib.sha256(
        salt + b'{"fatalities":{"best":3},"id":"CL-0007","text":"Shelling near Angoor Adda"}'
    ).hexdigest()
    assert commitment(content, salt) == expected
    verify_commitment(content, salt=salt, expected=expected)


def test_commitment_changes_with_the_salt_and_with_the_content() -> None:
    content = {"finding": "violation"}
    salt = new_salt()
    assert len(salt) == 16
    assert commitment(content, salt) != commitment(content, new_salt())
    with pytest.raises(VerificationError, match="does not match"):
        verify_commitment({"finding": "no violation"}, salt=salt, expected=commitment(content, salt))


def test_commitment_refuses_a_salt_of_the_wrong_length() -> None:
    with pytest.raises(InvalidInput, match="16 bytes"):
        commitment({}, b"short")


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.1, 1e-7, 1e-5, 1e16, 1e21, 2.0, -0.0, 123456789.125, 0.30000000000000004])
    | st.text()
)
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=500)
@given(_JSON_VALUES)
def test_canonical_json_writes_the_bytes_of_the_rfc_8785_reference_encoder(value: object) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)  # type: ignore[arg-type]
