"""A record's commitment recomputed from its stored columns: the database verifier's inner loop.

`stored_commitment` gives exactly `commitment(content_of_columns(columns, values), salt)` for a row read with
its JSON columns as their text. Most rows take a short path: each JSON text is parsed by the C scanner with
hooks that refuse what `json.dumps` would not spell as RFC 8785 does (a float written with an exponent, an
integer beyond ±(2^53 − 1), NaN or Infinity; any non-ASCII or \\u-escaped text, which could hold a key that
RFC 8785 sorts otherwise than Python), the other columns are checked the same way, and the content is
encoded once. The walks `canonical_json` and `json_value` make over every value (a third of a database
verification's time) are skipped; a row the short path refuses goes the ordinary way, to the same answer.
"""

from __future__ import annotations

import hashlib
import json
import json.scanner
import math
from collections.abc import Sequence
from typing import Any

from truceline.ledger.encoding import MAX_SEQ, canonical_json_of_plain, commitment
from truceline.ledger.rows import content_of_columns, json_value

_FIXED_FLOATS = (1e-4, 1e16)  # within this magnitude Python's repr has no exponent, nor has ECMAScript's


class _NotPlain(Exception):
    """A value the short path does not take: the row goes the ordinary way."""


def _plain_float(text: str) -> float | int:
    value = float(text)
    if not math.isfinite(value) or not (value == 0 or _FIXED_FLOATS[0] <= abs(value) < _FIXED_FLOATS[1]):
        raise _NotPlain
    return int(value) if value.is_integer() else value  # RFC 8785 writes 2.0 as 2


def _plain_int(text: str) -> int:
    value = int(text)
    if not -MAX_SEQ <= value <= MAX_SEQ:
        raise _NotPlain
    return value


def _not_plain(text: str) -> None:
    raise _NotPlain


# The C scanner `json.loads` runs, with the number hooks above (typeshed declares its argument as the class).
_PLAIN_DECODER = json.JSONDecoder(parse_float=_plain_float, parse_int=_plain_int, parse_constant=_not_plain)
_scan_plain = json.scanner.make_scanner(_PLAIN_DECODER)  # type: ignore[arg-type]
_scan_json = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]


def json_of_text(text: str | None) -> Any:
    """A JSON column's value from its text, as `json.loads` reads it: the C scanner called directly skips
    the Python around it; a text it does not read to its end goes to `json.loads`, which says why."""
    if text is None:
        return None
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def stored_commitment(
    columns: Sequence[tuple[str, str]], values: Sequence[Any], is_json: Sequence[bool], salt: bytes
) -> str:
    """`commitment(content_of_columns(columns, parsed), salt)` where `parsed` is `values` with each JSON
    column (`is_json`) parsed from its text. A JSON text that is not JSON raises `ValueError`."""
    try:
        content = {
            name: _plain_json_column(value) if json_column else _plain_column(value)
            for (name, _), value, json_column in zip(columns, values, is_json, strict=True)
        }
        return hashlib.sha256(salt + canonical_json_of_plain(content)).hexdigest()
    except (_NotPlain, UnicodeEncodeError):  # a lone surrogate: the ordinary way says what is wrong
        parsed = [
            json_of_text(v) if json_column else v for v, json_column in zip(values, is_json, strict=True)
        ]
        return commitment(content_of_columns(columns, parsed), salt)


def _plain_json_column(text: str | None) -> Any:
    if text is None:
        return None
    if "\\u" in text or not text.isascii():  # a key could be non-ASCII (RFC 8785 sorts keys by UTF-16)
        raise _NotPlain
    try:
        value, end = _scan_plain(text, 0)
    except StopIteration:
        raise _NotPlain from None
    if end != len(text):
        raise _NotPlain
    return value


def _plain_column(value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        if -MAX_SEQ <= value <= MAX_SEQ:
            return value
        raise _NotPlain
    value = json_value(value)  # times, dates and bytes as text
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return _plain_float(repr(value))
    raise _NotPlain
