"""The offline export file (JSON Lines, `truceline-ledger/1`): write it, read it, verify it from scratch."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.encoding import LedgerEntry, canonical_json
from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.notes import (
    Checkpoint,
    parse_checkpoint,
    parse_note,
    unique_verifiers,
    verify_cosignature,
    verify_note,
)
from truceline.ledger.signing import Verifier

FORMAT = "truceline-ledger/1"
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class AuthorSignature:
    """An entry author's Ed25519 signature of `LedgerEntry.to_bytes()`, with the verifier key that made it."""

    vkey: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class ExportedEntry:
    """One `entry` line as read: the entry, the leaf hash the file claims for it, its author signature."""

    entry: LedgerEntry
    leaf_hash: bytes
    author_signature: AuthorSignature | None
    line_no: int


@dataclass(frozen=True, slots=True)
class ExportedCheckpoint:
    """One `checkpoint` line as read: the signed note text and its parsed (not yet verified) body."""

    note: str
    checkpoint: Checkpoint
    line_no: int


@dataclass(frozen=True, slots=True)
class ExportedLog:
    """A whole export file as read; nothing in it is trusted until `verify_log` returns."""

    origin: str
    log_key: str
    entries: tuple[ExportedEntry, ...]
    checkpoints: tuple[ExportedCheckpoint, ...]
    witness_keys: tuple[str, ...] = ()  # the witnesses the exporting server names (not trusted by itself)


@dataclass(frozen=True, slots=True)
class LogSummary:
    """What `verify_log` established: the tree size and root, and how many checkpoints were verified."""

    size: int
    root: bytes
    checkpoints_verified: int
    cosignatures_verified: int = 0
    unknown_cosigners: tuple[str, ...] = ()  # signature lines by keys neither given nor named (not checked)


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
        obj: dict[str, object] = {
            "type": "entry",
            "entry": entry.to_json(),
            "leaf_hash": entry.leaf_hash().hex(),
        }
        if author_signature is not None:
            obj["signature"] = {
                "key": author_signature.vkey,
                "sig": base64.b64encode(author_signature.signature).decode("ascii"),
            }
        yield _line(obj)
        written += 1
        while waiting is not None and waiting[1] == written:
            yield _line({"type": "checkpoint", "note": waiting[0]})
            waiting = _next_checkpoint(pending, origin=origin, after_size=waiting[1])
    if waiting is not None:
        raise InvalidInput(f"checkpoint for size {waiting[1]} but only {written} entries were exported")


def read_log(lines: Iterable[str]) -> ExportedLog:
    """Parse an export file's lines; InvalidInput names the first malformed line. Nothing is verified here."""
    header: dict[str, object] | None = None
    entries: list[ExportedEntry] = []
    checkpoints: list[ExportedCheckpoint] = []
    blank_line_no: int | None = None
    for line_no, raw in enumerate(lines, start=1):
        text = raw.removesuffix("\n").removesuffix("\r")
        if not text:
            blank_line_no = blank_line_no or line_no
            continue
        try:
            if blank_line_no is not None:
                raise InvalidInput("blank lines are only allowed at the end of the file")
            obj = _parse_json_object(text)
            if header is None:
                header = _parse_header(obj)
            elif obj.get("type") == "entry":
                entries.append(_parse_entry(obj, line_no))
            elif obj.get("type") == "checkpoint":
                checkpoint = _parse_checkpoint_line(obj, line_no)
                if checkpoints and checkpoint.checkpoint.size <= checkpoints[-1].checkpoint.size:
                    raise InvalidInput(
                        f"checkpoint sizes must increase: size {checkpoint.checkpoint.size} "
                        f"follows size {checkpoints[-1].checkpoint.size}"
                    )
                checkpoints.append(checkpoint)
            else:
                raise InvalidInput(f"line type must be 'entry' or 'checkpoint', got {obj.get('type')!r}")
        except InvalidInput as exc:
            bad_line = blank_line_no if blank_line_no is not None else line_no
            raise InvalidInput(f"line {bad_line}: {exc}") from exc
    if header is None:
        raise InvalidInput("line 1: the export is empty; expected a header line")
    return ExportedLog(
        origin=str(header["origin"]),
        log_key=str(header["log_key"]),
        entries=tuple(entries),
        checkpoints=tuple(checkpoints),
        witness_keys=tuple(str(k) for k in _str_list(header.get("witness_keys"))),
    )


def verify_log(
    log: ExportedLog,
    *,
    log_vkey: str,
    author_vkeys: Mapping[str, Iterable[str]] | None = None,
    witness_vkeys: Iterable[str] = (),
) -> LogSummary:
    """Recompute the whole log from its entries and check every claim in the file; raise at the first lie.

    `log_vkey` is the log key the caller trusts (not the one the file names). When `author_vkeys`
    (author -> that author's verifier keys) is given, an entry signature must also be by one of them.
    Every cosignature on a checkpoint by a witness key in `witness_vkeys` (the keys the caller trusts) or
    named in the export's header must verify: a forged one fails the run. Lines by other keys are
    listed in the summary as unknown; they prove nothing.
    """
    log_verifier = Verifier.from_vkey(log_vkey)
    given = [Verifier.from_vkey(key) for key in witness_vkeys]
    unique_verifiers(given)  # the caller's own list must not name a key twice
    named = [Verifier.from_vkey(key) for key in log.witness_keys if key not in set(witness_vkeys)]
    witnesses = unique_verifiers(v if v.is_cosigner else v.for_cosignatures() for v in [*given, *named])
    cosignatures = 0
    unknown: list[str] = []
    if log.log_key != log_vkey:
        raise VerificationError(f"export names log key {log.log_key}, expected {log_vkey}")
    checkpoints = deque(log.checkpoints)
    tree = MerkleAccumulator()
    last_good_size = 0
    verified = 0

    def check_checkpoints_at(size: int) -> None:
        nonlocal last_good_size, verified
        while checkpoints and checkpoints[0].checkpoint.size == size:
            exported = checkpoints.popleft()
            _verify_checkpoint(exported, log=log, log_verifier=log_verifier)
            nonlocal cosignatures
            cosignatures += _verify_cosignatures(exported, log_verifier, witnesses, unknown)
            root = tree.root()
            if exported.checkpoint.root_hash != root:
                raise VerificationError(
                    f"checkpoint for size {size} (line {exported.line_no}) has root "
                    f"{exported.checkpoint.root_hash.hex()}, but entries 0..{size - 1} give {root.hex()}; "
                    f"an entry from seq {last_good_size} on was changed",
                    seq=last_good_size,
                )
            last_good_size = size
            verified += 1

    check_checkpoints_at(0)
    for expected_seq, exported in enumerate(log.entries):
        entry = exported.entry
        if entry.seq != expected_seq:
            raise VerificationError(
                f"entries must be contiguous: expected seq {expected_seq}, got seq {entry.seq} "
                f"(line {exported.line_no})",
                seq=expected_seq,
            )
        leaf_hash = entry.leaf_hash()
        if leaf_hash != exported.leaf_hash:
            raise VerificationError(
                f"entry seq {entry.seq} does not match its leaf hash: expected {exported.leaf_hash.hex()}, "
                f"got {leaf_hash.hex()}",
                seq=entry.seq,
            )
        if exported.author_signature is not None:
            _verify_author_signature(entry, exported.author_signature, author_vkeys)
        tree.append(leaf_hash)
        check_checkpoints_at(tree.size)
    if checkpoints:
        extra = checkpoints[0]
        raise VerificationError(
            f"checkpoint (line {extra.line_no}) claims size {extra.checkpoint.size}, "
            f"but the export has {tree.size} entries"
        )
    if last_good_size < tree.size:
        unsigned = tree.size - last_good_size
        raise VerificationError(
            f"{unsigned} entries (seq {last_good_size}..{tree.size - 1}) are not covered by a signed "
            "checkpoint",
            seq=last_good_size,
        )
    return LogSummary(
        size=tree.size,
        root=tree.root(),
        checkpoints_verified=verified,
        cosignatures_verified=cosignatures,
        unknown_cosigners=tuple(sorted(set(unknown))),
    )


def _verify_cosignatures(
    exported: ExportedCheckpoint,
    log_verifier: Verifier,
    witnesses: Mapping[tuple[str, bytes], Verifier],
    unknown: list[str],
) -> int:
    """Check each witness line of a checkpoint note; returns how many verified."""
    note = parse_note(exported.note)
    verified = 0
    for signature in note.signatures:
        if (signature.name, signature.key_hash) == (log_verifier.name, log_verifier.key_hash):
            continue
        witness = witnesses.get((signature.name, signature.key_hash))
        if witness is None:
            unknown.append(f"{signature.name}+{signature.key_hash.hex()}")
            continue
        try:
            verify_cosignature(note.body, signature.line(), witness)
        except VerificationError as exc:
            raise VerificationError(
                f"checkpoint for size {exported.checkpoint.size} (line {exported.line_no}): forged "
                f"cosignature by {signature.name}: {exc}"
            ) from exc
        verified += 1
    return verified


def _verify_checkpoint(exported: ExportedCheckpoint, *, log: ExportedLog, log_verifier: Verifier) -> None:
    if exported.checkpoint.origin != log.origin:
        raise VerificationError(
            f"checkpoint (line {exported.line_no}) is for origin {exported.checkpoint.origin!r}, "
            f"expected {log.origin!r}"
        )
    try:
        verify_note(exported.note, [log_verifier])
    except VerificationError as exc:
        raise VerificationError(
            f"checkpoint for size {exported.checkpoint.size} (line {exported.line_no}) is not signed by "
            f"the log key: {exc}"
        ) from exc


def _verify_author_signature(
    entry: LedgerEntry, author_signature: AuthorSignature, author_vkeys: Mapping[str, Iterable[str]] | None
) -> None:
    if author_vkeys is not None and author_signature.vkey not in set(author_vkeys.get(entry.author, ())):
        raise VerificationError(
            f"entry seq {entry.seq} is signed with {author_signature.vkey}, "
            f"which is not a key of {entry.author!r}",
            seq=entry.seq,
        )
    try:
        Verifier.from_vkey(author_signature.vkey).verify(entry.to_bytes(), author_signature.signature)
    except VerificationError as exc:
        raise VerificationError(f"entry seq {entry.seq} author signature: {exc}", seq=entry.seq) from exc


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


def _str_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _parse_header(obj: Mapping[str, object]) -> dict[str, object]:
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
    return dict(obj)


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
        entry=entry, leaf_hash=bytes.fromhex(leaf_hash), author_signature=author_signature, line_no=line_no
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
