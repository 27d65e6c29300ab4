"""Ledger speed: offline verification of an export file, next to a bare SHA-256 pass over the same leaves.

How the export is made (the same seed gives the same file): N entries of the kinds Truceline logs, with
record ids, authors, times one to three seconds apart and salted commitments, built with the ledger's own
encoder (`LedgerEntry`), tree (`MerkleAccumulator`), signer and `write_log` (not through the web app); a
checkpoint signed by the log key every `--checkpoint-every` entries and at the end, as the unit of work
writes them under bulk imports; every `--signed-every`-th entry signed by its author.

Printed, all from the same run: the time to verify the file from disk (`verify_log_lines`, what
`truceline ledger verify --file` runs), entries/s and the projected seconds per 1M entries, and the time
of a bare SHA-256 leaf-hash pass over the same entry bytes held in memory (the floor any verifier meets).
Usage: `python benchmarks/ledger.py [--entries 250000] [--checkpoint-every 1000] [--keep FILE]`.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from truceline.ledger.encoding import LedgerEntry, format_time
from truceline.ledger.logfile import AuthorSignature, verify_log_lines, write_log
from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.notes import Checkpoint, sign_note
from truceline.ledger.signing import Signer

ORIGIN = "truceline.example/ledger"
KINDS = ("documents", "claims", "claims", "claims", "incidents", "claim_reviews", "complaints", "evidence")
AUTHORS = ("secretariat", "secretariat", "secretariat", "mediator.example/desk", "party.example/af")


def build_signer(name: str) -> Signer:
    return Signer(name=name, seed=hashlib.sha256(name.encode()).digest())


def iter_entries(count: int, *, seed: int) -> Iterator[LedgerEntry]:
    rng = random.Random(seed)
    when = datetime(2025, 10, 25, 9, 30, tzinfo=UTC)
    for seq in range(count):
        when += timedelta(microseconds=rng.randrange(1_000_000, 3_000_000))
        kind = KINDS[seq % len(KINDS)]
        yield LedgerEntry(
            seq=seq,
            kind=kind,
            record_id=f"{kind[:3].upper()}-{seq:08d}",
            author=rng.choice(AUTHORS),
            time=format_time(when),
            commitment=hashlib.sha256(rng.randbytes(48)).hexdigest(),
        )


def write_export(path: Path, *, count: int, checkpoint_every: int, signed_every: int, seed: int) -> None:
    """Write an export of `count` entries with the ledger's own writer and checkpoints as the sealer would."""
    log_key, author_key = build_signer(ORIGIN), build_signer("mediator.example/desk")
    tree = MerkleAccumulator()
    notes: list[str] = []
    for entry in iter_entries(count, seed=seed):
        tree.append(entry.leaf_hash())
        if tree.size % checkpoint_every == 0 or tree.size == count:
            notes.append(sign_note(Checkpoint(ORIGIN, tree.size, tree.root()).body(), [log_key]))

    def pairs() -> Iterator[tuple[LedgerEntry, AuthorSignature | None]]:
        for entry in iter_entries(count, seed=seed):
            signature = None
            if signed_every and entry.seq % signed_every == 0:
                signature = AuthorSignature(author_key.vkey(), author_key.sign(entry.to_bytes()))
            yield entry, signature

    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(
            write_log(origin=ORIGIN, log_vkey=log_key.vkey(), entries=pairs(), checkpoints=notes)
        )


def time_sha256_of_leaves(count: int, *, seed: int) -> float:
    """Seconds for SHA-256(0x00 || entry bytes) over every entry, the bytes already in memory."""
    leaves = [entry.to_bytes() for entry in iter_entries(count, seed=seed)]
    start = time.perf_counter()
    for leaf in leaves:
        hashlib.sha256(b"\x00" + leaf).digest()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=250_000)
    parser.add_argument("--checkpoint-every", type=int, default=1000)
    parser.add_argument("--signed-every", type=int, default=1000, help="0: no author signatures")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    args = parser.parse_args()
    count = args.entries
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "ledger.jsonl"
        start = time.perf_counter()
        write_export(
            path,
            count=count,
            checkpoint_every=args.checkpoint_every,
            signed_every=args.signed_every,
            seed=args.seed,
        )
        built_s = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        print(f"export: {count:,} entries, {size_mb:,.1f} MB, built in {built_s:.1f} s", file=sys.stderr)
        start = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            summary = verify_log_lines(handle, log_vkey=build_signer(ORIGIN).vkey())
        verify_s = time.perf_counter() - start
    assert summary.size == count
    sha_s = time_sha256_of_leaves(count, seed=args.seed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"offline verify --file: {count:,} entries, {summary.checkpoints_verified:,} checkpoints")
    print(
        f"  verify      {verify_s:7.2f} s  {count / verify_s:12,.0f} entries/s  "
        f"{verify_s / count * 1e6:6.1f} s per 1M"
    )
    print(
        f"  sha-256     {sha_s:7.2f} s  {count / sha_s:12,.0f} leaves/s   "
        f"{sha_s / count * 1e6:6.1f} s per 1M  (verify is {verify_s / sha_s:.1f}x)"
    )
    print(f"  peak memory of the process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
