"""Intake speed: documents/s of `truceline ingest` in one process and on a local Dask cluster, and the ratio.

Writes `--documents` synthetic articles (made here from templates; no outlet's text) as document JSON files,
starts a local Dask cluster (`--workers` single-threaded worker processes) and runs a small ingest both ways
first, untimed: the readers are imported and spaCy loaded in this process and on each worker, and each worker
keeps its extraction context, as a long-running cluster does after its first intake. (Each timed command in
this process still builds its own context from the cached gazetteer index, about a second, as every
`truceline ingest` does.) Then it times `truceline ingest FILES` and `truceline ingest --dask ADDRESS FILES`
into two fresh databases and checks that both stored the same claims. Prints documents/s, the ratio, CPU
seconds of this process and of the workers, and the load average before and after (the machine may be shared:
a busy machine depresses the ratio).

    python benchmarks/intake.py --documents 960 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dask
from distributed import LocalCluster
from sqlalchemy import select

from truceline.claims.models import Claim
from truceline.cli.main import run as run_truceline
from truceline.config import Settings
from truceline.intake import distributed
from truceline.intake.distributed import DaskIntake
from truceline.pipeline.extract import RULES_EXTRACTOR_NAME, RULES_EXTRACTOR_VERSION
from truceline.runtime import open_runtime

EXTRACTOR = f"{RULES_EXTRACTOR_NAME}/{RULES_EXTRACTOR_VERSION}"
PLACES = [
    ("Torkham", "Khyber"),
    ("Chaman", "Qila Abdullah"),
    ("Spin Boldak", "Kandahar"),
    ("Angoor Adda", "South Waziristan"),
    ("Kurram", "Kurram"),
    ("Bajaur", "Bajaur"),
    ("Khost", "Khost"),
    ("Paktika", "Paktika"),
]
FORCES = [
    ("Pakistani", "Afghan"),
    ("Afghan", "Pakistani"),
]
OPENINGS = [
    "{side1} and {side2} forces exchanged fire near {place} on {weekday}, officials in {district} said.",
    "Mortar shells fired by {side1} troops landed near {place} on {weekday} night, residents told reporters.",
    "A drone strike hit a house near {place} on {weekday}, killing {dead} people, local officials said.",
    "Clashes broke out at {place} early on {weekday} after {side2} guards accused {side1} troops of building "
    "a new post.",
]
MIDDLES = [
    "{dead} soldiers were killed and {hurt} were injured, according to a hospital official in {district}.",
    "Traders said the crossing stayed closed and hundreds of trucks waited on the road to {place}.",
    "A spokesman for the {side2} side said its forces had only returned fire.",
    "Families living near the border left their homes for safer villages, an elder said.",
    "The firing lasted for about two hours before it died down, witnesses said.",
    "Local police said {hurt} civilians, among them two children, were taken to hospital in {district}.",
    "The {side1} military said in a statement that it had responded to unprovoked firing.",
    "Schools in {district} were closed for the day as a precaution, the district administration said.",
    "Residents said they heard heavy artillery and saw smoke rising from the hills above {place}.",
    "A border official said the gate would stay shut until commanders of both sides had met.",
]
CLOSINGS = [
    "Talks between the two governments are due to resume in Istanbul next week, diplomats said.",
    "The ceasefire agreed in Doha has been strained by repeated incidents along the border.",
    "Neither side's account could be independently verified.",
    "Officials from both countries were expected to meet at the border to discuss the firing.",
    "Mediators from Qatar and Turkey urged both sides to respect the truce.",
]


def synthetic_articles(count: int, *, seed: int = 14) -> list[dict[str, Any]]:
    """`count` reports of border incidents (about 700 characters, 8 sentences): an opening, five
    middles and two closings, each drawn from the templates above with its own place, sides and figures."""
    rng = random.Random(seed)
    start = date(2025, 10, 20)
    articles = []
    for n in range(count):
        place, district = rng.choice(PLACES)
        side1, side2 = rng.choice(FORCES)
        published = start + timedelta(days=n % 40)
        slots = {
            "place": place,
            "district": district,
            "side1": side1,
            "side2": side2,
            "weekday": (published - timedelta(days=1)).strftime("%A"),
            "dead": rng.randint(1, 6),
            "hurt": rng.randint(1, 9),
        }
        parts = [rng.choice(OPENINGS), *rng.sample(MIDDLES, 5), *rng.sample(CLOSINGS, 2)]
        text = " ".join(part.format(**slots) for part in parts)
        articles.append({"id": f"bench-{n:05d}", "published": published.isoformat(), "text": text})
    return articles


def write_articles(folder: Path, articles: list[dict[str, Any]]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for article in articles:
        path = folder / f"{article['id']}.json"
        path.write_text(json.dumps(article), encoding="utf-8")
        paths.append(str(path))
    return paths


def ingest(args: list[str], *, home: Path) -> float:
    """Seconds `truceline ingest ARGS` takes in this process, on a fresh SQLite database under `home`."""
    os.environ["TRUCELINE_HOME"] = str(home)
    os.environ.pop("TRUCELINE_DATABASE_URL", None)
    start = time.perf_counter()
    code = run_truceline(["ingest", *args], prog_name="truceline")
    elapsed = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"bench: truceline ingest exited with {code}")
    return elapsed


def stored_claims(home: Path) -> list[tuple[Any, ...]]:
    """Every stored claim but its creation time (the two runs ran at different times)."""
    runtime = open_runtime(Settings(home=home))
    try:
        with runtime.sessions() as session:
            rows = session.scalars(select(Claim).order_by(Claim.id))
            return [(c.id, c.document_id, c.event_type, c.event_date, c.location, c.evidence) for c in rows]
    finally:
        runtime.close()


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds (user + system) of this process so far (run on each worker too)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=240, help="synthetic articles to ingest")
    parser.add_argument("--workers", type=int, default=2, help="Dask worker processes (one thread each)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="truceline-bench-intake-"))
    cache = root / "cache"  # one gazetteer index for every home here, as on a long-lived machine
    cache.mkdir()
    for name in ("warm", "alone", "dask", "worker"):
        (root / name).mkdir()
        (root / name / "cache").symlink_to(cache, target_is_directory=True)
    files = write_articles(root / "articles", synthetic_articles(args.documents))
    warm_files = write_articles(root / "warm-articles", synthetic_articles(3, seed=1))
    load_before = os.getloadavg()
    ingest(warm_files, home=root / "warm")  # spaCy, matchers and the gazetteer index, loaded untimed
    cpu_before = cpu_s()
    alone_s = ingest(files, home=root / "alone")
    alone_cpu_s = cpu_s() - cpu_before
    # Workers as docs/scaling.md recommends starting them: Dask's statistical profiler off (it samples every
    # worker thread's stack 100 times a second: 10-12% of a worker's CPU here on an idle machine).
    with (
        dask.config.set({"distributed.worker.profile.enabled": False}),
        LocalCluster(
            n_workers=args.workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",
            env={"TRUCELINE_HOME": str(root / "worker")},
        ) as cluster,
    ):
        address = cluster.scheduler_address
        # Every worker (client.run: each one) imports the readers and builds its extraction context before
        # the clock starts, as a long-running cluster has them after its first intake.
        with DaskIntake.connect(address) as intake:
            warm = ("warm.json", Path(warm_files[0]).read_bytes())
            (doc,) = intake.client.run(distributed.read_on_worker, warm, published=None).popitem()[1]
            intake.client.run(
                distributed.extract_on_worker,
                doc,
                scenario="af-pk-2025",
                extractor=EXTRACTOR,
                today=date.today(),
            )
            workers_before = sum(intake.client.run(cpu_s).values())
            cpu_before = cpu_s()
            dask_s = ingest(["--dask", address, *files], home=root / "dask")
            caller_cpu_s = cpu_s() - cpu_before
            workers_cpu_s = sum(intake.client.run(cpu_s).values()) - workers_before
            workers_peak_mb = max(intake.client.run(peak_rss_mb).values())
    load_after = os.getloadavg()
    same = stored_claims(root / "alone") == stored_claims(root / "dask")
    alone_rate, dask_rate = args.documents / alone_s, args.documents / dask_s
    print(f"documents: {args.documents} synthetic articles, {len(stored_claims(root / 'alone'))} claims")
    print(
        f"one process:          {alone_rate:7.1f} documents/s ({alone_s:.1f} s wall, {alone_cpu_s:.1f} s CPU)"
    )
    print(
        f"dask, {args.workers} workers:      {dask_rate:7.1f} documents/s  ({dask_s:6.1f} s wall; CPU "
        f"{caller_cpu_s:.1f} s caller + {workers_cpu_s:.1f} s workers)"
    )
    print(f"ratio:                {dask_rate / alone_rate:7.2f}x")
    print(f"same claims:          {'yes' if same else 'NO'}")
    print(f"peak memory:          {workers_peak_mb:,.0f} MB the largest worker (budget 600 MB)")
    print(
        f"load average:         {load_before[0]:.2f} before, {load_after[0]:.2f} after, {os.cpu_count()} CPUs"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
