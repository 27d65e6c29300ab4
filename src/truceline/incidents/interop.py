"""ACLED and UCDP GED interchange: import their CSVs as claims, link incidents to their events, export.

Formats (docs/incidents.md has the column mapping):
- ACLED export CSV (the 31 columns of `ACLED_COLUMNS`), in and out. Truceline's `process_type` travels in
  ACLED's free `tags` column as `truceline:process_type=<value>`, so an export reads back unchanged.
- UCDP GED CSV, in: the official GED / Candidate files, the HDX country files (whose second row is HXL
  hashtags) and reduced extracts that keep `id`, the sides, the dates and the coordinates.
- HXL-tagged CSV: `hxl.py`.
- GeoJSON FeatureCollection of incidents, out (points in lon, lat order, RFC 7946).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from truceline.errors import InvalidInput
from truceline.incidents.cells import cell_text, evidence_of, read_date, read_float, read_int
from truceline.incidents.geography import haversine_km, radius_km_for
from truceline.incidents.hxl import is_hxl_row
from truceline.incidents.similarity import (
    ACLED_EXTRACTOR,
    GED_EXTRACTOR,
    ClusterParams,
    profile_claim,
    profile_incident,
    score_pair,
)
from truceline.incidents.values import IncidentValue
from truceline.pipeline.claims import ClaimValue, Fatalities, Location, claim_id

ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
DEFAULT_PARAMS = ClusterParams()
PROCESS_TAG = "truceline:process_type="
COUNTRY_CODES = {"pakistan": "PK", "afghanistan": "AF"}
COUNTRY_NAMES = {"PK": "Pakistan", "AF": "Afghanistan"}
ISO_NUMERIC = {"PK": "586", "AF": "4"}
# GED type_of_violence -> ACLED (event_type, sub_event_type). GED codes no finer type than this.
GED_VIOLENCE = {
    "1": ("Battles", "Armed clash"),  # state-based
    "2": ("Battles", "Armed clash"),  # non-state
    "3": ("Violence against civilians", "Attack"),  # one-sided
}
# GED where_prec (1 exact .. 7 country/waters) -> ACLED geo_precision (1 town, 2 district, 3 province+).
GED_WHERE_PREC = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3, "6": 3, "7": 3}
# GED date_prec (1 day, 2 2-6 days, 3 week, 4 month, 5 year) -> ACLED time_precision (1 day, 2 week, 3 month).
GED_DATE_PREC = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3}


@dataclass(frozen=True, slots=True)
class Link:
    """An external event (ACLED / GED claim) judged to describe an incident, and where they disagree."""

    event_id: str
    score: float
    disagreements: tuple[str, ...]


def parse_acled_csv(lines: Iterable[str], *, source: str = "ACLED") -> list[ClaimValue]:
    """Claims from an ACLED export (header row first; an HXL hashtag row, if any, is skipped)."""
    table = _Table.read(lines, required=("event_id_cnty", "event_date", "event_type"), what="ACLED CSV")
    # Cells by position (no dict per row): a column the file lacks reads as an empty cell.
    (
        event_id_at,
        event_date_at,
        event_type_at,
        sub_event_type_at,
        tags_at,
        fatalities_at,
        time_precision_at,
        actor1_at,
        actor2_at,
        location_at,
        country_at,
        admin1_at,
        latitude_at,
        longitude_at,
        geo_precision_at,
        notes_at,
    ) = table.positions(
        "event_id_cnty",
        "event_date",
        "event_type",
        "sub_event_type",
        "tags",
        "fatalities",
        "time_precision",
        "actor1",
        "actor2",
        "location",
        "country",
        "admin1",
        "latitude",
        "longitude",
        "geo_precision",
        "notes",
    )
    claims = []
    for number, row in table.rows:
        event_id = row[event_id_at].strip()
        document_id = f"{source}-{event_id}"
        process_type = None
        for tag in row[tags_at].strip().split(";"):
            if tag.strip().startswith(PROCESS_TAG):
                process_type = tag.strip()[len(PROCESS_TAG) :] or None
        fatalities = read_int(row[fatalities_at], number, "fatalities")
        location = row[location_at].strip()
        claims.append(
            ClaimValue(
                id=claim_id(document_id, 1),
                document_id=document_id,
                event_type=row[event_type_at].strip(),
                sub_event_type=row[sub_event_type_at].strip(),
                process_type=process_type,
                event_date=read_date(row[event_date_at], number, "event_date"),
                time_precision=read_int(row[time_precision_at], number, "time_precision"),
                actor1=row[actor1_at].strip() or None,
                actor2=row[actor2_at].strip() or None,
                alleged=False,
                claimant=None,
                location=Location(
                    name=location or None,
                    country=_country_code(row[country_at]),
                    admin1=row[admin1_at].strip() or None,
                    lat=read_float(row[latitude_at], number, "latitude"),
                    lon=read_float(row[longitude_at], number, "longitude"),
                    geo_precision=read_int(row[geo_precision_at], number, "geo_precision"),
                ),
                fatalities=Fatalities(best=fatalities, low=fatalities, high=fatalities),
                evidence=evidence_of(row[notes_at].strip() or location or event_id),
                confidence=1.0,
                extractor=ACLED_EXTRACTOR,
            )
        )
    return claims


def parse_ged_csv(
    lines: Iterable[str], *, source: str = "UCDP-GED", actor_aliases: Mapping[str, str] | None = None
) -> list[ClaimValue]:
    """Claims from a UCDP GED CSV; `actor_aliases` maps GED side names to the scenario's actor names."""
    rows = _read_rows(lines, required=("id", "date_start", "latitude", "longitude"), what="UCDP GED CSV")
    aliases = actor_aliases or {}
    claims = []
    for number, row in rows:
        document_id = f"{source}-{row['id']}"
        event_type, sub_event_type = GED_VIOLENCE.get(row.get("type_of_violence") or "1", GED_VIOLENCE["1"])
        best = read_int(row.get("best"), number, "best")
        if best is None:
            parts = [
                read_int(row.get(k), number, k)
                for k in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
            ]
            known = [p for p in parts if p is not None]
            best = sum(known) if known else None
        country = _country_code(row.get("country")) or _country_code(row.get("iso3"))
        if country is None and row.get("wof_adm1_iso_3166_2"):
            country = row["wof_adm1_iso_3166_2"][:2]
        side_a, side_b = row.get("side_a") or None, row.get("side_b") or None
        text = (
            row.get("source_headline") or row.get("source_article") or row.get("source_article_trunc") or ""
        )
        claims.append(
            ClaimValue(
                id=claim_id(document_id, 1),
                document_id=document_id,
                event_type=event_type,
                sub_event_type=sub_event_type,
                process_type=None,
                event_date=read_date(row["date_start"], number, "date_start"),
                time_precision=GED_DATE_PREC.get(row.get("date_prec") or "1", 3),
                actor1=aliases.get(side_a, side_a) if side_a else None,
                actor2=aliases.get(side_b, side_b) if side_b else None,
                alleged=False,
                claimant=None,
                location=Location(
                    name=row.get("where_coordinates") or row.get("adm_2") or None,
                    country=country,
                    admin1=row.get("adm_1") or row.get("wof_adm1_name") or None,
                    lat=read_float(row.get("latitude"), number, "latitude"),
                    lon=read_float(row.get("longitude"), number, "longitude"),
                    geo_precision=GED_WHERE_PREC.get(row.get("where_prec") or "", 2),
                ),
                fatalities=Fatalities(
                    best=best,
                    low=read_int(row.get("low"), number, "low"),
                    high=read_int(row.get("high"), number, "high"),
                    civilians=read_int(row.get("deaths_civilians"), number, "deaths_civilians"),
                ),
                evidence=evidence_of(text or row.get("where_description") or str(row["id"])),
                confidence=1.0,
                extractor=GED_EXTRACTOR,
            )
        )
    return claims


def link_events(
    incident: IncidentValue,
    events: Sequence[ClaimValue],
    *,
    min_score: float = 0.5,
    params: ClusterParams = DEFAULT_PARAMS,
) -> list[Link]:
    """External events that describe the same happening as `incident`, best first, with disagreements."""
    target = profile_incident(incident, params=params)
    links = []
    for event in events:
        scored = score_pair(target, profile_claim(event, params=params), params=params)
        if scored is None or scored.score < min_score:
            continue
        links.append(Link(event.document_id, round(scored.score, 4), tuple(_disagreements(incident, event))))
    return sorted(links, key=lambda link: (-link.score, link.event_id))


def _disagreements(incident: IncidentValue, event: ClaimValue) -> list[str]:
    found = []
    fat, theirs = incident.fatalities, event.fatalities.best
    if theirs is not None and fat.best is not None:
        low = fat.low if fat.low is not None else fat.best
        high = fat.high if fat.high is not None else fat.best
        if not low <= theirs <= high:
            found.append(f"fatalities: event {theirs}, incident {fat.best} (range {low}–{high})")
    ours = set(incident.actors)
    others = {a for a in (event.actor1, event.actor2) if a}
    if ours and others and ours != others:
        only_ours = ", ".join(sorted(ours - others)) or "none"
        only_theirs = ", ".join(sorted(others - ours)) or "none"
        found.append(f"actors: only in incident {only_ours}; only in event {only_theirs}")
    place, loc = incident.location, event.location
    if None not in (place.lat, place.lon, loc.lat, loc.lon):
        distance = haversine_km(place.lat, place.lon, loc.lat, loc.lon)  # type: ignore[arg-type]
        ours_km = place.radius_km if place.radius_km is not None else radius_km_for(place.geo_precision)
        theirs_km = radius_km_for(loc.geo_precision)
        if distance > ours_km + theirs_km:
            found.append(
                f"place: {distance:.0f} km apart, beyond the precision radii "
                f"({ours_km:.0f} + {theirs_km:.0f} km)"
                f" — event at {loc.name or 'unnamed place'}, incident at {place.name or 'unnamed place'}"
            )
    if event.event_date is not None and incident.date_start is not None:
        end = incident.date_end or incident.date_start
        if not incident.date_start <= event.event_date <= end:
            found.append(f"date: event {event.event_date.isoformat()}, incident {_span(incident)}")
    if event.event_type != incident.event_type:
        found.append(f"type: event {event.event_type}, incident {incident.event_type}")
    return found


def format_acled_csv(incidents: Iterable[IncidentValue]) -> str:
    """Incidents as ACLED-schema CSV rows (one per incident: its start date, best fatality figure)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for incident in incidents:
        loc = incident.location
        country = loc.country or ""
        writer.writerow(
            {
                "event_id_cnty": incident.id,
                "event_date": incident.date_start.isoformat() if incident.date_start else "",
                "year": incident.date_start.year if incident.date_start else "",
                "time_precision": cell_text(incident.time_precision),
                "disorder_type": _disorder_type(incident.event_type),
                "event_type": incident.event_type,
                "sub_event_type": incident.sub_event_type,
                "actor1": incident.actor1 or "",
                "actor2": incident.actor2 or "",
                "civilian_targeting": "Civilian targeting" if _targets_civilians(incident) else "",
                "iso": ISO_NUMERIC.get(country, ""),
                "region": "South Asia" if country in COUNTRY_NAMES else "",
                "country": COUNTRY_NAMES.get(country, country),
                "admin1": loc.admin1 or "",
                "location": loc.name or "",
                "latitude": cell_text(loc.lat),
                "longitude": cell_text(loc.lon),
                "geo_precision": cell_text(loc.geo_precision),
                "source": "Truceline",
                "source_scale": "Other",
                "notes": incident.title,
                "fatalities": cell_text(incident.fatalities.best),
                "tags": f"{PROCESS_TAG}{incident.process_type}" if incident.process_type else "",
            }
        )
    return out.getvalue()


def incidents_to_geojson(incidents: Iterable[IncidentValue]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946): one Point per located incident, null geometry otherwise."""
    features = []
    for incident in incidents:
        loc = incident.location
        geometry = None
        if loc.lat is not None and loc.lon is not None:
            geometry = {"type": "Point", "coordinates": [round(loc.lon, 5), round(loc.lat, 5)]}
        features.append(
            {"type": "Feature", "id": incident.id, "geometry": geometry, "properties": incident.to_json()}
        )
    return {"type": "FeatureCollection", "features": features}


def _read_rows(
    lines: Iterable[str], *, required: Sequence[str], what: str
) -> list[tuple[int, dict[str, str]]]:
    """Each data row as {column: stripped cell} (as `csv.DictReader` reads it), with its row number."""
    table = _Table.read(lines, required=required, what=what)
    return [
        (number, {name: row[at].strip() for name, at in table.columns.items()}) for number, row in table.rows
    ]


@dataclass(frozen=True, slots=True)
class _Table:
    """A CSV's header and data rows, as `csv.DictReader` numbers and reads them, without a dict per row.

    `columns` maps a column name to its position (the last one when a name repeats, as in DictReader).
    Each row is padded or cut to the header's width plus one empty cell, the position of every column
    the header lacks; blank lines are skipped and not numbered, and an HXL hashtag row is dropped."""

    columns: dict[str, int]
    width: int  # the header's
    rows: list[tuple[int, list[str]]]

    @classmethod
    def read(cls, lines: Iterable[str], *, required: Sequence[str], what: str) -> _Table:
        reader = csv.reader(lines)
        header = next(reader, [])
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(
                f"{what}: expected columns {', '.join(missing)}, found {', '.join(header) or 'no header'}"
            )
        width = len(header)
        columns = {name: at for at, name in enumerate(header)}
        first = columns[required[0]]
        rows = []
        for number, row in enumerate((row for row in reader if row), start=2):
            if len(row) == width:
                row.append("")
            else:
                row = [*row[:width], *([""] * (width - len(row))), ""]
            # Only a row whose every filled cell is a hashtag is HXL: a filled id cell says no at once.
            lead = row[first].strip()
            if (not lead or lead.startswith("#")) and is_hxl_row([row[at] for at in columns.values()]):
                continue  # HDX files carry the HXL hashtags as their second row
            rows.append((number, row))
        return cls(columns=columns, width=width, rows=rows)

    def positions(self, *names: str) -> tuple[int, ...]:
        """Where each named column is; a column the header lacks is at the empty cell after the last."""
        return tuple(self.columns.get(name, self.width) for name in names)


def _country_code(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) == 2:
        return text.upper()
    if text.upper() in {"PAK", "AFG"}:
        return text.upper()[:2] if text.upper() == "PAK" else "AF"
    return COUNTRY_CODES.get(text.lower(), text)


def _disorder_type(event_type: str) -> str:
    if event_type == "Protests":
        return "Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return "Political violence"


def _targets_civilians(incident: IncidentValue) -> bool:
    return incident.event_type == "Violence against civilians" or any(
        (a or "").startswith("Civilians") for a in (incident.actor2,)
    )


def _span(incident: IncidentValue) -> str:
    start = incident.date_start.isoformat() if incident.date_start else "?"
    end = incident.date_end.isoformat() if incident.date_end else start
    return start if start == end else f"{start} to {end}"
