"""C2SP signed notes, tlog checkpoints and tlog-cosignature/v1: format, parse, sign and verify."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

from truceline.errors import InvalidInput, VerificationError
from truceline.ledger.merkle import HASH_SIZE
from truceline.ledger.signing import SIGNATURE_SIZE, Signer, Verifier, check_key_name

# https://c2sp.org/signed-note: "— " (U+2014 em dash, space) opens every signature line.
SIGNATURE_PREFIX = "\u2014 "
# The Go reference implementation's limit; the spec asks verifiers to accept at least 16.
MAX_SIGNATURES = 100
# https://c2sp.org/tlog-cosignature: the first line of the signed message gives domain separation.
COSIGNATURE_HEADER = "cosignature/v1\n"
_MAX_TIMESTAMP = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head (https://c2sp.org/tlog-checkpoint): origin, tree size and root hash."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise InvalidInput(f"checkpoint origin must be one non-empty line, got {self.origin!r}")
        if type(self.size) is not int or self.size < 0:
            raise InvalidInput(f"checkpoint size must be a non-negative integer, got {self.size!r}")
        if len(self.root_hash) != HASH_SIZE:
            raise InvalidInput(f"checkpoint root hash must be {HASH_SIZE} bytes, got {len(self.root_hash)}")
        for line in self.extensions:
            if not line or "\n" in line:
                raise InvalidInput(f"checkpoint extension lines must be one non-empty line, got {line!r}")
        _check_note_characters(self.body())

    def body(self) -> str:
        """The note text: origin, size, base64 root, then extension lines, each ending in a newline."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root_hash).decode("ascii"),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """The strict inverse of `Checkpoint.body()`: anything `body()` would not produce is InvalidInput."""
    if not body.endswith("\n"):
        raise InvalidInput("checkpoint must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise InvalidInput(f"checkpoint needs origin, size and root lines, got {len(lines)} line(s)")
    origin, size_text, root_text, *extensions = lines
    # tlog-checkpoint: ASCII decimal, no leading zeroes unless the tree is empty.
    if not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise InvalidInput(
            f"checkpoint size must be a decimal number without leading zeros, got {size_text!r}"
        )
    root_hash = _strict_b64decode(root_text, what="checkpoint root hash")
    return Checkpoint(origin=origin, size=int(size_text), root_hash=root_hash, extensions=tuple(extensions))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, 4-byte key hash and the signature bytes that follow it."""

    name: str
    key_hash: bytes
    sig_bytes: bytes

    def line(self) -> str:
        """`— <name> <base64(key hash || signature)>` and a newline."""
        blob = base64.b64encode(self.key_hash + self.sig_bytes).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A note text (ending in a newline) and its signature lines, in the order they appear."""

    body: str
    signatures: tuple[NoteSignature, ...]

    def text(self) -> str:
        return self.body + "\n" + "".join(signature.line() for signature in self.signatures)


def parse_signature_line(line: str) -> NoteSignature:
    """Parse one `— <name> <base64>` line (a final newline is allowed)."""
    text = line.removesuffix("\n")
    if not text.startswith(SIGNATURE_PREFIX):
        raise InvalidInput(f"signature line must start with an em dash and a space: {text[:40]!r}")
    name, space, blob = text[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise InvalidInput(f"signature line needs a key name and a signature: {text[:40]!r}")
    check_key_name(name)
    raw = _strict_b64decode(blob, what=f"signature by {name}")
    if len(raw) < 5:
        raise InvalidInput(
            f"signature by {name} must hold a 4-byte key hash and a signature, got {len(raw)} bytes"
        )
    return NoteSignature(name=name, key_hash=raw[:4], sig_bytes=raw[4:])


def parse_note(text: str) -> SignedNote:
    """Split a signed note at its last blank line into the text and at least one signature line."""
    _check_note_characters(text)
    if not text.endswith("\n"):
        raise InvalidInput("signed note must end with a newline")
    split_at = text.rfind("\n\n")
    if split_at < 0:
        raise InvalidInput("signed note has no blank line before its signatures")
    body, signature_block = text[: split_at + 1], text[split_at + 2 :]
    # Split on U+000A only: str.splitlines would also split on U+2028 and friends, which a name may hold.
    lines = signature_block.removesuffix("\n").split("\n") if signature_block else []
    if not lines:
        raise InvalidInput("signed note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise InvalidInput(
            f"signed note has {len(lines)} signatures, more than the {MAX_SIGNATURES} accepted"
        )
    signatures = tuple(parse_signature_line(line) for line in lines)
    keys = [(sig.name, sig.key_hash) for sig in signatures]
    if len(set(keys)) != len(keys):
        raise InvalidInput("signed note has two signatures by the same key")
    return SignedNote(body=body, signatures=signatures)


def sign_note(body: str, signers: Iterable[Signer]) -> str:
    """The signed note: `body`, a blank line, then one Ed25519 (alg 0x01) signature line per signer."""
    _check_note_body(body)
    msg = body.encode("utf-8")
    signatures = tuple(
        NoteSignature(name=signer.name, key_hash=signer.key_hash, sig_bytes=signer.sign(msg))
        for signer in signers
    )
    if not signatures:
        raise InvalidInput("a signed note needs at least one signer")
    return SignedNote(body=body, signatures=signatures).text()


def verify_note(text: str, verifiers: Iterable[Verifier]) -> SignedNote:
    """Return the note if a known key signed it; raise VerificationError otherwise.

    https://c2sp.org/signed-note: a line whose (name, key hash) matches no verifier is ignored; a
    line from a known key must verify or the whole note is refused. Verifiers with alg 0x04 check
    tlog-cosignature/v1 lines, so a log key and its witnesses can be verified in one call.
    """
    note = parse_note(text)
    known = unique_verifiers(verifiers)
    verified = 0
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_hash))
        if verifier is None:
            continue
        if verifier.is_cosigner:
            _verify_cosignature_bytes(note.body, signature, verifier)
        else:
            verifier.verify(note.body.encode("utf-8"), signature.sig_bytes)
        verified += 1
    if not verified:
        expected = ", ".join(f"{name}+{hash4.hex()}" for name, hash4 in known) or "none given"
        got = ", ".join(f"{s.name}+{s.key_hash.hex()}" for s in note.signatures)
        raise VerificationError(
            f"note has no signature from a known key: expected one of {expected}, got {got}"
        )
    return note


def unique_verifiers(verifiers: Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    """Verifiers by (name, key hash); two with the same name and hash are ambiguous and refused (as Go's
    note package does), since a line could then be checked against either."""
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        key = (verifier.name, verifier.key_hash)
        if key in known:
            raise InvalidInput(f"verifier key {verifier.name}+{verifier.key_hash.hex()} is given twice")
        known[key] = verifier
    return known


def add_signature_lines(note_text: str, lines: Iterable[str]) -> str:
    """Add signature lines (e.g. cosignatures) to a signed note; a key that already signed keeps its line.

    Lines are not verified here: verify each cosignature (`verify_cosignature`) before merging it.
    """
    note = parse_note(note_text)
    signatures = list(note.signatures)
    present = {(s.name, s.key_hash) for s in signatures}
    for line in lines:
        signature = parse_signature_line(line)
        if (signature.name, signature.key_hash) not in present:
            signatures.append(signature)
            present.add((signature.name, signature.key_hash))
    if len(signatures) > MAX_SIGNATURES:
        raise InvalidInput(f"a note may carry at most {MAX_SIGNATURES} signatures, got {len(signatures)}")
    return SignedNote(body=note.body, signatures=tuple(signatures)).text()


def cosignature_message(checkpoint_body: str, timestamp: int) -> bytes:
    """https://c2sp.org/tlog-cosignature §Ed25519 signed message: header, `time <t>`, checkpoint body."""
    return f"{COSIGNATURE_HEADER}time {timestamp}\n{checkpoint_body}".encode()


def cosign(checkpoint_body: str, signer: Signer, timestamp: int) -> str:
    """A witness's cosignature line: base64(key hash (alg 0x04) || u64 big-endian time || Ed25519 sig)."""
    parse_checkpoint(checkpoint_body)
    _check_timestamp(timestamp)
    sig = signer.sign(cosignature_message(checkpoint_body, timestamp))
    return NoteSignature(
        name=signer.name, key_hash=signer.cosigner_key_hash, sig_bytes=timestamp.to_bytes(8, "big") + sig
    ).line()


def verify_cosignature(checkpoint_body: str, line: str, verifier: Verifier) -> int:
    """Return the cosignature's timestamp if `line` is `verifier`'s valid cosignature of the checkpoint."""
    cosigner = verifier if verifier.is_cosigner else verifier.for_cosignatures()
    signature = parse_signature_line(line)
    if (signature.name, signature.key_hash) != (cosigner.name, cosigner.key_hash):
        raise VerificationError(
            f"cosignature is from {signature.name}+{signature.key_hash.hex()}, "
            f"expected {cosigner.name}+{cosigner.key_hash.hex()}"
        )
    return _verify_cosignature_bytes(checkpoint_body, signature, cosigner)


def _verify_cosignature_bytes(checkpoint_body: str, signature: NoteSignature, cosigner: Verifier) -> int:
    if len(signature.sig_bytes) != 8 + SIGNATURE_SIZE:
        raise VerificationError(
            f"cosignature by {cosigner.name} must be {8 + SIGNATURE_SIZE} bytes after the key hash, "
            f"got {len(signature.sig_bytes)}"
        )
    timestamp = int.from_bytes(signature.sig_bytes[:8], "big")
    if timestamp > _MAX_TIMESTAMP:
        raise VerificationError(f"cosignature by {cosigner.name} has an impossible timestamp {timestamp}")
    cosigner.verify(cosignature_message(checkpoint_body, timestamp), signature.sig_bytes[8:])
    return timestamp


def _check_timestamp(timestamp: int) -> None:
    if type(timestamp) is not int or not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise InvalidInput(f"cosignature timestamp must be an integer in 0..2^63-1, got {timestamp!r}")


def _check_note_body(body: str) -> None:
    _check_note_characters(body)
    if not body.endswith("\n"):
        raise InvalidInput("note text must end with a newline")


# https://c2sp.org/signed-note: no ASCII control characters other than newline.
_CONTROL_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f]")


def _check_note_characters(text: str) -> None:
    found = _CONTROL_CHARACTER.search(text)
    if found is not None:
        raise InvalidInput(f"note contains control character {found[0]!r} at offset {found.start()}")


def _strict_b64decode(text: str, *, what: str) -> bytes:
    """Standard base64 (RFC 4648 §4) that re-encodes to exactly `text`, so one value has one spelling."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(f"{what} is not valid base64: {text[:40]!r}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise InvalidInput(f"{what} is not canonical base64: {text[:40]!r}")
    return raw
