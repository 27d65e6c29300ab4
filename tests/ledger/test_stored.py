"""`stored_commitment` (the database verifier's short path) gives the ordinary commitment for any row."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truceline.ledger.encoding import commitment
from truceline.ledger.rows import content_of_columns
from truceline.ledger.stored import json_of_text, stored_commitment

SALT = bytes(range(16))
COLUMNS = (("id", "id"), ("when", "when"), ("score", "score"), ("body", "body"), ("tags", "tags"))
IS_JSON = (False, False, False, True, True)

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)  # beyond ±(2^53 − 1) too: RFC 8785 refuses those
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.1, 1e-7, 1e-5, 1e16, 1e21, 2.0, -0.0, 123456789.125, 0.30000000000000004])
    | st.text()
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def ordinary(values: tuple[object, ...]) -> str | type[Exception]:
    """What the verifier computed before the short path: parse each JSON column, then `commitment`."""
    parsed = [
        json.loads(v) if is_json and v is not None else v for v, is_json in zip(values, IS_JSON, strict=True)
    ]
    try:
        return commitment(content_of_columns(COLUMNS, parsed), SALT)
    except Exception as exc:  # the kind of refusal is what is compared
        return type(exc)


def short(values: tuple[object, ...]) -> str | type[Exception]:
    try:
        return stored_commitment(COLUMNS, values, IS_JSON, SALT)
    except Exception as exc:
        return type(exc)


@settings(max_examples=400)
@given(
    st.text(max_size=8),
    st.none() | st.integers(min_value=-(2**60), max_value=2**60) | st.floats(allow_nan=False),
    _VALUES,
    _VALUES,
)
def test_the_short_path_gives_the_ordinary_commitment(
    ident: str, score: object, body: object, tags: object
) -> None:
    row = (ident, datetime(2025, 10, 25, 9, 30, tzinfo=UTC), score, json.dumps(body), json.dumps(tags))
    assert short(row) == ordinary(row)


@pytest.mark.parametrize(
    "body",
    [
        '{"lat": 34.0, "lon": 1e-7}',  # an exponent float: RFC 8785 writes 1e-7, Python 1e-07
        '{"n": 9007199254740993}',  # beyond 2^53 - 1: refused
        '{"x": NaN}',  # json.loads reads NaN; RFC 8785 refuses it
        '{"pays": "Afghanistan", "clé": 1}',  # a non-ASCII key sorts by UTF-16
        '{"\\ud83d\\ude00": 1, "\\uff5e": 2}',  # U+1F600 sorts before U+FF5E in UTF-16 only
        '{"text": "\\ud800"}',  # a lone surrogate
        '  {"spaced": true}  ',  # the scanner stops before the trailing spaces
        '{"a": 2.0, "b": -0.0, "c": 1e5}',
    ],
)
def test_rows_the_short_path_refuses_get_the_ordinary_answer(body: str) -> None:
    row = ("claim-1", date(2025, 10, 25), 0.5, body, None)
    assert short(row) == ordinary(row)


def test_other_column_types_are_spelled_as_content_of_columns_spells_them() -> None:
    row = ("claim-1", b"\x00\xff", 1e-9, "[]", '["a"]')
    assert short(row) == ordinary(row)
    assert content_of_columns(COLUMNS, list(row))["when"] == base64.b64encode(b"\x00\xff").decode()


def test_a_json_column_that_is_not_json_raises_value_error() -> None:
    with pytest.raises(ValueError):
        stored_commitment(COLUMNS, ("claim-1", None, None, '{"cut": ', None), IS_JSON, SALT)
    with pytest.raises(ValueError):
        json_of_text("[1, 2")
