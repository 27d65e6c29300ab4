"""Web speed at scale: p50/p95/max of the desk's pages and JSON over real HTTP with 100k claims stored.

Set-up, in a temporary TRUCELINE_HOME (SQLite unless --database-url or --postgres):
- the scenario's records and the demo accounts (as `truceline init --demo` makes them, without its reports);
- N claims made like benchmarks/cluster.py (real UCDP GED events reused in epochs, 1–4 reports per event),
  actor names mapped to the scenario's as `truceline import --format ged` does; each report is also stored
  as a document from one of a dozen outlets. Everything is written with the services that write the ledger
  (`create_document`, `create_claim`: record + ledger entry), a few thousand per transaction;
- `recluster` into incidents; a few complaints, cases and proposed findings; a signed checkpoint.
Then `truceline serve` runs in a subprocess and this process times real requests with httpx, signed in as
mediator-qatar through the login form: the first (cold) request after a start, 3 warm-ups and --requests
timed requests per route (wall time, and the server's CPU time per request read from /proc, which does not
grow when other processes compete for the cores), and one write followed by the next dashboard and map
request (the desk caches its incident index per ledger size, so every write makes the next read rebuild it).
Usage: `python benchmarks/web.py [--claims 100000] [--requests 50] [--database-url URL | --postgres]
[--home DIR]`; results and their reading are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from truceline.cases.schemas import CaseCreate, FindingCreate
from truceline.claims.models import Claim
from truceline.claims.service import create_claim
from truceline.complaints.schemas import ComplaintCreate
from truceline.config import load_settings
from truceline.documents.models import Document
from truceline.documents.service import create_document
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record, create_checkpoint
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.document import SourceDocument
from truceline.runtime import Runtime, open_runtime
from truceline.sources.models import Source
from truceline.users.service import create_user, find_user, principal_of
from truceline.views import incidents
from truceline.views.review import list_review_queue
from truceline.workflows import verification
from truceline.workflows.reclustering import recluster
from truceline.workflows.setup import DEMO_PASSWORD, DEMO_USERS, SYSTEM_AUTHOR, initialize

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
AUTHOR = "bench"
USER = "mediator-qatar"
BUDGET_MS = 300.0
# (name, Admiralty reliability grade); report r of event e comes from OUTLETS[(e + 5r) % 12]: four
# distinct outlets per event, since 5 and 12 are coprime.
OUTLETS = (
    ("Reuters", "A"),
    ("AFP", "A"),
    ("AP", "A"),
    ("Dawn", "B"),
    ("The Express Tribune", "B"),
    ("Al Jazeera", "B"),
    ("Pajhwok", "C"),
    ("TOLOnews", "C"),
    ("Geo News", "C"),
    ("Khaama Press", "C"),
    ("Radio Pakistan", "D"),
    ("Bakhtar", "D"),
)
DOCUMENT_ID = re.compile(r"^S(\d+)R(\d+)$")  # how benchmarks/cluster.py names each report
ROUTES = (
    "/",
    "/api/desk",
    "/api/map/incidents?zoom=6",
    "/api/map/incidents?zoom=10&bbox=70.5,33.5,71.5,34.5",
    "/api/map/incidents?zoom=6&party=PK&from=2025-01-01",
    "/map",
    "/incidents",
    "/incidents?page=50",
    "/incidents?status=reported&party=AF",
    "/incidents/{incident_id}",
    "/timeline",
    "/api/timeline?from=2025-01-01",
    "/review",
    "/documents",
    "/documents?page=50",
    "/api/claims?limit=50",
    "/api/incidents?limit=50",
    "/ledger",
)


def load_module(name: str, path: Path) -> ModuleType:
    """A sibling script as a module (benchmarks/ and tests/ are not on the import path of a script)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


# --- data ---------------------------------------------------------------------------------------------


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def make_reports(size: int, actor_aliases: dict[str, str]) -> list[tuple[SourceDocument, ClaimValue]]:
    """The claims of benchmarks/cluster.py, each with the report it came from."""
    cluster = load_module("cluster", HERE / "cluster.py")
    claims, _ = cluster.make_claims(cluster.load_events(), size)
    reports = []
    for claim in claims:
        found = DOCUMENT_ID.match(claim.document_id)
        assert found is not None, claim.document_id
        event_no, report = int(found[1]), int(found[2])
        outlet = OUTLETS[(event_no + 5 * report) % len(OUTLETS)][0]
        place = claim.location.name or claim.location.admin1 or "the border area"
        document = SourceDocument(
            id=claim.document_id,
            text=claim.evidence.text,
            published=claim.event_date + timedelta(days=1) if claim.event_date else None,
            title=f"{claim.event_type} near {place}",
            url=f"https://{slug(outlet)}.example/{claim.document_id}",
            outlet=outlet,
        )
        claim = dataclasses.replace(
            claim,
            actor1=actor_aliases.get(claim.actor1 or "", claim.actor1),
            actor2=actor_aliases.get(claim.actor2 or "", claim.actor2),
        )
        reports.append((document, claim))
    return reports


def actor_aliases(runtime: Runtime) -> dict[str, str]:
    """Every alias of a scenario actor -> its name (as `truceline import --format ged` maps GED sides)."""
    aliases: dict[str, str] = {}
    for actor in runtime.scenario.actors:
        for alias in (actor.name, *actor.aliases):
            aliases.setdefault(alias, actor.name)
    return aliases


def set_up(runtime: Runtime) -> None:
    """The scenario's records, the demo accounts and the outlets."""
    now = datetime.now(UTC)
    with runtime.transaction() as session:
        initialize(session, scenario=runtime.scenario, now=now)
        for username, role, party in DEMO_USERS:
            if find_user(session, username) is None:
                create_user(
                    session,
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    party=party,
                    known_parties=[p.id for p in runtime.scenario.parties],
                    author=SYSTEM_AUTHOR,
                    now=now,
                )
        for name, grade in OUTLETS:
            source = Source(
                id=f"src-{slug(name)}",
                created_at=now,
                created_by=AUTHOR,
                supersedes_id=None,
                name=name,
                kind="outlet",
                url=f"https://{slug(name)}.example",
                reliability=grade,
                language="en",
            )
            add_record(session, source, author=AUTHOR, now=now)


def store_reports(
    runtime: Runtime, reports: Sequence[tuple[SourceDocument, ClaimValue]], *, chunk: int
) -> float:
    """Each document and claim with its ledger entry, `chunk` reports per transaction; returns seconds."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for first in range(0, len(reports), chunk):
        now = datetime.now(UTC)
        with runtime.transaction() as session:
            for document, claim in reports[first : first + chunk]:
                create_document(session, document, author=AUTHOR, now=now)
                create_claim(session, claim, author=AUTHOR, now=now)
        done = min(first + chunk, len(reports))
        elapsed = time.perf_counter() - started
        print(
            f"  stored {done:>7} reports in {elapsed:6.1f} s ({2 * done / elapsed:,.0f} records/s)",
            flush=True,
        )
    print(f"  (this process used {time.process_time() - cpu_started:.1f} s of CPU for it)")
    return time.perf_counter() - started


def add_verification(runtime: Runtime) -> dict[str, int]:
    """Complaints from both liaisons, cases on complaints and on incidents, findings proposed on a few."""
    now = datetime.now(UTC)
    scenario = runtime.scenario
    clause = scenario.agreement.clauses[0].id
    with runtime.transaction() as session:
        points = [p for p in incidents.incident_points(session, scenario) if p.is_violent]
        liaison = {
            party: principal_of(find_user(session, f"liaison-{party.lower()}")) for party in ("PK", "AF")
        }
        mediator = principal_of(find_user(session, USER))
        complaints = []
        for number, point in enumerate(points[:20]):
            accused = "PK" if number % 2 == 0 else "AF"
            filer = liaison["AF" if accused == "PK" else "PK"]
            complaint_in = ComplaintCreate(
                accused_party=accused,
                incident_id=point.id,
                clause_ids=[clause],
                summary=f"{point.title}: a breach of the ceasefire by {accused}.",
            )
            filed = verification.file_complaint(
                session, principal=filer, scenario=scenario, complaint_in=complaint_in, now=now
            )
            complaints.append(filed.complaint.id)
        cases = []
        for number in range(20):
            on_complaint = number < 10
            case_in = CaseCreate(
                title=f"Benchmark case {number + 1}",
                complaint_ids=[complaints[number]] if on_complaint else [],
                incident_ids=[]
                if on_complaint
                else [p.id for p in points[20 + 2 * number : 22 + 2 * number]],
                monitors=["monitor"],
                deadline=now + timedelta(days=1 + number),
            )
            cases.append(verification.open_case(session, principal=mediator, case_in=case_in, now=now))
        for case in cases[:5]:
            verification.transition_case(
                session, principal=mediator, case_id=case.id, status="investigating", now=now
            )
            finding_in = FindingCreate(
                verdict="inconclusive", confidence="roughly_even", rationale="Sources disagree on who fired."
            )
            verification.propose_finding(
                session,
                principal=mediator,
                scenario=scenario,
                case_id=case.id,
                finding_in=finding_in,
                now=now,
            )
        create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    return {"complaints": len(complaints), "cases": len(cases), "findings": 5}


def count_rows(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def data_sizes(session: Session, runtime: Runtime) -> dict[str, int]:
    return {
        "documents": count_rows(session, Document),
        "claims": count_rows(session, Claim),
        "incident rows": count_rows(session, Incident),
        "current incidents": len(incidents.incident_points(session, runtime.scenario)),
        "ledger entries": count_rows(session, LedgerEntryRow),
    }


# --- the server ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Server:
    base_url: str
    pid: int
    start_s: float  # from launch to its first answer

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (Linux /proc; 0 elsewhere): unlike wall time, this does not
        grow when other processes compete for the cores."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, in ticks


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """`truceline serve` in a subprocess, stopped on exit."""
    port = free_port()
    command = [sys.executable, "-m", "truceline", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}; see {log_path}")
            try:
                httpx.get(f"{base}/static/css/app.css", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer within 60 s; see {log_path}") from None
                time.sleep(0.05)
        yield Server(base, process.pid, time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait(timeout=30)


def sign_in(client: httpx.Client) -> None:
    """Log in through the form, as a browser does: the CSRF cookie from GET /login echoed in the POST."""
    client.get("/login").raise_for_status()
    csrf = client.cookies.get("truceline_csrf")
    answer = client.post("/login", data={"username": USER, "password": DEMO_PASSWORD, "csrf_token": csrf})
    if answer.status_code != 303:
        raise RuntimeError(f"login: expected a 303 redirect, got {answer.status_code}")


def timed_get(client: httpx.Client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"GET {path}: expected 200, got {answer.status_code}: {answer.text[:200]}")
    return elapsed_ms, len(answer.content)


def write_once(client: httpx.Client, claim_id: str) -> float:
    """One real write through the review form (a claim accepted); returns milliseconds."""
    started = time.perf_counter()
    answer = client.post(
        f"/review/{claim_id}",
        data={"decision": "accepted", "csrf_token": client.cookies.get("truceline_csrf")},
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if answer.status_code != 303:
        raise RuntimeError(f"POST /review/{claim_id}: expected 303, got {answer.status_code}")
    return elapsed_ms


@dataclass(frozen=True, slots=True)
class RouteTiming:
    path: str
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float  # server CPU per request
    size_bytes: int


def time_route(client: httpx.Client, server: Server, path: str, *, requests: int, warmup: int) -> RouteTiming:
    for _ in range(warmup):
        timed_get(client, path)
    cpu_before = server.cpu_s()
    samples = [timed_get(client, path) for _ in range(requests)]
    cpu_ms = (server.cpu_s() - cpu_before) * 1000 / requests
    times = sorted(ms for ms, _ in samples)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return RouteTiming(path, statistics.median(times), cuts[94], times[-1], cpu_ms, samples[-1][1])


# --- the run ------------------------------------------------------------------------------------------


def machine(database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            version = "SQLite " + str(connection.execute(text("select sqlite_version()")).scalar())
        else:
            version = str(connection.execute(text("select version()")).scalar()).split(",")[0]
    engine.dispose()
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {version}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def database(args: argparse.Namespace) -> Iterator[str]:
    """The database URL to run on: given, a throwaway PostgreSQL server, or '' (SQLite in the home)."""
    if not args.postgres:
        yield args.database_url
        return
    pg = load_module("pg", REPO / "tests" / "pg.py")
    server = pg.start_postgres()
    try:
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE truceline_bench"))
        admin.dispose()
        yield server.url("truceline_bench")
    finally:
        server.stop()


def build(runtime: Runtime, args: argparse.Namespace) -> None:
    """Fill an empty database and print how long each step took."""
    set_up(runtime)
    reports = make_reports(args.claims, actor_aliases(runtime))
    print(f"storing {len(reports)} reports (a document and a claim each), {args.chunk} per transaction")
    load_s = store_reports(runtime, reports, chunk=args.chunk)
    started, cpu_started = time.perf_counter(), time.process_time()
    with runtime.transaction() as session:
        result = recluster(session, scenario=runtime.scenario, author=AUTHOR, now=datetime.now(UTC))
    recluster_s, recluster_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    extra = add_verification(runtime)
    print(
        f"load: {load_s:.1f} s for {2 * len(reports)} records; recluster: {recluster_s:.1f} s "
        f"({recluster_cpu_s:.1f} s CPU here) "
        f"for {len(result.created)} incidents; added " + ", ".join(f"{v} {k}" for k, v in extra.items())
    )


def run(args: argparse.Namespace, home: Path, database_url: str) -> int:
    settings = load_settings(home=home, database_url=database_url)
    runtime = open_runtime(settings)
    print(f"machine: {machine(settings.resolved_database_url)}; load average {load_average()}")
    with runtime.sessions() as session:
        is_empty = count_rows(session, Claim) == 0
    if is_empty:
        build(runtime, args)
    else:
        print(f"reusing the data in {home}")
    with runtime.sessions() as session:
        started = time.perf_counter()
        incidents.incident_points(session, runtime.scenario)
        index_ms = (time.perf_counter() - started) * 1000
        sizes = data_sizes(session, runtime)
        to_review = [claim.id for claim in list_review_queue(session, limit=2)]
    runtime.close()
    print("data: " + ", ".join(f"{v} {k}" for k, v in sizes.items()))
    print(f"incident index built in-process (cold): {index_ms:.0f} ms")

    env = {**os.environ, "TRUCELINE_HOME": str(home), "TRUCELINE_DATABASE_URL": database_url}
    log_path = home / "server.log"
    with serving(env, log_path) as server, httpx.Client(base_url=server.base_url, timeout=120) as client:
        sign_in(client)
        cold_map_ms, _ = timed_get(client, ROUTES[2])
    with serving(env, log_path) as server, httpx.Client(base_url=server.base_url, timeout=120) as client:
        sign_in(client)
        cold_desk_ms, _ = timed_get(client, "/")
        incident_id = client.get("/api/map/incidents?zoom=18").json()["features"][0]["properties"]["id"]
        timings = [
            time_route(
                client,
                server,
                path.format(incident_id=incident_id),
                requests=args.requests,
                warmup=args.warmup,
            )
            for path in ROUTES
        ]
        write_ms = write_once(client, to_review[0])
        after_write_desk_ms, _ = timed_get(client, "/")
        write2_ms = write_once(client, to_review[1])
        after_write_map_ms, _ = timed_get(client, ROUTES[2])

    print(f"\nserver start to first answer: {server.start_s:.1f} s; {args.requests} timed requests per route")
    print(
        f"cold (first request after a start): map data {cold_map_ms:.0f} ms, dashboard {cold_desk_ms:.0f} ms"
    )
    print(
        f"write (review form) {write_ms:.0f} ms, next dashboard {after_write_desk_ms:.0f} ms; "
        f"write {write2_ms:.0f} ms, next map data {after_write_map_ms:.0f} ms\n"
    )
    width = max(len(t.path) for t in timings)
    print(f"{'route':<{width}} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU ms':>7} {'size KB':>8}")
    for t in timings:
        figures = (t.p50_ms, t.p95_ms, t.max_ms, t.cpu_ms)
        print(
            f"{t.path:<{width}} " + " ".join(f"{x:>7.1f}" for x in figures) + f" {t.size_bytes / 1024:>8.1f}"
        )
    print(f"(CPU ms: server CPU time per request; load average now {load_average()})")
    over = [t.path for t in timings if t.p95_ms > BUDGET_MS]
    verdict = "PASS" if not over else f"FAIL (route {', '.join(over)})"
    print(f"budget p95 <= {BUDGET_MS:.0f} ms: {verdict}")
    return 0 if not over else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="web speed with many claims stored")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per route")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per route first")
    parser.add_argument("--chunk", type=int, default=2_000, help="reports per transaction while loading")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--database-url", default="", help="an empty database to use instead of SQLite")
    where.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL 15 server")
    parser.add_argument(
        "--home", type=Path, help="keep the home (and SQLite data) here; a second run reuses it"
    )
    args = parser.parse_args(argv)
    if args.claims < 1_000:
        parser.error("--claims: expected at least 1000 (the cases need 60 violent incidents)")
    if args.home:
        args.home.mkdir(parents=True, exist_ok=True)
        with database(args) as url:
            return run(args, args.home.resolve(), url)
    with tempfile.TemporaryDirectory(prefix="truceline-web-") as tmp, database(args) as url:
        return run(args, Path(tmp), url)


if __name__ == "__main__":
    sys.exit(main())
