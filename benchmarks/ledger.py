"""Ledger speed: offline verification of an export file, next to a bare SHA-256 pass over the same leaves.

How the export is made (the same seed gives the same file): N entries of the kinds Truceline logs, with
record ids, authors, times one to three seconds apart and salted commitments, built with the ledger's own
encoder (`LedgerEntry`), tree (`MerkleAccumulator`), signer and `write_log` (not through the web app); a
checkpoint signed by the log key every `--checkpoint-every` entries and at the end, as the unit of work
writes them under bulk imports; every `--signed-every`-th entry signed by its author.

Printed, all from the same run: the time to verify the file from disk (`verify_log_lines`, what
`truceline ledger verify --file` runs; wall and CPU seconds), entries/s and the projected seconds per 1M
entries, and the CPU time of a bare SHA-256 leaf-hash pass over the same entry bytes held in memory (the
floor any verifier meets); CPU times are compared, as a shared machine's load distorts wall time.
Usage: `python benchmarks/ledger.py [--entries 250000] [--checkpoint-every 1000] [--keep FILE]`.

`python benchmarks/ledger.py append [--entries 20000] [--batch 1000] [--postgres | --database-url URL]`
measures appends through the unit of work (records and entries committed together, a checkpoint signed
with each commit, as `Runtime.transaction()` does): claims appended one `add_record` at a time, the same
claims through `batched_appends` (when the code has it), single appends (one claim per transaction), and,
as the reference in the same run, a plain executemany INSERT of the same claim rows (no ledger). Each on a
fresh database. The claims (ORM objects, as `import --format acled` builds them) and the plain rows are
built before the clock starts; `--build-in-timing` times building them too (the figures before 6 December
2026 did). Wall time and the CPU time of this process are printed (on SQLite all the work is in it).

`python benchmarks/ledger.py database [--entries 200000] [--postgres | --database-url URL]` loads a database
of claims with their entries and one checkpoint (with the pure ledger modules, so any version of the
service can be measured on it), then runs `verify_database` in a child process and prints its seconds (wall
and CPU) and peak memory (the child's maximum resident set size).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

from truceline.claims.models import Claim
from truceline.db.engine import make_engine, make_session_factory
from truceline.db.migrate import upgrade_to_head
from truceline.ledger import sealing
from truceline.ledger import service as ledger_service
from truceline.ledger.encoding import LedgerEntry, commitment, format_time, new_salt
from truceline.ledger.logfile import AuthorSignature, write_log
from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.notes import Checkpoint, sign_note
from truceline.ledger.sealing import Sealer
from truceline.ledger.signing import Signer

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
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
    """CPU seconds for SHA-256(0x00 || entry bytes) over every entry, the bytes already in memory."""
    leaves = [entry.to_bytes() for entry in iter_entries(count, seed=seed)]
    start = time.process_time()
    for leaf in leaves:
        hashlib.sha256(b"\x00" + leaf).digest()
    return time.process_time() - start


def run_file_benchmark(args: argparse.Namespace) -> None:
    # Imported here: the database benchmark's child process may run an older checkout, which has no logcheck.
    from truceline.ledger.logcheck import verify_log_lines

    count = args.entries or 250_000
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
        start, start_cpu = time.perf_counter(), time.process_time()
        with path.open(encoding="utf-8") as handle:
            summary = verify_log_lines(handle, log_vkey=build_signer(ORIGIN).vkey())
        verify_s, verify_cpu_s = time.perf_counter() - start, time.process_time() - start_cpu
    assert summary.size == count
    sha_s = time_sha256_of_leaves(count, seed=args.seed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"offline verify --file: {count:,} entries, {summary.checkpoints_verified:,} checkpoints")
    print(
        f"  verify      {verify_s:7.2f} s  {count / verify_s:12,.0f} entries/s  "
        f"{verify_s / count * 1e6:6.1f} s per 1M  (CPU {verify_cpu_s:.2f} s, "
        f"{verify_cpu_s / count * 1e6:.1f} s per 1M)"
    )
    print(
        f"  sha-256     {sha_s:7.2f} s  {count / sha_s:12,.0f} leaves/s   "
        f"{sha_s / count * 1e6:6.1f} s per 1M  CPU (verify's CPU time is {verify_cpu_s / sha_s:.1f}x)"
    )
    print(f"  peak memory of the process: {peak_mb:,.0f} MB")


# ---- appends through the unit of work ----


def build_claim(number: int) -> Claim:
    """A claim as `import --format acled` stores one (no document; the dataset's source is left out)."""
    return Claim(
        id=f"clm-{number:08d}",
        created_at=NOW,
        created_by="bench",
        supersedes_id=None,
        document_id=None,
        source_id=None,
        event_type="Battles",
        sub_event_type="Armed clash",
        process_type=None,
        event_date=date(2025, 10, 1) + timedelta(days=number % 60),
        time_precision=1,
        actor1="Military Forces of Pakistan",
        actor2="Taliban (Afghanistan)",
        alleged=False,
        claimant=None,
        location={
            "name": f"Place {number % 500}",
            "lat": 34.1 + number % 97 / 100,
            "lon": 71.0,
            "geo_precision": 2,
        },
        fatalities={"best": number % 7, "low": None, "high": None, "civilians": None},
        injuries=None,
        evidence={
            "text": f"Forces exchanged fire near place {number % 500} on Saturday.",
            "start": 0,
            "end": 50,
        },
        confidence=0.8,
        extractor="bench/1",
    )


def claim_row(number: int) -> dict[str, Any]:
    claim = build_claim(number)
    return {c.key: getattr(claim, c.key) for c in Claim.__mapper__.column_attrs}


class Databases:
    """Fresh migrated databases: SQLite files in a temporary directory, or databases on one PostgreSQL."""

    def __init__(self, tmp: Path, *, postgres_admin_url: str | None) -> None:
        self._tmp = tmp
        self._admin_url = postgres_admin_url
        self._count = itertools.count()

    @property
    def backend(self) -> str:
        return "postgresql" if self._admin_url else "sqlite"

    def fresh(self) -> str:
        number = next(self._count)
        if self._admin_url is None:
            url = f"sqlite:///{self._tmp / f'bench-{number}.db'}"
        else:
            name = f"truceline_bench_{number}_{int(time.time())}"
            admin = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = self._admin_url.rsplit("/", 1)[0] + "/" + name
        engine = make_engine(url)
        upgrade_to_head(engine)
        engine.dispose()
        return url


def unit_of_work(sessions: sessionmaker[Session], sealer: Sealer) -> AbstractContextManager[Session]:
    """`Runtime.transaction()` without the rest of a runtime: records, entries and their checkpoint."""
    sealed_transaction = getattr(sealing, "sealed_transaction", None)
    if sealed_transaction is not None:
        return sealed_transaction(sessions, sealer)  # type: ignore[no-any-return]
    return _commit_then_seal(sessions, sealer)  # the code before 6 December 2026


@contextmanager
def _commit_then_seal(sessions: sessionmaker[Session], sealer: Sealer) -> Iterator[Session]:
    with sessions() as session:
        with session.begin():
            yield session
        appended = session.info.pop(ledger_service.APPENDED, False)
    if appended:
        sealer.committed()


def open_database(url: str) -> tuple[Engine, sessionmaker[Session], Sealer]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    signer = build_signer(ORIGIN)

    @contextmanager
    def bare() -> Iterator[Session]:
        with sessions() as session, session.begin():
            yield session

    return engine, sessions, Sealer(bare, signer=lambda: signer, origin=ORIGIN)


def time_appends(
    url: str, *, count: int, batch: int, how: str, build_in_timing: bool = False
) -> tuple[float, float, float | None]:
    """Seconds (wall, CPU of this process, and on PostgreSQL CPU of the server process that served it) to
    append `count` claims, `batch` per transaction, the way `how` names. The claims (and the plain rows)
    are built before the clock starts, unless `build_in_timing`: a caller hands the ledger a record it has
    built."""
    engine, sessions, sealer = open_database(url)
    numbers = range(count)
    make: Callable[[int], Any] = claim_row if how == "plain" else build_claim
    built = [] if build_in_timing else [make(n) for n in numbers]
    backend = server_process(engine)  # the pool hands every transaction below this one connection
    start_server = cpu_seconds_of(backend)
    start, start_cpu = time.perf_counter(), time.process_time()
    for first in range(0, count, batch):
        chunk = built[first : first + batch] or [make(n) for n in numbers[first : first + batch]]
        if how == "plain":
            with sessions() as session, session.begin():
                session.execute(insert(Claim), chunk)
            continue
        with unit_of_work(sessions, sealer) as session:
            batched: Callable[[Session], AbstractContextManager[object]] | None = getattr(
                ledger_service, "batched_appends", None
            )
            if how == "batched" and batched is not None:
                with batched(session):
                    for claim in chunk:
                        ledger_service.add_record(session, claim, author="bench", now=NOW)
            else:
                for claim in chunk:
                    ledger_service.add_record(session, claim, author="bench", now=NOW)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    server_cpu = None if backend is None else cpu_seconds_of(backend) - start_server
    engine.dispose()
    return elapsed, cpu, server_cpu


def server_process(engine: Engine) -> int | None:
    """The process id of the PostgreSQL backend serving the engine's pooled connection (None on SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")))


def cpu_seconds_of(pid: int | None) -> float:
    """User + system CPU seconds of a process on this machine, from /proc (0 for None)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15


def run_append_benchmark(args: argparse.Namespace, databases: Databases) -> None:
    count, batch = args.entries or 20_000, args.batch
    single = min(count, args.single)
    print(
        f"appends on {databases.backend}: {count:,} claims, {batch:,} per transaction, "
        "sealed after each commit, "
        + ("building the claims timed too" if args.build_in_timing else "the claims built beforehand")
    )
    modes = [
        ("plain INSERT (reference)", "plain", count, batch),
        ("add_record one by one", "one", count, batch),
    ]
    if hasattr(ledger_service, "batched_appends"):
        modes.append(("batched_appends", "batched", count, batch))
    modes.append(("single appends, 1 per transaction", "one", single, 1))
    plain_rate = 0.0
    for label, how, n, size in modes:
        seconds, cpu, server_cpu = time_appends(
            databases.fresh(), count=n, batch=size, how=how, build_in_timing=args.build_in_timing
        )
        rate = n / seconds
        plain_rate = plain_rate or rate
        server = "" if server_cpu is None else f"  CPU of the server process {server_cpu:6.2f} s"
        print(
            f"  {label:36} {n:8,} in {seconds:7.2f} s  {rate:9,.0f} entries/s  "
            f"({rate / plain_rate:.2f}x plain)  CPU of this process {cpu:6.2f} s: {n / cpu:9,.0f}/s" + server
        )


# ---- verification of the database ----


def load_database(url: str, *, count: int, batch: int = 5000) -> None:
    """Claims with their entries and one checkpoint at the end, written with the pure ledger modules."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    leaves = MerkleAccumulator()
    when = format_time(NOW)
    for first in range(0, count, batch):
        records, entries = [], []
        for seq in range(first, min(first + batch, count)):
            claim = build_claim(seq)
            salt = new_salt()
            entry = LedgerEntry(
                seq=seq,
                kind="claims",
                record_id=claim.id,
                author="bench",
                time=when,
                commitment=commitment(ledger_service.record_content(claim), salt),
            )
            leaf = entry.leaf_hash()
            leaves.append(leaf)
            records.append(claim_row(seq))
            entries.append(
                {**entry.to_json(), "salt": salt.hex(), "leaf_hash": leaf.hex(), "signature": None}
            )
        with sessions() as session, session.begin():
            session.execute(insert(Claim), records)
            session.execute(insert(LedgerEntryRow), entries)
    note = sign_note(Checkpoint(ORIGIN, leaves.size, leaves.root()).body(), [build_signer(ORIGIN)])
    with sessions() as session, session.begin():
        session.execute(insert(ledger_service.CheckpointRow), [{"size": leaves.size, "note": note}])
    engine.dispose()


def verify_in_this_process(url: str) -> None:
    from truceline.ledger.signing import Verifier

    try:
        from truceline.audit import verify_database
    except ImportError:  # a checkout from before 6 December 2026 (`--verify-with`)
        from truceline.ledger.verify import verify_database  # type: ignore[no-redef]

    engine = make_engine(url)
    start, start_cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        report = verify_database(session, log_verifier=Verifier.from_vkey(build_signer(ORIGIN).vkey()))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak_mb:.1f} {report.entries} {cpu_seconds:.3f}")


def run_database_benchmark(args: argparse.Namespace, databases: Databases) -> None:
    count = args.entries or 200_000
    url = databases.fresh()
    start = time.perf_counter()
    load_database(url, count=count)
    loaded_s = time.perf_counter() - start
    print(f"database on {databases.backend}: {count:,} claims and entries loaded in {loaded_s:.1f} s")
    for source in args.verify_with or [None]:
        env = dict(os.environ)
        if source is not None:
            env["PYTHONPATH"] = str(source)
        child = subprocess.run(
            [sys.executable, __file__, "--verify-url", url],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(f"verify failed:\n{child.stderr}")
        seconds_text, peak_text, entries_text, cpu_text = child.stdout.split()
        seconds, peak_mb, cpu_seconds = float(seconds_text), float(peak_text), float(cpu_text)
        assert int(entries_text) == count
        print(
            f"  verify_database ({source or 'this checkout'}) {seconds:7.2f} s  "
            f"{count / seconds:9,.0f} entries/s  {seconds / count * 1e6:6.1f} s per 1M  "
            f"(CPU {cpu_seconds:.2f} s, {cpu_seconds / count * 1e6:.1f} s per 1M)  "
            f"peak memory {peak_mb:,.0f} MB"
        )


def load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("file", "append", "database"), default="file")
    parser.add_argument("--entries", type=int, help="default: file 250,000; append 20,000; database 200,000")
    parser.add_argument("--checkpoint-every", type=int, default=1000)
    parser.add_argument("--signed-every", type=int, default=1000, help="0: no author signatures")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    parser.add_argument("--batch", type=int, default=1000, help="append: records per transaction")
    parser.add_argument("--single", type=int, default=2000, help="append: how many single appends")
    parser.add_argument(
        "--build-in-timing",
        action="store_true",
        help="append: time building the claims too (as before 6 Dec)",
    )
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server")
    parser.add_argument("--database-url", help="admin URL of a PostgreSQL server to create databases on")
    parser.add_argument(
        "--verify-with",
        type=Path,
        action="append",
        help="database: verify with the truceline package under this src directory (repeat to compare)",
    )
    parser.add_argument("--verify-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_url:
        verify_in_this_process(args.verify_url)
        return
    if args.what == "file":
        run_file_benchmark(args)
        return
    run = run_append_benchmark if args.what == "append" else run_database_benchmark
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        admin_url = args.database_url
        if args.postgres:
            server = load_module("pg", REPO / "tests" / "pg.py").start_postgres()
            admin_url = server.admin_url
        try:
            run(args, Databases(Path(tmp), postgres_admin_url=admin_url))
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
