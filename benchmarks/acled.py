"""Synthetic ACLED export rows, for timing `truceline import --format acled` (no ACLED data may be shipped).

How the rows are made (the same seed gives the same file): the 31 columns of ACLED's export
(`interop.ACLED_COLUMNS`, the shared header in ../shared/data/events). Each row takes the place, province,
country, actors and toll of a real UCDP GED event from ../shared/data/events (3,929 events near the
Afghanistan–Pakistan border), its point jittered by up to ±0.05°, and a date drawn uniformly over
`--years` years ending 2025-12-31 (the default, 10 years, gives 100,000 rows about 27 events a day: the
order of ACLED's own figures for the two countries). Event types and sub-types are ACLED's; notes are one
of four sentences naming the place, the actors and the toll. Row ids are `PAK`/`AFG` and a serial number.

Usage: `python benchmarks/acled.py [--rows 100000] [--years 10] [--seed 2025] > acled.csv`, then
`time truceline import acled.csv --format acled` on a fresh database (docs/ledger.md §11 has the figures).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from truceline.incidents.interop import ACLED_COLUMNS, parse_ged_csv
from truceline.pipeline.claims import ClaimValue

EVENTS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "events"
FILES = ("ucdp_ged_pak_border_50km.csv", "ucdp_ged_afg_subset_310.csv")
LAST_DAY = date(2025, 12, 31)
TYPES = (
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Strategic developments", "Strategic developments", "Other"),
)
NOTES = (
    "On {day}, {a} and {b} clashed near {where}. {n} fatalities reported.",
    "On {day}, {a} fired on positions of {b} in {where}; {n} people were killed.",
    "On {day}, an attack by {a} on {b} near {where} left {n} dead, according to local sources.",
    "On {day}, {a} reported an exchange of fire with {b} at {where}. Fatalities: {n}.",
)
COUNTRIES = {"PK": ("Pakistan", "PAK", "Southern Asia"), "AF": ("Afghanistan", "AFG", "Southern Asia")}


def load_events() -> list[ClaimValue]:
    events: list[ClaimValue] = []
    for name in FILES:
        with (EVENTS / name).open(encoding="utf-8") as handle:
            events.extend(parse_ged_csv(handle))
    return [e for e in events if e.location.lat is not None and e.location.lon is not None]


def iter_rows(count: int, *, years: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    events = load_events()
    span_days = 365 * years
    rows = []
    for number in range(1, count + 1):
        event = rng.choice(events)
        assert event.location.lat is not None and event.location.lon is not None
        day = LAST_DAY - timedelta(days=rng.randrange(span_days))
        disorder, event_type, sub_event_type = rng.choice(TYPES)
        country, iso3, region = COUNTRIES.get(event.location.country or "PK", COUNTRIES["PK"])
        where = event.location.name or event.location.admin1 or country
        actor1, actor2 = event.actor1 or "Unidentified Armed Group", event.actor2 or ""
        toll = event.fatalities.best or 0
        note = rng.choice(NOTES).format(
            day=f"{day.day} {day:%B %Y}", a=actor1, b=actor2 or "unknown forces", where=where, n=toll
        )
        rows.append(
            {
                "event_id_cnty": f"{iso3}{number:07d}",
                "event_date": day.isoformat(),
                "year": str(day.year),
                "time_precision": str(rng.choice((1, 1, 1, 2, 3))),
                "disorder_type": disorder,
                "event_type": event_type,
                "sub_event_type": sub_event_type,
                "actor1": actor1,
                "assoc_actor_1": "",
                "inter1": "1",
                "actor2": actor2,
                "assoc_actor_2": "",
                "inter2": "2" if actor2 else "",
                "interaction": "12" if actor2 else "10",
                "civilian_targeting": "Civilian targeting" if event_type.startswith("Violence") else "",
                "iso": "586" if iso3 == "PAK" else "4",
                "region": region,
                "country": country,
                "admin1": event.location.admin1 or "",
                "admin2": "",
                "admin3": "",
                "location": where,
                "latitude": f"{event.location.lat + rng.uniform(-0.05, 0.05):.4f}",
                "longitude": f"{event.location.lon + rng.uniform(-0.05, 0.05):.4f}",
                "geo_precision": str(rng.choice((1, 1, 2, 3))),
                "source": rng.choice(("Dawn", "Pajhwok", "Tolo News", "Express Tribune")),
                "source_scale": "National",
                "notes": note,
                "fatalities": str(toll),
                "tags": "",
                "timestamp": "1767225600",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=10, help="the dates span this many years")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    writer = csv.DictWriter(sys.stdout, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(iter_rows(args.rows, years=args.years, seed=args.seed))


if __name__ == "__main__":
    main()
