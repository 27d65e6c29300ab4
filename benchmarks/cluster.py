"""Clustering speed and memory at 10k, 30k and 100k claims built from real UCDP GED events.

How the claims are made (the same seed gives the same claims):
- events: the 3,619 UCDP GED Pakistan events within 50 km of the border plus the 310 Afghanistan events
  (../shared/data/events), imported with `parse_ged_csv`;
- to reach a size, the real events are reused in *epochs*: copy k of an event is moved k × 12,000 days
  (~33 years, the span of the data) later and its point jittered by up to ±0.05°, so the density of
  events per day and per km stays that of the real data while the archive grows — as a real archive
  grows, by time;
- each event is reported by 1–4 outlets (mean 2.5 claims per event): a report may shift the date by a
  day (30%), move the point by up to ±0.02° (~2 km), give a different toll (±30%, 30%), drop actor2 (20%),
  and words its evidence in one of four templates.
Each size runs in a fresh process so its peak RSS (ru_maxrss) is its own. The B-cubed F1 against the
synthetic truth is printed too, as a sanity check (not a quality claim: the real test is eval_incidents).
Usage: `python benchmarks/cluster.py [--sizes 10000 30000 100000]`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from truceline.incidents.clustering import cluster_claims
from truceline.incidents.interop import parse_ged_csv
from truceline.pipeline.claims import ClaimValue, Evidence, Fatalities, Location

REPO = Path(__file__).resolve().parent.parent
EVENTS = REPO.parent / "shared" / "data" / "events"
FILES = ("ucdp_ged_pak_border_50km.csv", "ucdp_ged_afg_subset_310.csv")
EPOCH_DAYS = 12_000
REPORT_EXTRACTOR = "benchmark-report/1"
TEMPLATES = (
    "{n} people were killed in fighting between {a} and {b} near {where}, officials said.",
    "Clashes near {where} left {n} dead, according to local sources; {a} blamed {b}.",
    "{a} said {n} were killed after an attack by {b} in {where}.",
    "At least {n} died in {where} on the day, a spokesman for {a} told reporters.",
)


def load_events() -> list[ClaimValue]:
    events: list[ClaimValue] = []
    for name in FILES:
        with (EVENTS / name).open(encoding="utf-8") as handle:
            events.extend(parse_ged_csv(handle))
    return [e for e in events if e.event_date is not None and e.location.lat is not None]


def make_claims(
    events: list[ClaimValue], size: int, *, seed: int = 2025
) -> tuple[list[ClaimValue], dict[str, int]]:
    rng = random.Random(seed)
    claims: list[ClaimValue] = []
    truth: dict[str, int] = {}
    event_no = 0
    while len(claims) < size:
        base = events[event_no % len(events)]
        epoch = event_no // len(events)
        assert base.event_date is not None and base.location.lat is not None and base.location.lon is not None
        day = base.event_date + timedelta(days=epoch * EPOCH_DAYS)
        lat = base.location.lat + (rng.uniform(-0.05, 0.05) if epoch else 0.0)
        lon = base.location.lon + (rng.uniform(-0.05, 0.05) if epoch else 0.0)
        for report in range(rng.randint(1, 4)):
            if len(claims) >= size:
                break
            toll = base.fatalities.best
            if toll is not None and rng.random() < 0.3:
                toll = max(0, round(toll * rng.uniform(0.7, 1.3)))
            actor2 = None if rng.random() < 0.2 else base.actor2
            text = rng.choice(TEMPLATES).format(
                n=toll if toll is not None else "several",
                a=base.actor1,
                b=base.actor2,
                where=base.location.name,
            )
            document_id = f"S{event_no}R{report}"
            claim = replace(
                base,
                id=f"{document_id}-c1",
                document_id=document_id,
                event_date=day + timedelta(days=1 if rng.random() < 0.3 else 0),
                actor2=actor2,
                location=Location(
                    name=base.location.name,
                    country=base.location.country,
                    admin1=base.location.admin1,
                    lat=round(lat + rng.uniform(-0.02, 0.02), 5),
                    lon=round(lon + rng.uniform(-0.02, 0.02), 5),
                    geo_precision=base.location.geo_precision,
                ),
                fatalities=Fatalities(best=toll, low=toll),
                evidence=Evidence(text, 0, len(text)),
                extractor=REPORT_EXTRACTOR,  # a news report, not the GED row (one dataset codes it once)
            )
            claims.append(claim)
            truth[claim.id] = event_no
        event_no += 1
    return claims, truth


def bcubed_f1(clusters: list[tuple[str, ...]], truth: dict[str, int]) -> float:
    by_event: dict[int, set[str]] = {}
    for claim_id, event in truth.items():
        by_event.setdefault(event, set()).add(claim_id)
    precision = recall = 0.0
    for members in clusters:
        found = set(members)
        for claim_id in members:
            same = by_event[truth[claim_id]]
            overlap = len(found & same)
            precision += overlap / len(found)
            recall += overlap / len(same)
    n = len(truth)
    p, r = precision / n, recall / n
    return 2 * p * r / (p + r) if p + r else 0.0


def run_one(size: int) -> dict[str, float]:
    events = load_events()
    claims, truth = make_claims(events, size)
    started = time.perf_counter()
    clusters = cluster_claims(claims)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "claims": len(claims),
        "incidents": len(clusters),
        "seconds": round(elapsed, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "bcubed_f1": round(bcubed_f1([c.claim_ids for c in clusters], truth), 3),
    }


def fitted_exponent(results: list[dict[str, float]]) -> float:
    """Least-squares slope of log(seconds) against log(claims)."""
    xs = [math.log(r["claims"]) for r in results]
    ys = [math.log(r["seconds"]) for r in results]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="clustering speed and memory")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a single size, in this process
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    results = []
    print(f"{'claims':>8} {'incidents':>9} {'seconds':>8} {'peak RSS MB':>11} {'B3 F1':>6}")
    for size in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size)], check=True, capture_output=True, text=True
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['claims']:>8} {result['incidents']:>9} {result['seconds']:>8.2f} "
            f"{result['peak_rss_mb']:>11.1f} {result['bcubed_f1']:>6.3f}"
        )
    if len(results) > 1:
        print(f"growth exponent (log-log slope of time): {fitted_exponent(results):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
