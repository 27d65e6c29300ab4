"""Ledger entries and record commitments as bytes: RFC 8785 canonical JSON, salted SHA-256, RFC 3339 time."""

from __future__ import annotations

import hashlib
import json
import json.encoder
import math
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import rfc8785

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.merkle import hash_leaf

SALT_SIZE = 16
ENTRY_FIELDS = ("seq", "kind", "record_id", "author", "time", "commitment")
# RFC 8785 §3.2.2.3: integers beyond 2^53 - 1 are not representable in I-JSON numbers.
MAX_SEQ = 2**53 - 1

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_TIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_COMMITMENT_PATTERN = re.compile(r"[0-9a-f]{64}")


def _encode_with(encoder: json.JSONEncoder) -> Callable[[object], str]:
    """`encoder.encode`, with the standard library's C encoder made once: `encode` makes one per call, which
    costs as much as encoding a record's small JSON object. (Without the check for circular references: a
    cycle raises RecursionError rather than ValueError.)"""
    make_encoder = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator
    if make_encoder is None or encoder.indent is not None:
        return encoder.encode
    c_encoder = make_encoder(
        None,
        encoder.default,
        json.encoder.encode_basestring_ascii if encoder.ensure_ascii else json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    return lambda value: "".join(c_encoder(value, 0))


_json_string = (
    json.encoder.encode_basestring
)  # a JSON string as `_sorted_compact` writes it (no ASCII escapes)

# `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`, with the
# encoder made once (json.dumps makes two per call when given options: a third of a commitment's time).
_SORTED_COMPACT = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_sorted_compact = _encode_with(_SORTED_COMPACT)  # `_SORTED_COMPACT.encode`, faster


def canonical_json(value: object) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value: sorted keys, no whitespace, UTF-8, ECMAScript numbers."""
    plain = _as_plain_json(value)
    if plain is not NOT_PLAIN:
        # For these values the standard library writes exactly the RFC 8785 bytes (the same escapes, keys
        # in the same order, numbers spelled alike), ten times faster than the pure-Python encoder: every
        # record's commitment is computed when it is appended and again when it is verified.
        text = _sorted_compact(plain)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the RFC 8785 encoder below refuses it with its own message
    try:
        return rfc8785.dumps(value)  # type: ignore[arg-type]  # rfc8785 checks the types at run time
    except rfc8785.CanonicalizationError as exc:
        raise InvalidInput(f"value cannot be canonicalized as JSON (RFC 8785): {exc}") from exc


NOT_PLAIN = object()
_FIXED_FLOATS = (1e-4, 1e16)  # within this magnitude Python's repr has no exponent, nor has ECMAScript's


def _as_plain_json(value: object) -> object:
    """`value` in a form `json.dumps` spells as RFC 8785 does, or `NOT_PLAIN`: object keys ASCII (so
    code-point order is UTF-16 order), integers within ±(2^53 − 1), floats written without an exponent
    (ECMAScript writes 1e-7 and 1e+21, Python 1e-07 and 1e+21), integral floats as integers (2.0 is 2)."""
    kind = type(value)
    if kind is str or value is None or kind is bool:  # the common cases first: this runs for every record
        return value
    if kind is dict:
        return _as_plain_object(value)  # type: ignore[arg-type]
    if isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return value if -MAX_SEQ <= value <= MAX_SEQ else NOT_PLAIN
    if isinstance(value, float):
        return plain_float(value)
    if isinstance(value, dict):
        return _as_plain_object(value)
    if isinstance(value, list | tuple):
        plain_list = [_as_plain_json(item) for item in value]
        return NOT_PLAIN if any(item is NOT_PLAIN for item in plain_list) else plain_list
    return NOT_PLAIN


def plain_float(value: float) -> object:
    """`_as_plain_json` of a float: written without an exponent, integral as an integer, or `NOT_PLAIN`."""
    if not math.isfinite(value) or not (value == 0 or _FIXED_FLOATS[0] <= abs(value) < _FIXED_FLOATS[1]):
        return NOT_PLAIN
    return int(value) if value.is_integer() else value


def _as_plain_object(value: dict[object, object]) -> object:
    plain_dict: dict[str, object] = {}
    for key, item in value.items():
        if type(key) is not str or not key.isascii():
            return NOT_PLAIN
        kind = type(item)
        # Strings, None, booleans and safe integers pass as they are; only the rest needs a call.
        if kind is str or item is None or kind is bool:
            plain_dict[key] = item
            continue
        if type(item) is int and -MAX_SEQ <= item <= MAX_SEQ:
            plain_dict[key] = item
            continue
        plain = plain_float(item) if type(item) is float else _as_plain_json(item)
        if plain is NOT_PLAIN:
            return NOT_PLAIN
        plain_dict[key] = plain
    return plain_dict


def canonical_json_of_plain(value: object) -> bytes:
    """`canonical_json(value)` for a value already in the form `_as_plain_json` gives (the caller checked it:
    ASCII keys, safe integers, floats without an exponent, integral floats as integers); a lone surrogate
    raises `UnicodeEncodeError`."""
    return _sorted_compact(value).encode("utf-8")


def format_time(dt: datetime) -> str:
    """RFC 3339 in UTC with exactly six fractional digits, e.g. "2025-10-25T09:30:00.000000Z"."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise InvalidInput(f"ledger time must be timezone-aware, got naive {dt.isoformat()}")
    return dt.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """The inverse of `format_time`: an aware UTC datetime, or InvalidInput for any other spelling."""
    if not _TIME_PATTERN.fullmatch(text):
        raise InvalidInput(f"ledger time must look like 2025-10-25T09:30:00.000000Z, got {text!r}")
    try:
        # The pattern fixes the spelling (its "Z" makes the result UTC), so the C parser of ISO 8601 only
        # has to check the calendar: strptime took a fifth of an export's verification time.
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"ledger time {text!r} is not a real date and time") from exc


def entry_bytes(fields: Mapping[str, object]) -> bytes:
    """The logged bytes of an entry's six fields (`LedgerEntry.to_bytes`, for fields already checked)."""
    # For an object of ASCII keys, strings and a safe integer, sorted-key `json.dumps` without ASCII
    # escaping writes exactly the RFC 8785 bytes (docs/ledger.md §1), several times faster.
    text = _sorted_compact(fields)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"entry seq {fields['seq']} holds text that is not valid Unicode: {exc}") from exc


def new_salt() -> bytes:
    """16 random bytes to blind one record's commitment."""
    return secrets.token_bytes(SALT_SIZE)


def entry_bytes_of(*, seq: int, kind: str, record_id: str, author: str, time: str, commitment: str) -> bytes:
    """`entry_bytes` of the six fields given one by one (`seq` an int): the same bytes, written in RFC 8785's
    key order without building and sorting an object (a third of an entry's time when appending in bulk)."""
    text = (
        f'{{"author":{_json_string(author)},"commitment":{_json_string(commitment)},"kind":{_json_string(kind)},'
        f'"record_id":{_json_string(record_id)},"seq":{int(seq)},"time":{_json_string(time)}}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"entry seq {seq} holds text that is not valid Unicode: {exc}") from exc


def new_salts(count: int) -> list[bytes]:
    """`count` salts, drawn from the system's random source at once (each call is a system call)."""
    pool = secrets.token_bytes(SALT_SIZE * count)
    return [pool[start : start + SALT_SIZE] for start in range(0, len(pool), SALT_SIZE)]


def commitment(content: Mapping[str, object], salt: bytes) -> str:
    """Lowercase hex SHA-256(salt || canonical_json(content)).

    The salt keeps a commitment to a short or guessable record (a yes/no finding, a known name) from
    being confirmed by hashing candidates: only whoever holds the salt can check it.
    """
    if len(salt) != SALT_SIZE:
        raise InvalidInput(f"commitment salt must be {SALT_SIZE} bytes, got {len(salt)}")
    return hashlib.sha256(salt + canonical_json(dict(content))).hexdigest()


def plain_object(value: dict[object, object]) -> object:
    """`plain_json` of a dict (one call instead of three: it runs for every JSON column of every record)."""
    return _as_plain_object(value)


def plain_json(value: object) -> object:
    """`value` as `json.dumps` spells it the way RFC 8785 does (`_as_plain_json`), or `NOT_PLAIN`."""
    return _as_plain_json(value)


def commitment_of_plain(content: dict[str, object], salt: bytes) -> str:
    """`commitment(content, salt)` for content whose keys are ASCII and whose values come from
    `plain_json` (or are strings, booleans or None): hashed without walking it again."""
    if len(salt) != SALT_SIZE:
        raise InvalidInput(f"commitment salt must be {SALT_SIZE} bytes, got {len(salt)}")
    try:
        return hashlib.sha256(salt + _sorted_compact(content).encode("utf-8")).hexdigest()
    except UnicodeEncodeError:
        return commitment(
            content, salt
        )  # a lone surrogate: refused by the RFC 8785 encoder, with its message


def verify_commitment(content: Mapping[str, object], *, salt: bytes, expected: str) -> None:
    """Return None if `content` with `salt` hashes to `expected`; raise VerificationError otherwise."""
    got = commitment(content, salt)
    if got != expected:
        raise VerificationError(
            f"record content does not match its commitment: expected {expected}, got {got}"
        )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One state change as logged: what kind, which record, who, when, and a commitment to the record."""

    seq: int
    kind: str
    record_id: str
    author: str
    time: str
    commitment: str

    def __post_init__(self) -> None:
        if type(self.seq) is not int or not 0 <= self.seq <= MAX_SEQ:
            raise InvalidInput(f"entry seq must be an integer in 0..2^53-1, got {self.seq!r}")
        for name in ("kind", "record_id", "author"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise InvalidInput(f"entry {name} must be a non-empty string, got {value!r}")
        if not isinstance(self.time, str):
            raise InvalidInput(f"entry time must be a string, got {self.time!r}")
        parse_time(self.time)
        if not isinstance(self.commitment, str) or not _COMMITMENT_PATTERN.fullmatch(self.commitment):
            raise InvalidInput(f"entry commitment must be 64 lowercase hex digits, got {self.commitment!r}")

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> LedgerEntry:
        """Build an entry from its JSON object; exactly the six fields, each of the right type."""
        if not isinstance(obj, Mapping):
            raise InvalidInput(f"entry must be a JSON object, got {type(obj).__name__}")
        keys = set(obj)
        if keys != set(ENTRY_FIELDS):
            missing = sorted(set(ENTRY_FIELDS) - keys)
            extra = sorted(keys - set(ENTRY_FIELDS))
            raise InvalidInput(f"entry fields are wrong: missing {missing}, unexpected {extra}")
        return cls(
            seq=obj["seq"],  # type: ignore[arg-type]  # checked in __post_init__
            kind=obj["kind"],  # type: ignore[arg-type]
            record_id=obj["record_id"],  # type: ignore[arg-type]
            author=obj["author"],  # type: ignore[arg-type]
            time=obj["time"],  # type: ignore[arg-type]
            commitment=obj["commitment"],  # type: ignore[arg-type]
        )

    def to_json(self) -> dict[str, object]:
        """The six fields as a JSON object (plain `str`, so a StrEnum kind serializes as its value)."""
        return {
            "seq": self.seq,
            "kind": str(self.kind),
            "record_id": str(self.record_id),
            "author": str(self.author),
            "time": self.time,
            "commitment": self.commitment,
        }

    def to_bytes(self) -> bytes:
        """The logged bytes: RFC 8785 canonical JSON of the six fields."""
        return entry_bytes(self.to_json())

    def leaf_hash(self) -> bytes:
        """RFC 9162 §2.1.1 leaf hash of `to_bytes()`."""
        return hash_leaf(self.to_bytes())
