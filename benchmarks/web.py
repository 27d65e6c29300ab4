"""Web speed at scale: p50/p95/max of the desk's pages and JSON over real HTTP, 20 clients at once, with
100k (or 1M) claims stored; and the server's peak memory.

Set-up, in a temporary TRUCELINE_HOME (SQLite unless --database-url or --postgres):
- the scenario's records and the demo accounts (as `truceline init --demo` makes them, without its reports);
- N claims made like benchmarks/cluster.py (real UCDP GED events reused in epochs, 1–4 reports per event),
  actor names mapped to the scenario's as `truceline import --format ged` does; each report is also stored
  as a document from one of a dozen outlets. Everything is written with the services that write the ledger
  (`create_document`, `create_claim`: record + ledger entry), --chunk reports per transaction, the entries
  appended in batches (`batched_appends`);
- `recluster` into incidents after every --recluster-every reports (the first full, the others incremental);
  a few complaints, cases and proposed findings; a signed checkpoint.
With --home the data is kept (with --postgres, the server's data directory too) and a later run reuses it.
Then `truceline serve` runs in a subprocess and this process times real requests with httpx, signed in as
mediator-qatar through the login form: the first (cold) request after a start; then route after route,
--clients clients at once (asyncio, one kept-alive connection each), each sending --warmup untimed and
--requests timed requests (with random pauses of mean --think-ms between them, none by default): p50, p95
and max wall time, errors (no answer, or not 200), answers per second, and the server's CPU time per request
read from /proc, which does not grow when other processes compete for the cores; then one write followed by
the next dashboard and map request (the desk caches its incident index per ledger size), and a case opened on
an incident followed by the next map request (the index caught up); and the server's peak resident memory
(VmHWM). Budgets (issue 14): p95 <= 50 ms for lists and details, <= 300 ms for the dashboard
and the map data, no errors, peak RSS <= 400 MB; the exit code is 1 when one is missed.
Usage: `python benchmarks/web.py [--claims 100000] [--clients 20] [--requests 10] [--think-ms 0]
[--database-url URL | --postgres] [--home DIR] [--load-only]`; results and their reading are in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.util
import os
import platform
import random
import re
import shutil
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

from truceline.cases.models import Case
from truceline.cases.schemas import CaseCreate, FindingCreate
from truceline.claims.models import Claim
from truceline.claims.service import create_claim
from truceline.complaints.schemas import ComplaintCreate
from truceline.config import load_settings
from truceline.documents.models import Document
from truceline.documents.service import create_document
from truceline.incidents.models import Incident
from truceline.incidents.rules import build_incident
from truceline.incidents.service import count_current_incidents, create_incident
from truceline.incidents.values import Cluster, Reliability, SourceInfo
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record, batched_appends, create_checkpoint
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
LIST_BUDGET_MS = 50.0  # list and detail routes (issue 14: p95 with 20 clients at 1M claims)
DESK_BUDGET_MS = 300.0  # the dashboard and the map data
RSS_BUDGET_MB = 400.0  # the server process at its peak
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
ROUTES = (  # (path, p95 budget in ms)
    ("/", DESK_BUDGET_MS),
    ("/api/desk", DESK_BUDGET_MS),
    ("/api/map/incidents?zoom=6", DESK_BUDGET_MS),
    ("/api/map/incidents?zoom=10&bbox=70.5,33.5,71.5,34.5", DESK_BUDGET_MS),
    ("/api/map/incidents?zoom=6&party=PK&from=2025-01-01", DESK_BUDGET_MS),
    ("/map", LIST_BUDGET_MS),
    ("/incidents", LIST_BUDGET_MS),
    ("/incidents?page=50", LIST_BUDGET_MS),
    ("/incidents?status=reported&party=AF", LIST_BUDGET_MS),
    ("/incidents/{incident_id}", LIST_BUDGET_MS),
    ("/timeline", LIST_BUDGET_MS),
    ("/api/timeline?from=2025-01-01", LIST_BUDGET_MS),
    ("/review", LIST_BUDGET_MS),
    ("/documents", LIST_BUDGET_MS),
    ("/documents?page=50", LIST_BUDGET_MS),
    ("/api/claims?limit=50", LIST_BUDGET_MS),
    ("/api/incidents?limit=50", LIST_BUDGET_MS),
    ("/ledger", LIST_BUDGET_MS),
)
MAP_DATA = ROUTES[2][0]


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
    runtime: Runtime,
    reports: Sequence[tuple[SourceDocument, ClaimValue]],
    *,
    chunk: int,
    recluster_every: int,
) -> tuple[float, float]:
    """Each document and claim with its ledger entry, `chunk` reports per transaction (entries appended in
    batches, documents before their claims), and a recluster after every `recluster_every` reports (none
    when 0; the first full, then incremental: the reports come epoch by epoch, so each touches only its
    own); returns the seconds spent storing and reclustering."""
    store_s = recluster_s = 0.0
    cpu_started = time.process_time()
    for first in range(0, len(reports), chunk):
        started, now = time.perf_counter(), datetime.now(UTC)
        part = reports[first : first + chunk]
        with runtime.transaction() as session, batched_appends(session):
            for document, _ in part:
                create_document(session, document, author=AUTHOR, now=now)
            for _, claim in part:
                create_claim(session, claim, author=AUTHOR, now=now)
        store_s += time.perf_counter() - started
        done = first + len(part)
        print(
            f"  stored {done:>7} reports in {store_s:6.1f} s ({2 * done / store_s:,.0f} records/s)",
            flush=True,
        )
        if recluster_every and (done % recluster_every < chunk or done == len(reports)):
            started = time.perf_counter()
            with runtime.transaction() as session:
                result = recluster(session, scenario=runtime.scenario, author=AUTHOR, now=datetime.now(UTC))
            recluster_s += time.perf_counter() - started
            print(
                f"  recluster ({'full' if result.is_full else 'incremental'}): "
                f"{len(result.created)} incidents written in {time.perf_counter() - started:.1f} s "
                f"(load average {load_average()})",
                flush=True,
            )
    print(f"  (this process used {time.process_time() - cpu_started:.1f} s of CPU for it)")
    return store_s, recluster_s


def store_event_incidents(
    runtime: Runtime, reports: Sequence[tuple[SourceDocument, ClaimValue]], *, chunk: int, stored: int = 0
) -> float:
    """One incident per real event (the reports a GED event gave: the grouping clustering aims at, without
    clustering them), built by `build_incident` and written with its ledger entry like a recluster's, `chunk`
    events per transaction; returns seconds. For a large archive, where a recluster would take too long to
    load data for a web benchmark (benchmarks/recluster.py measures that). Without the border geography
    (placing 400k incidents on it costs ~1 ms each): the incidents keep their claims' places. `stored`
    incidents are there already (a stopped load: each transaction holds whole chunks of events, in order)."""
    grade = dict(OUTLETS)
    events: dict[int, list[ClaimValue]] = {}
    sources: dict[str, SourceInfo] = {}
    for document, claim in reports:
        found = DOCUMENT_ID.match(document.id)
        assert found is not None, document.id
        events.setdefault(int(found[1]), []).append(claim)
        outlet = document.outlet or ""
        sources[claim.id] = SourceInfo(outlet, document.url or "", document.text, Reliability(grade[outlet]))
    started = time.perf_counter()
    groups = list(events.values())
    for first in range(stored, len(groups), chunk):
        now = datetime.now(UTC)
        with runtime.transaction() as session, batched_appends(session):
            for members in groups[first : first + chunk]:
                value = build_incident(Cluster.of(members), sources=sources)
                create_incident(session, value, supersedes_id=None, author=AUTHOR, now=now)
        done = min(first + chunk, len(groups))
        print(f"  stored {done:>7} incidents in {time.perf_counter() - started:6.1f} s", flush=True)
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


def data_sizes(session: Session) -> dict[str, int]:
    return {
        "documents": count_rows(session, Document),
        "claims": count_rows(session, Claim),
        "incident rows": count_rows(session, Incident),
        "current incidents": count_current_incidents(session),
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

    def peak_rss_mb(self) -> float:
        """The most memory the server process has held resident so far (VmHWM; Linux /proc, 0 elsewhere)."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return 0.0
        found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(found[1]) / 1024 if found else 0.0


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


def timed_cold_get(client: httpx.Client, server: Server, path: str) -> tuple[float, float]:
    """(wall ms, server CPU ms) of one request: the first after a start builds the incident index."""
    cpu_before = server.cpu_s()
    elapsed_ms, _ = timed_get(client, path)
    return elapsed_ms, (server.cpu_s() - cpu_before) * 1000


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


def open_case_on(client: httpx.Client, incident_id: str) -> float:
    """One write that changes the incident index (a case opened on an incident: its status becomes
    under_verification) through the JSON API; returns milliseconds."""
    started = time.perf_counter()
    answer = client.post(
        "/api/cases",
        json={"title": "Benchmark case after the timed runs", "incident_ids": [incident_id]},
        headers={"X-CSRF-Token": client.cookies.get("truceline_csrf") or ""},
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if answer.status_code != 201:
        raise RuntimeError(f"POST /api/cases: expected 201, got {answer.status_code}: {answer.text[:200]}")
    return elapsed_ms


@dataclass(frozen=True, slots=True)
class RouteTiming:
    path: str
    budget_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_ms: float  # server CPU per request
    per_s: float  # requests answered per second, all clients together
    size_bytes: int
    errors: int  # transport errors and answers other than 200
    failures: tuple[str, ...]  # what they were, each once

    @property
    def is_within_budget(self) -> bool:
        return self.p95_ms <= self.budget_ms and self.errors == 0


async def timed_get_async(client: httpx.AsyncClient, path: str) -> tuple[float, int] | str:
    """(milliseconds, size) of one GET, or what went wrong (no answer, or not 200)."""
    started = time.perf_counter()
    try:
        answer = await client.get(path)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:120]
    elapsed_ms = (time.perf_counter() - started) * 1000
    return (elapsed_ms, len(answer.content)) if answer.status_code == 200 else f"HTTP {answer.status_code}"


async def time_route(
    clients: Sequence[httpx.AsyncClient],
    server: Server,
    path: str,
    budget_ms: float,
    *,
    requests: int,
    warmup: int,
    think_ms: float,
) -> RouteTiming:
    """All clients at once, each sending its requests one after another, pausing between two for a random
    time of mean `think_ms` (exponential, as the pauses of independent people are; none when 0)."""
    rng = random.Random(path)

    async def one_client(client: httpx.AsyncClient, count: int) -> list[tuple[float, int] | str]:
        samples = []
        for _ in range(count):
            if think_ms:
                await asyncio.sleep(rng.expovariate(1000 / think_ms))
            samples.append(await timed_get_async(client, path))
        return samples

    await asyncio.gather(*(one_client(client, warmup) for client in clients))
    cpu_before, started = server.cpu_s(), time.perf_counter()
    runs = await asyncio.gather(*(one_client(client, requests) for client in clients))
    wall_s = time.perf_counter() - started
    samples = [sample for run in runs for sample in run]
    answered = sorted(sample for sample in samples if not isinstance(sample, str))
    failures = sorted({sample for sample in samples if isinstance(sample, str)})
    times = sorted(ms for ms, _ in answered) or [float("nan")]
    cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return RouteTiming(
        path=path,
        budget_ms=budget_ms,
        p50_ms=statistics.median(times),
        p95_ms=cuts[94],
        max_ms=times[-1],
        cpu_ms=(server.cpu_s() - cpu_before) * 1000 / len(samples),
        per_s=len(samples) / wall_s,
        size_bytes=answered[-1][1] if answered else 0,
        errors=len(samples) - len(answered),
        failures=tuple(failures),
    )


async def time_routes(
    server: Server, cookies: httpx.Cookies, routes: Sequence[tuple[str, float]], args: argparse.Namespace
) -> list[RouteTiming]:
    """Each route in turn, driven by --clients clients signed in with the same cookies, each with its own
    connection kept alive (as browsers do)."""
    limits = httpx.Limits(max_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.base_url, cookies=cookies, timeout=120, limits=limits)
            )
            for _ in range(args.clients)
        ]
        return [
            await time_route(
                clients,
                server,
                path,
                budget_ms,
                requests=args.requests,
                warmup=args.warmup,
                think_ms=args.think_ms,
            )
            for path, budget_ms in routes
        ]


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
    """The database URL to run on: given, a PostgreSQL server of our own, or '' (SQLite in the home).

    With --postgres the server is throwaway, unless --home is given: then its data directory is kept in
    the home (`pg/`), and a later run starts the same server again and reuses what was loaded."""
    if not args.postgres:
        yield args.database_url
        return
    pg = load_module("pg", REPO / "tests" / "pg.py")
    if args.home is None:
        server = pg.start_postgres()
        try:
            create_database(server.admin_url)
            yield server.url("truceline_bench")
        finally:
            server.stop()
        return
    with kept_postgres(pg, args.home.resolve() / "pg") as (admin_url, url, is_new):
        if is_new:
            create_database(admin_url)
        yield url


def create_database(admin_url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE truceline_bench"))
    admin.dispose()


@contextmanager
def kept_postgres(pg: ModuleType, root: Path) -> Iterator[tuple[str, str, bool]]:
    """A PostgreSQL server on a data directory that outlives the run (made on first use), stopped on exit;
    yields its admin URL, the benchmark database's URL and whether the directory is new."""
    data = root / "data"
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    is_new = not data.exists()
    if is_new:
        root.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(root, "postgres", "postgres")
        initdb = [str(pg.PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        subprocess.run([*run_as, *initdb], capture_output=True, check=True)
    port = free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    pg_ctl = [*run_as, str(pg.PG_BIN / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-o", options, "-l", str(root / "log"), "-w", "start"], capture_output=True, check=True
    )
    try:
        base = f"postgresql+psycopg://postgres@127.0.0.1:{port}"
        yield f"{base}/postgres", f"{base}/truceline_bench", is_new
    finally:
        subprocess.run([*pg_ctl, "-m", "fast", "stop"], capture_output=True, check=False)


def build(runtime: Runtime, args: argparse.Namespace, *, stored: int, stored_incidents: int = 0) -> None:
    """Fill the database and print how long each step took. `stored` reports and `stored_incidents` event
    incidents are there already (a load that was stopped: each transaction holds whole chunks, and the first
    N reports are the same for any size)."""
    if not stored:
        set_up(runtime)
    reports = make_reports(
        min(args.claims, stored) if stored_incidents else args.claims, actor_aliases(runtime)
    )
    print(
        f"storing {max(len(reports) - stored, 0)} reports (a document and a claim each), "
        f"{args.chunk} per transaction"
    )
    if args.incidents == "events":
        load_s, _ = store_reports(runtime, reports[stored:], chunk=args.chunk, recluster_every=0)
        recluster_s = store_event_incidents(runtime, reports, chunk=args.chunk, stored=stored_incidents)
    else:
        load_s, recluster_s = store_reports(
            runtime, reports[stored:], chunk=args.chunk, recluster_every=args.recluster_every
        )
    extra = add_verification(runtime)
    print(
        f"load: {load_s:.1f} s for {2 * (len(reports) - stored)} records; "
        f"incidents ({args.incidents}): {recluster_s:.1f} s; "
        f"added " + ", ".join(f"{v} {k}" for k, v in extra.items())
    )


def run(args: argparse.Namespace, home: Path, database_url: str) -> int:
    settings = load_settings(home=home, database_url=database_url)
    runtime = open_runtime(settings)
    print(f"machine: {machine(settings.resolved_database_url)}; load average {load_average()}")
    with runtime.sessions() as session:
        stored, incident_rows = count_rows(session, Claim), count_rows(session, Incident)
        is_complete = count_rows(session, Case) > 0  # the cases are the load's last step
    if args.incidents == "events" and not is_complete:
        # resumes a stopped load; on a load stopped before its incidents, --claims at most the stored count
        # makes the incidents of the reports stored (and measures at that size)
        build(runtime, args, stored=stored, stored_incidents=incident_rows)
    elif stored < args.claims and not incident_rows:
        build(runtime, args, stored=stored)
    else:
        print(f"reusing the data in {home}")
    if args.load_only:
        runtime.close()
        return 0
    with runtime.sessions() as session:
        sizes = data_sizes(session)
        to_review = [claim.id for claim in list_review_queue(session, limit=2)]
    runtime.close()
    print("data: " + ", ".join(f"{v} {k}" for k, v in sizes.items()))

    env = {**os.environ, "TRUCELINE_HOME": str(home), "TRUCELINE_DATABASE_URL": database_url}
    log_path = home / "server.log"
    with serving(env, log_path) as server, httpx.Client(base_url=server.base_url, timeout=1800) as client:
        sign_in(client)
        cold_map_ms, cold_map_cpu_ms = timed_cold_get(client, server, MAP_DATA)
    with serving(env, log_path) as server, httpx.Client(base_url=server.base_url, timeout=1800) as client:
        sign_in(client)
        cold_desk_ms, cold_desk_cpu_ms = timed_cold_get(client, server, "/")
        incident_id = client.get("/api/incidents?limit=1").json()["items"][0]["id"]
        routes = [(path.format(incident_id=incident_id), budget_ms) for path, budget_ms in ROUTES]
        settled_s = settle(server)
        load_before = load_average()
        client_cpu_s = time.process_time()
        timings = asyncio.run(time_routes(server, client.cookies, routes, args))
        client_cpu_s = time.process_time() - client_cpu_s
        load_after = load_average()
        write_ms = write_once(client, to_review[0])
        after_write_desk_ms, _ = timed_get(client, "/")
        write2_ms = write_once(client, to_review[1])
        after_write_map_ms, _ = timed_get(client, MAP_DATA)
        case_ms = open_case_on(client, incident_id)
        after_case_map_ms, after_case_map_cpu_ms = timed_cold_get(client, server, MAP_DATA)
        peak_rss_mb = server.peak_rss_mb()

    print(f"\nserver start to first answer: {server.start_s:.1f} s")
    print(
        f"cold (first request after a start): map data {cold_map_ms:.0f} ms ({cold_map_cpu_ms:.0f} ms CPU), "
        f"dashboard {cold_desk_ms:.0f} ms ({cold_desk_cpu_ms:.0f} ms CPU)"
    )
    print(
        f"the server's start-up work (`serve` warms in a background thread) done {settled_s:.1f} s after that"
    )
    print(
        f"write (review form) {write_ms:.0f} ms, next dashboard {after_write_desk_ms:.0f} ms; "
        f"write {write2_ms:.0f} ms, next map data {after_write_map_ms:.0f} ms"
    )
    print(
        f"a case opened on an incident {case_ms:.0f} ms; next map data (the index caught up) "
        f"{after_case_map_ms:.0f} ms ({after_case_map_cpu_ms:.0f} ms CPU)"
    )
    print(
        f"\n{args.clients} clients at once, {args.requests} timed requests each per route "
        f"after {args.warmup} warm-ups, pauses of {args.think_ms:.0f} ms on average; "
        f"load average {load_before} before, {load_after} after"
    )
    print_timings(timings)
    sent = len(timings) * args.clients * (args.requests + args.warmup)
    print(f"the clients (this process) used {client_cpu_s * 1000 / sent:.1f} ms of CPU per request")
    rss_verdict = "PASS" if peak_rss_mb <= RSS_BUDGET_MB else "FAIL"
    print(f"server peak RSS: {peak_rss_mb:.0f} MB (budget {RSS_BUDGET_MB:.0f} MB: {rss_verdict})")
    over = [t.path for t in timings if not t.is_within_budget]
    verdict = "PASS" if not over else f"FAIL (route {', '.join(over)})"
    print(
        f"budget p95 <= {LIST_BUDGET_MS:.0f} ms (lists, details), {DESK_BUDGET_MS:.0f} ms (desk, map data), "
        f"no errors: {verdict}"
    )
    return 0 if not over and rss_verdict == "PASS" else 1


def settle(
    server: Server, *, quiet_cpu_s: float = 0.05, window_s: float = 1.0, limit_s: float = 300.0
) -> float:
    """Seconds until the server used less than `quiet_cpu_s` of CPU in `window_s`, at most `limit_s`: `serve`
    builds the incident index and then the proof tree in a background thread as it starts (web/warm.py), and
    the cold requests answer once the index is there, while the tree (~8 s of CPU at 1M) is still being
    built. The routes are timed after that: steady state (the cold figures are printed apart)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        before = server.cpu_s()
        time.sleep(window_s)
        if server.cpu_s() - before < quiet_cpu_s:
            break
    return time.perf_counter() - started


def print_timings(timings: Sequence[RouteTiming]) -> None:
    width = max(len(t.path) for t in timings)
    heads = ("p50 ms", "p95 ms", "max ms", "budget", "CPU ms", "req/s", "errors", "size KB")
    print(f"{'route':<{width}} " + " ".join(f"{head:>7}" for head in heads))
    for t in timings:
        figures = (t.p50_ms, t.p95_ms, t.max_ms, t.budget_ms, t.cpu_ms, t.per_s)
        print(
            f"{t.path:<{width}} "
            + " ".join(f"{x:>7.1f}" for x in figures)
            + f" {t.errors:>7} {t.size_bytes / 1024:>7.1f}"
            + ("" if t.is_within_budget else "  over")
        )
        for failure in t.failures:
            print(f"    error: {failure}")
    print("(CPU ms: the server's CPU time per request; req/s: answered per second, all clients together)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="web speed with many claims stored")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20, help="clients sending requests at once")
    parser.add_argument("--requests", type=int, default=10, help="timed requests per client and route")
    parser.add_argument("--warmup", type=int, default=1, help="untimed requests per client and route first")
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="mean pause of a client between two requests (0: none)"
    )
    parser.add_argument("--chunk", type=int, default=10_000, help="reports per transaction while loading")
    parser.add_argument(
        "--recluster-every",
        type=int,
        default=100_000,
        help="reports stored between two reclusters while loading",
    )
    parser.add_argument(
        "--incidents",
        choices=("recluster", "events"),
        default="recluster",
        help="incidents by recluster, or one per real event (no clustering: for 1M claims)",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="load the data (if not there yet), time nothing"
    )
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
