"""Verify an export file (`logfile`, `truceline-ledger/1`) from scratch, step by step as docs/ledger.md §8."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from truceline.errors import VerificationError
from truceline.ledger.logfile import (
    AuthorSignature,
    ExportedCheckpoint,
    ExportedEntry,
    ExportedHeader,
    ExportedLog,
    LogReader,
    read_entry_line,
)
from truceline.ledger.merkle import MerkleAccumulator, hash_leaf, root_from_leaf_hashes
from truceline.ledger.notes import parse_note, unique_verifiers, verify_cosignature, verify_note
from truceline.ledger.signing import Verifier

# Leaf hashes read before they are hashed into the tree at the latest (a checkpoint's size comes sooner).
_GROW_EVERY = 1 << 14


@dataclass(frozen=True, slots=True)
class LogSummary:
    """What `verify_log` established: the tree size and root, and how many checkpoints were verified."""

    size: int
    root: bytes
    checkpoints_verified: int
    cosignatures_verified: int = 0
    unknown_cosigners: tuple[str, ...] = ()  # signature lines by keys neither given nor named (not checked)


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
    header = ExportedHeader(origin=log.origin, log_key=log.log_key, witness_keys=log.witness_keys)
    checker = _LogChecker(header, log_vkey=log_vkey, author_vkeys=author_vkeys, witness_vkeys=witness_vkeys)
    # Every checkpoint is known before the first entry, wherever it stood in the file.
    for exported_checkpoint in log.checkpoints:
        checker.add_checkpoint(exported_checkpoint)
    for exported in log.entries:
        checker.add_entry(*exported)
    return checker.finish()


def verify_log_lines(
    lines: Iterable[str],
    *,
    log_vkey: str,
    author_vkeys: Mapping[str, Iterable[str]] | None = None,
    witness_vkeys: Iterable[str] = (),
) -> LogSummary:
    """`verify_log(read_log(lines), ...)` while reading: one line in memory at a time, plus 32 bytes per
    entry kept only for a checkpoint that arrives after entries beyond its size."""
    reader = LogReader()
    numbered = enumerate(lines, start=1)
    header = reader.read_header(numbered)
    checker = _LogChecker(header, log_vkey=log_vkey, author_vkeys=author_vkeys, witness_vkeys=witness_vkeys)
    add_entry = checker.add_entry
    for line_no, line in numbered:
        # Nearly every line is an entry as `write_log` writes it: read and checked without building an item.
        if reader.is_fast and (fields := read_entry_line(line)) is not None:
            add_entry(*fields, line_no)
        elif isinstance(item := reader.read(line_no, line), ExportedEntry):
            add_entry(*item)
        elif isinstance(item, ExportedCheckpoint):
            checker.add_checkpoint(item)
    return checker.finish()


class _LogChecker:
    """The state of §8's step-by-step verification, fed one entry or checkpoint at a time.

    A checkpoint is checked as soon as the tree reaches its size: one that arrives early waits in a
    queue; one that arrives late (after entries beyond its size) is checked against the root of the
    leaf hashes kept so far.
    """

    def __init__(
        self,
        header: ExportedHeader,
        *,
        log_vkey: str,
        author_vkeys: Mapping[str, Iterable[str]] | None,
        witness_vkeys: Iterable[str],
    ) -> None:
        witness_vkeys = list(witness_vkeys)
        self.log_verifier = Verifier.from_vkey(log_vkey)
        given = [Verifier.from_vkey(key) for key in witness_vkeys]
        unique_verifiers(given)  # the caller's own list must not name a key twice
        named = [Verifier.from_vkey(key) for key in header.witness_keys if key not in set(witness_vkeys)]
        self.witnesses = unique_verifiers(
            v if v.is_cosigner else v.for_cosignatures() for v in [*given, *named]
        )
        if header.log_key != log_vkey:
            raise VerificationError(f"export names log key {header.log_key}, expected {log_vkey}")
        self.origin = header.origin
        self.author_vkeys = (
            None if author_vkeys is None else {author: set(keys) for author, keys in author_vkeys.items()}
        )
        self.author_verifiers: dict[str, Verifier] = {}
        self.waiting: deque[ExportedCheckpoint] = deque()
        self.tree = MerkleAccumulator()
        self.size = 0  # entries read: the tree's leaves and the pending ones
        self.pending: list[bytes] = []  # leaf hashes checked but not yet hashed into the tree
        self.grow_at = _GROW_EVERY  # the size at which the pending leaves go into the tree
        self.leaf_hashes = bytearray()
        self.last_good_size = 0
        self.verified = 0
        self.cosignatures = 0
        self.unknown: list[str] = []

    def add_entry(
        self,
        seq: int,
        author: str,
        entry_bytes: bytes,
        leaf_hash: bytes,
        author_signature: AuthorSignature | None,
        line_no: int,
    ) -> None:
        """Check one entry (the fields of an `ExportedEntry`) and keep its leaf hash for the tree."""
        if seq != self.size:
            raise VerificationError(
                f"entries must be contiguous: expected seq {self.size}, got seq {seq} (line {line_no})",
                seq=self.size,
            )
        computed = hash_leaf(entry_bytes)
        if computed != leaf_hash:
            raise VerificationError(
                f"entry seq {seq} does not match its leaf hash: "
                f"expected {leaf_hash.hex()}, got {computed.hex()}",
                seq=seq,
            )
        if author_signature is not None:
            self.check_author_signature(seq, author, entry_bytes, author_signature)
        self.pending.append(computed)
        self.size = seq + 1
        if self.size == self.grow_at:
            self.grow()

    def add_checkpoint(self, exported: ExportedCheckpoint) -> None:
        self.grow()
        if exported.checkpoint.size >= self.size:
            self.waiting.append(exported)
            self.grow()
            return
        hashes = self.leaf_hashes
        size = exported.checkpoint.size
        root = root_from_leaf_hashes([bytes(hashes[i * 32 : i * 32 + 32]) for i in range(size)])
        self.check_checkpoint(exported, root)

    def grow(self) -> None:
        """Hash the pending leaves into the tree, checking each waiting checkpoint at its size: a batch of
        leaves costs a hash per node, and little Python per leaf."""
        tree, pending, waiting = self.tree, self.pending, self.waiting
        self.leaf_hashes += b"".join(pending)
        start = 0
        while waiting and waiting[0].checkpoint.size <= self.size:
            stop = start + waiting[0].checkpoint.size - tree.size
            tree.extend(pending[start:stop])
            start = stop
            self.check_checkpoint(waiting.popleft(), tree.root())
        tree.extend(pending[start:])
        pending.clear()
        self.grow_at = self.size + _GROW_EVERY
        if waiting:
            self.grow_at = min(self.grow_at, waiting[0].checkpoint.size)

    def check_checkpoint(self, exported: ExportedCheckpoint, root: bytes) -> None:
        size = exported.checkpoint.size
        _verify_checkpoint(exported, origin=self.origin, log_verifier=self.log_verifier)
        self.cosignatures += _verify_cosignatures(exported, self.log_verifier, self.witnesses, self.unknown)
        if exported.checkpoint.root_hash != root:
            raise VerificationError(
                f"checkpoint for size {size} (line {exported.line_no}) has root "
                f"{exported.checkpoint.root_hash.hex()}, but entries 0..{size - 1} give {root.hex()}; "
                f"an entry from seq {self.last_good_size} on was changed",
                seq=self.last_good_size,
            )
        self.last_good_size = max(self.last_good_size, size)
        self.verified += 1

    def check_author_signature(
        self, seq: int, author: str, entry_bytes: bytes, author_signature: AuthorSignature
    ) -> None:
        vkey = author_signature.vkey
        if self.author_vkeys is not None and vkey not in self.author_vkeys.get(author, ()):
            raise VerificationError(
                f"entry seq {seq} is signed with {vkey}, which is not a key of {author!r}", seq=seq
            )
        verifier = self.author_verifiers.get(vkey)
        if verifier is None:
            verifier = self.author_verifiers[vkey] = Verifier.from_vkey(vkey)
        try:
            verifier.verify(entry_bytes, author_signature.signature)
        except VerificationError as exc:
            raise VerificationError(f"entry seq {seq} author signature: {exc}", seq=seq) from exc

    def finish(self) -> LogSummary:
        self.grow()
        tree = self.tree
        if self.waiting:
            extra = self.waiting[0]
            raise VerificationError(
                f"checkpoint (line {extra.line_no}) claims size {extra.checkpoint.size}, "
                f"but the export has {tree.size} entries"
            )
        if self.last_good_size < tree.size:
            unsigned = tree.size - self.last_good_size
            raise VerificationError(
                f"{unsigned} entries (seq {self.last_good_size}..{tree.size - 1}) are not covered by a "
                "signed checkpoint",
                seq=self.last_good_size,
            )
        return LogSummary(
            size=tree.size,
            root=tree.root(),
            checkpoints_verified=self.verified,
            cosignatures_verified=self.cosignatures,
            unknown_cosigners=tuple(sorted(set(self.unknown))),
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


def _verify_checkpoint(exported: ExportedCheckpoint, *, origin: str, log_verifier: Verifier) -> None:
    if exported.checkpoint.origin != origin:
        raise VerificationError(
            f"checkpoint (line {exported.line_no}) is for origin {exported.checkpoint.origin!r}, "
            f"expected {origin!r}"
        )
    try:
        verify_note(exported.note, [log_verifier])
    except VerificationError as exc:
        raise VerificationError(
            f"checkpoint for size {exported.checkpoint.size} (line {exported.line_no}) is not signed by "
            f"the log key: {exc}"
        ) from exc
