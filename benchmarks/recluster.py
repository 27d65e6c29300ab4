"""Incremental recluster: 1,000 new claims into a database holding N claims and their incidents.

Set-up (not timed, and not how Truceline writes): the N + 1,000 claims of `cluster.py` (real UCDP GED
events reused in 12,000-day epochs, 1–4 reports each) are made; 1,000 of them are held back: with
`--spread recent` (the default, as new reports mostly are) drawn from the latest 5,000 by date, with
`--spread anywhere` drawn across the whole archive (late reports of old happenings: the hard case, each
needs its own date window). The N others are clustered in memory epoch by epoch (epochs are 33 years apart, so
no pair crosses one) and written with the incidents and their member rows *directly* by executemany INSERTs,
without ledger entries, because writing a million ledgered records is not what is measured here; a recluster
mark then says they are clustered. The 1,000 claims are stored as ingest stores them (`create_claim`: record
and ledger entry), and what is timed is one `recluster` (incremental, the default) in one transaction, commit
included: it reads the ledger entries since the mark, and writes its incidents with their ledger entries.
Usage: `python benchmarks/recluster.py --size 100000 [--database-url postgresql://...] [--home DIR]`.
`--dump FILE`: the records the run wrote, in ledger order, as JSON lines (`cmp` two dumps of one snapshot to
check that a change of the clustering code writes the same incidents).
`--collector-paused`: the garbage collector paused during the run, as `truceline incidents --recluster` does.
`--snapshot FILE` (SQLite): the set-up database is copied to FILE, or, when FILE exists, copied from it
instead of set up again, so that runs before and after a change time the same database without the set-up.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from cluster import EPOCH_DAYS, load_events, make_claims
from sqlalchemy import func, insert, select, text

from truceline.claims.models import Claim
from truceline.claims.service import create_claim
from truceline.cli.collector import collector_paused
from truceline.config import load_settings
from truceline.incidents.clustering import cluster_claims
from truceline.incidents.models import Incident, IncidentMember, ReclusterMark
from truceline.incidents.rules import build_incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import batched_appends
from truceline.pipeline.claims import ClaimValue
from truceline.runtime import Runtime, open_runtime
from truceline.workflows.reclustering import recluster

NEW_CLAIMS = 1_000
NOW = datetime(2026, 12, 6, tzinfo=UTC)
_ROWS_PER_INSERT = 5_000


def claim_row(claim: ClaimValue) -> dict[str, Any]:
    # Imported-event shape: no stored document, so recluster takes the document from the claim id.
    return {
        "id": claim.id,
        "created_at": NOW,
        "created_by": "bench",
        "supersedes_id": None,
        "document_id": None,
        "source_id": None,
        "event_type": claim.event_type,
        "sub_event_type": claim.sub_event_type,
        "process_type": claim.process_type,
        "event_date": claim.event_date,
        "time_precision": claim.time_precision,
        "actor1": claim.actor1,
        "actor2": claim.actor2,
        "alleged": claim.alleged,
        "claimant": claim.claimant,
        "location": claim.location.to_json(),
        "fatalities": claim.fatalities.to_json(),
        "injuries": claim.injuries,
        "evidence": claim.evidence.to_json(),
        "confidence": claim.confidence,
        "extractor": claim.extractor,
    }


def incident_rows(claims: list[ClaimValue]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The incidents of these claims as rows, and their member rows."""
    rows, members = [], []
    for cluster in cluster_claims(claims):
        value = build_incident(cluster)
        rows.append(
            {
                "id": value.id,
                "created_at": NOW,
                "created_by": "bench",
                "supersedes_id": None,
                "title": value.title,
                "event_type": value.event_type,
                "sub_event_type": value.sub_event_type,
                "process_type": value.process_type,
                "date_start": value.date_start,
                "date_end": value.date_end,
                "actors": list(value.actors),
                "location": value.location.to_json(),
                "fatalities": value.fatalities.to_json(),
                "claim_ids": list(value.claim_ids),
                "independent_sources": value.independent_sources,
                "corroboration": value.corroboration,
                "reasons": list(value.reasons),
            }
        )
        members.extend({"claim_id": c, "incident_id": value.id} for c in value.claim_ids)
    return rows, members


def insert_rows(connection: Any, table: Any, rows: Iterable[dict[str, Any]]) -> None:
    """executemany INSERTs of `_ROWS_PER_INSERT` rows, made as they are sent (a million dicts at once would
    cost gigabytes)."""
    rows = iter(rows)
    while batch := list(islice(rows, _ROWS_PER_INSERT)):
        connection.execute(insert(table), batch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="incremental recluster of 1,000 new claims")
    parser.add_argument("--size", type=int, default=100_000, help="claims already clustered")
    parser.add_argument("--database-url", default="", help="default: SQLite in the home")
    parser.add_argument("--home", type=Path, help="default: a temporary directory")
    parser.add_argument("--spread", choices=("recent", "anywhere"), default="recent")
    parser.add_argument("--snapshot", type=Path, help="SQLite: keep the set-up database here, or reuse it")
    parser.add_argument("--dump", type=Path, help="write the records the run wrote here (JSON lines)")
    parser.add_argument("--collector-paused", action="store_true", help="as the CLI runs it: no cyclic GC")
    args = parser.parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="truceline-recluster-"))
    if args.snapshot is not None and args.snapshot.exists():
        if args.database_url:
            parser.error("--snapshot: expected SQLite (no --database-url)")
        shutil.copyfile(args.snapshot, home / "truceline.db")
        print(f"set-up: copied from {args.snapshot} (size and spread as when it was made)")
        runtime = open_runtime(load_settings(home=home))
        return time_recluster(runtime, spread=args.spread, dump=args.dump, is_gc_paused=args.collector_paused)
    runtime = open_runtime(load_settings(home=home, database_url=args.database_url))
    claims, _ = make_claims(load_events(), args.size + NEW_CLAIMS)
    by_date = sorted(range(len(claims)), key=lambda n: (claims[n].event_date, claims[n].id))
    pick_from = by_date[-5 * NEW_CLAIMS :] if args.spread == "recent" else by_date
    held = set(random.Random(6).sample(pick_from, NEW_CLAIMS))
    archive = [c for n, c in enumerate(claims) if n not in held]
    new = [c for n, c in enumerate(claims) if n in held]
    started = time.perf_counter()
    by_epoch: dict[int, list[ClaimValue]] = {}
    for claim in archive:
        assert claim.event_date is not None
        by_epoch.setdefault((claim.event_date.toordinal() - 700_000) // EPOCH_DAYS, []).append(claim)
    with runtime.engine.begin() as connection:
        insert_rows(connection, Claim.__table__, (claim_row(c) for c in archive))
        for group in by_epoch.values():
            rows, members = incident_rows(group)
            insert_rows(connection, Incident.__table__, rows)
            insert_rows(connection, IncidentMember.__table__, members)
        last = connection.scalar(select(func.max(LedgerEntryRow.seq)))
        mark = {"ledger_size": 0 if last is None else last + 1, "created_at": NOW, "created_by": "bench"}
        connection.execute(insert(ReclusterMark), [mark])
    if runtime.engine.dialect.name == "postgresql":
        # Planner statistics, as autovacuum keeps them on a database that grew over time (right after a bulk
        # load they are missing, and its ANALYZE of a million rows would run during the timed recluster).
        with runtime.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    with runtime.transaction() as session, batched_appends(session):
        for claim in new:
            create_claim(session, replace(claim, document_id=""), author="bench", now=NOW)
    print(f"set-up: {len(archive)} claims clustered and inserted, {time.perf_counter() - started:.0f} s")
    if args.snapshot is not None:
        if runtime.engine.dialect.name != "sqlite":
            parser.error("--snapshot: expected SQLite (no --database-url)")
        with sqlite3.connect(home / "truceline.db") as source, sqlite3.connect(args.snapshot) as copy:
            source.backup(copy)
    return time_recluster(runtime, spread=args.spread, dump=args.dump, is_gc_paused=args.collector_paused)


def time_recluster(runtime: Runtime, *, spread: str, dump: Path | None, is_gc_paused: bool) -> int:
    """One incremental recluster of the stored database, timed; its figures printed."""
    with runtime.sessions() as session:  # the archive: every claim of the set-up is in one incident
        archive_size = session.scalar(select(func.count()).select_from(IncidentMember))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    started, cpu_started = time.perf_counter(), time.process_time()
    with collector_paused() if is_gc_paused else nullcontext(), runtime.transaction() as session:
        result = recluster(session, scenario=runtime.scenario, author="bench", now=NOW)
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"incremental recluster of {NEW_CLAIMS} new claims ({spread}) into {archive_size}"
        f"{', collector paused' if is_gc_paused else ''}: "
        f"{wall_s:.1f} s wall, "
        f"{cpu_s:.1f} s CPU; {result.considered} claims clustered, {len(result.created)} incidents written, "
        f"{len(result.retired)} superseded; peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if dump is not None:
        dump_written(runtime, dump)
    return 0 if not result.is_full else 1


def dump_written(runtime: Runtime, path: Path) -> None:
    """The ledger entries from the run's mark on (kind and record id) and the incident rows they name."""
    with runtime.sessions() as session, path.open("w") as out:
        start = session.scalar(select(func.max(ReclusterMark.ledger_size)))
        entries = session.execute(
            select(LedgerEntryRow.kind, LedgerEntryRow.record_id)
            .where(LedgerEntryRow.seq >= start)
            .order_by(LedgerEntryRow.seq)
        )
        columns = [c for c in Incident.__table__.columns if c.name != "created_at"]
        for kind, record_id in entries:
            line: dict[str, Any] = {"kind": kind, "record_id": record_id}
            if kind == Incident.ledger_kind():
                row = session.execute(select(*columns).where(Incident.id == record_id)).one()
                line.update(row._asdict())
            out.write(json.dumps(line, sort_keys=True, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
