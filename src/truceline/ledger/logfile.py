"""The offline export file (JSON Lines, `truceline-ledger/1`): write it, read it; `logcheck` verifies it."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from truceline.errors import InvalidInput
from truceline.ledger.encoding import MAX_SEQ, LedgerEntry, canonical_json
from truceline.ledger.merkle import hash_leaf
from truceline.ledger.notes import (
    Checkpoint,
    parse_checkpoint,
    parse_note,
    unique_verifiers,
)
from truceline.ledger.signing import Verifier

FORMAT = "truceline-ledger/1"
_HEX_HASH = re.compile(r"[0-9a-f]{64}")
# The inside of a JSON string that RFC 8785 writes as it stands: no quote, backslash or control character,
# so nothing to escape. (A lone surrogate passes the pattern and fails to encode as UTF-8 below.)
_PLAIN = r'[^"\\\x00-\x1f]+'
# An entry line exactly as `write_log` writes it (canonical JSON, plain strings), with its line break; any
# other spelling of an entry line is valid too and goes through the JSON parser and the RFC 8785 encoder
# instead. The hex fields are matched as any 64 characters and checked after the match: a character class
# repeated 64 times costs more than the rest of the pattern.
_CANONICAL_ENTRY_LINE = re.compile(
    r'\{"entry":(?P<entry>\{'
    rf'"author":"(?P<author>{_PLAIN})","commitment":"(?P<commitment>[^"]{{64}})","kind":"{_PLAIN}",'
    rf'"record_id":"{_PLAIN}","seq":(?P<seq>0|[1-9][0-9]{{0,15}}),'
    r'"time":"(?P<time>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)"'
    r'\}),"leaf_hash":"(?P<leaf_hash>[^"]{64})"'
    rf'(?:,"signature":\{{"key":"(?P<key>{_PLAIN})","sig":"(?P<sig>[A-Za-z0-9+/=]*)"\}})?'
    r',"type":"entry"\}\r?\n?'
)
# Bound once: they run for every entry line.
_match_entry_line = _CANONICAL_ENTRY_LINE.fullmatch
_fromhex = bytes.fromhex
_check_date = datetime.fromisoformat


@dataclass(frozen=True, slots=True)
class AuthorSignature:
    """An entry author's Ed25519 signature of `LedgerEntry.to_bytes()`, with the verifier key that made it."""

    vkey: str
    signature: bytes


class ExportedEntry(NamedTuple):
    """One `entry` line as read: the entry's canonical bytes, the leaf hash the file claims for them, and
    the author signature. The bytes were checked to be a well-formed entry (§1) when the line was read.

    A named tuple, not a frozen dataclass: one is built per line of a million-line export, and a frozen
    dataclass's `__init__` (a `object.__setattr__` per field) took a fifth of the verification time."""

    seq: int
    author: str
    entry_bytes: bytes
    leaf_hash: bytes
    author_signature: AuthorSignature | None
    line_no: int

    @property
    def entry(self) -> LedgerEntry:
        return LedgerEntry.from_json(json.loads(self.entry_bytes))


# An entry line's fields as `read_entry_line` returns them: an `ExportedEntry` without its line number.
EntryFields = tuple[int, str, bytes, bytes, AuthorSignature | None]


@dataclass(frozen=True, slots=True)
class ExportedCheckpoint:
    """One `checkpoint` line as read: the signed note text and its parsed (not yet verified) body."""

    note: str
    checkpoint: Checkpoint
    line_no: int


@dataclass(frozen=True, slots=True)
class ExportedHeader:
    """The header line as read: the log it claims to be and the witnesses it names (nothing trusted yet)."""

    origin: str
    log_key: str
    witness_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportedLog:
    """A whole export file as read; nothing in it is trusted until `verify_log` returns."""

    origin: str
    log_key: str
    entries: tuple[ExportedEntry, ...]
    checkpoints: tuple[ExportedCheckpoint, ...]
    witness_keys: tuple[str, ...] = ()  # the witnesses the exporting server names (not trusted by itself)


def write_log(
    *,
    origin: str,
    log_vkey: str,
    entries: Iterable[tuple[LedgerEntry, AuthorSignature | None]],
    checkpoints: Iterable[str],
    witness_keys: Iterable[str] = (),
) -> Iterator[str]:
    """Yield the export's lines, each ending in a newline, streaming entries in seq order from 0.

    Each checkpoint (a signed note) is written right after the entry that completes its tree, so a
    reader can check it as soon as it arrives; checkpoints must come in increasing size.
    """
    Verifier.from_vkey(log_vkey)
    header: dict[str, object] = {"type": "header", "format": FORMAT, "origin": origin, "log_key": log_vkey}
    witnesses = sorted(witness_keys)
    if witnesses:
        unique_verifiers(Verifier.from_vkey(key) for key in witnesses)
        header["witness_keys"] = witnesses
    yield _line(header)
    pending = iter(checkpoints)
    waiting = _next_checkpoint(pending, origin=origin, after_size=-1)
    written = 0
    while waiting is not None and waiting[1] == written:
        yield _line({"type": "checkpoint", "note": waiting[0]})
        waiting = _next_checkpoint(pending, origin=origin, after_size=waiting[1])
    for entry, author_signature in entries:
        if entry.seq != written:
            raise InvalidInput(
                f"entries must come in seq order from 0: expected seq {written}, got {entry.seq}"
            )
        yield _entry_line(entry.to_bytes(), author_signature)
        written += 1
        while waiting is not None and waiting[1] == written:
            yield _line({"type": "checkpoint", "note": waiting[0]})
            waiting = _next_checkpoint(pending, origin=origin, after_size=waiting[1])
    if waiting is not None:
        raise InvalidInput(f"checkpoint for size {waiting[1]} but only {written} entries were exported")


def read_log(lines: Iterable[str]) -> ExportedLog:
    """Parse an export file's lines; InvalidInput names the first malformed line. Nothing is verified here."""
    items = iter_log(lines)
    header = next(items)
    assert isinstance(header, ExportedHeader)  # iter_log yields the header first or raises
    entries: list[ExportedEntry] = []
    checkpoints: list[ExportedCheckpoint] = []
    for item in items:
        if isinstance(item, ExportedEntry):
            entries.append(item)
        elif isinstance(item, ExportedCheckpoint):
            checkpoints.append(item)
    return ExportedLog(
        origin=header.origin,
        log_key=header.log_key,
        entries=tuple(entries),
        checkpoints=tuple(checkpoints),
        witness_keys=header.witness_keys,
    )


def iter_log(lines: Iterable[str]) -> Iterator[ExportedHeader | ExportedEntry | ExportedCheckpoint]:
    """Yield the header, then each entry and checkpoint line as read, in file order, holding one line at
    a time; InvalidInput names the first malformed line. Nothing is verified here."""
    reader = LogReader()
    numbered = enumerate(lines, start=1)
    yield reader.read_header(numbered)
    for line_no, line in numbered:
        if reader.is_fast and (fields := read_entry_line(line)) is not None:
            yield ExportedEntry(*fields, line_no)
        elif (item := reader.read(line_no, line)) is not None:
            yield item


class LogReader:
    """An export read one line at a time, as `iter_log` reads it: the header first, checkpoint sizes
    increasing, blank lines only at the end. While `is_fast` holds (after the header, before any blank
    line), an entry line may be read with `read_entry_line` instead; `read` parses any line."""

    def __init__(self) -> None:
        self.is_fast = False
        self.has_header = False
        self.last_checkpoint_size = -1
        self.blank_line_no: int | None = None

    def read_header(self, numbered: Iterator[tuple[int, str]]) -> ExportedHeader:
        """Read (line number, line) pairs up to the header and return it."""
        for line_no, line in numbered:
            header = self.read(line_no, line)
            if header is not None:
                assert isinstance(header, ExportedHeader)  # the first item read is the header, or it raises
                return header
        raise InvalidInput("line 1: the export is empty; expected a header line")

    def read(self, line_no: int, line: str) -> ExportedHeader | ExportedEntry | ExportedCheckpoint | None:
        """The item on one line (None for a blank line); InvalidInput names the line."""
        text = line.removesuffix("\n").removesuffix("\r")
        if not text:
            self.blank_line_no = self.blank_line_no or line_no
            self.is_fast = False
            return None
        try:
            if self.blank_line_no is not None:
                raise InvalidInput("blank lines are only allowed at the end of the file")
            return self._read_item(_parse_json_object(text), line_no)
        except InvalidInput as exc:
            bad_line = self.blank_line_no if self.blank_line_no is not None else line_no
            raise InvalidInput(f"line {bad_line}: {exc}") from exc

    def _read_item(
        self, obj: Mapping[str, object], line_no: int
    ) -> ExportedHeader | ExportedEntry | ExportedCheckpoint:
        if not self.has_header:
            header = _parse_header(obj)
            self.has_header = self.is_fast = True
            return header
        if obj.get("type") == "entry":
            return _parse_entry(obj, line_no)
        if obj.get("type") == "checkpoint":
            checkpoint = _parse_checkpoint_line(obj, line_no)
            if checkpoint.checkpoint.size <= self.last_checkpoint_size:
                raise InvalidInput(
                    f"checkpoint sizes must increase: size {checkpoint.checkpoint.size} "
                    f"follows size {self.last_checkpoint_size}"
                )
            self.last_checkpoint_size = checkpoint.checkpoint.size
            return checkpoint
        raise InvalidInput(f"line type must be 'entry' or 'checkpoint', got {obj.get('type')!r}")


def read_entry_line(line: str) -> EntryFields | None:
    """An entry line as `write_log` writes it, read from its text without parsing or re-encoding it: the
    fields of its `ExportedEntry` but the line number. None for any other line, which `LogReader.read`
    then parses (and refuses with its reason, if it is wrong).

    `_CANONICAL_ENTRY_LINE` admits only canonical JSON with escape-free strings, so the text of the
    `entry` object is already its RFC 8785 bytes (§1); what the pattern cannot check is checked here,
    as `LedgerEntry` would: seq at most 2^53 - 1, a real date, lowercase hex, text that encodes as UTF-8.
    """
    match = _match_entry_line(line)
    if match is None:
        return None
    entry_text, author, commitment, seq_text, time, leaf_hex, key, sig = match.groups()
    seq = int(seq_text)
    try:
        entry_bytes = entry_text.encode()
        leaf_hash = _fromhex(leaf_hex)
        _check_date(time)  # the pattern fixed the spelling; this checks the calendar
        is_hex = leaf_hash.hex() == leaf_hex and _fromhex(commitment).hex() == commitment
    except ValueError:  # UnicodeEncodeError (a lone surrogate) is one
        return None
    if seq > MAX_SEQ or not is_hex:
        return None
    author_signature = None
    if key is not None:
        author_signature = _parse_author_signature({"key": key, "sig": sig})
    return seq, author, entry_bytes, leaf_hash, author_signature


def _next_checkpoint(pending: Iterator[str], *, origin: str, after_size: int) -> tuple[str, int] | None:
    note = next(pending, None)
    if note is None:
        return None
    checkpoint = parse_checkpoint(parse_note(note).body)
    if checkpoint.origin != origin:
        raise InvalidInput(f"checkpoint is for origin {checkpoint.origin!r}, expected {origin!r}")
    if checkpoint.size <= after_size:
        raise InvalidInput(f"checkpoints must come in increasing size: {checkpoint.size} after {after_size}")
    return note, checkpoint.size


def _entry_line(entry_bytes: bytes, author_signature: AuthorSignature | None) -> str:
    """An entry line (§7) around the entry's bytes, encoded once: the keys below are in RFC 8785 order and
    the entry bytes are canonical, so this is the line's canonical JSON."""
    signature = ""
    if author_signature is not None:
        key = canonical_json(author_signature.vkey).decode("utf-8")
        sig = base64.b64encode(author_signature.signature).decode("ascii")
        signature = f',"signature":{{"key":{key},"sig":"{sig}"}}'
    leaf_hash = hash_leaf(entry_bytes).hex()
    return f'{{"entry":{entry_bytes.decode("utf-8")},"leaf_hash":"{leaf_hash}"{signature},"type":"entry"}}\n'


def _line(obj: Mapping[str, object]) -> str:
    # Canonical JSON makes the export byte-for-byte reproducible from the same database.
    return canonical_json(obj).decode("utf-8") + "\n"


def _parse_json_object(text: str) -> dict[str, object]:
    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            raise InvalidInput("JSON object has a duplicate key")
        return obj

    def no_constants(name: str) -> object:
        raise InvalidInput(f"JSON value {name} is not allowed")

    try:
        obj = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(obj, dict):
        raise InvalidInput(f"each line must be a JSON object, got {type(obj).__name__}")
    return obj


def _require_keys(
    obj: Mapping[str, object], *, required: set[str], optional: frozenset[str] = frozenset()
) -> None:
    keys = set(obj)
    missing, extra = sorted(required - keys), sorted(keys - required - optional)
    if missing or extra:
        raise InvalidInput(
            f"{obj.get('type', 'line')} fields are wrong: missing {missing}, unexpected {extra}"
        )


def _parse_header(obj: Mapping[str, object]) -> ExportedHeader:
    if obj.get("type") != "header":
        raise InvalidInput(f"the first line must be the header, got type {obj.get('type')!r}")
    _require_keys(obj, required={"type", "format", "origin", "log_key"}, optional=frozenset({"witness_keys"}))
    witness_keys = obj.get("witness_keys", [])
    if not isinstance(witness_keys, list) or not all(isinstance(k, str) for k in witness_keys):
        raise InvalidInput("witness_keys must be a list of verifier key strings")
    unique_verifiers(Verifier.from_vkey(k) for k in witness_keys)
    if obj["format"] != FORMAT:
        raise InvalidInput(f"format must be {FORMAT!r}, got {obj['format']!r}")
    origin, log_key = obj["origin"], obj["log_key"]
    if not isinstance(origin, str) or not origin:
        raise InvalidInput(f"origin must be a non-empty string, got {origin!r}")
    if not isinstance(log_key, str):
        raise InvalidInput(f"log_key must be a verifier key string, got {log_key!r}")
    Verifier.from_vkey(log_key)
    return ExportedHeader(origin=origin, log_key=log_key, witness_keys=tuple(witness_keys))


def _parse_entry(obj: Mapping[str, object], line_no: int) -> ExportedEntry:
    _require_keys(obj, required={"type", "entry", "leaf_hash"}, optional=frozenset({"signature"}))
    entry_obj, leaf_hash = obj["entry"], obj["leaf_hash"]
    if not isinstance(entry_obj, dict):
        raise InvalidInput(f"entry must be a JSON object, got {type(entry_obj).__name__}")
    entry = LedgerEntry.from_json(entry_obj)
    if not isinstance(leaf_hash, str) or not _HEX_HASH.fullmatch(leaf_hash):
        raise InvalidInput(f"leaf_hash must be 64 lowercase hex digits, got {leaf_hash!r}")
    author_signature = None
    if "signature" in obj:
        author_signature = _parse_author_signature(obj["signature"])
    return ExportedEntry(
        seq=entry.seq,
        author=entry.author,
        entry_bytes=entry.to_bytes(),
        leaf_hash=bytes.fromhex(leaf_hash),
        author_signature=author_signature,
        line_no=line_no,
    )


def _parse_author_signature(obj: object) -> AuthorSignature:
    if not isinstance(obj, dict) or set(obj) != {"key", "sig"}:
        raise InvalidInput('signature must be {"key": <verifier key>, "sig": <base64>}')
    key, sig = obj["key"], obj["sig"]
    if not isinstance(key, str) or not isinstance(sig, str):
        raise InvalidInput("signature key and sig must be strings")
    Verifier.from_vkey(key)
    try:
        signature = base64.b64decode(sig, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(f"signature sig is not valid base64: {sig[:40]!r}") from exc
    return AuthorSignature(vkey=key, signature=signature)


def _parse_checkpoint_line(obj: Mapping[str, object], line_no: int) -> ExportedCheckpoint:
    _require_keys(obj, required={"type", "note"})
    note = obj["note"]
    if not isinstance(note, str):
        raise InvalidInput(f"checkpoint note must be a string, got {type(note).__name__}")
    return ExportedCheckpoint(note=note, checkpoint=parse_checkpoint(parse_note(note).body), line_no=line_no)
