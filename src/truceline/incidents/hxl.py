"""HXL-tagged incident CSV (Humanitarian Exchange Language), in and out; columns found by hashtag."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from truceline.errors import InvalidInput
from truceline.incidents.cells import cell_text, evidence_of, read_date, read_float, read_int
from truceline.incidents.values import IncidentValue
from truceline.pipeline.claims import ClaimValue, Fatalities, Location, claim_id

HXL_EXTRACTOR = "hxl-csv/1"

_HXL: tuple[tuple[str, str, str], ...] = (
    # (field, header, hashtag)
    ("id", "Incident ID", "#event+id"),
    ("date_start", "Date", "#date+start"),
    ("date_end", "End date", "#date+end"),
    ("time_precision", "Time precision", "#date+precision"),
    ("event_type", "Event type", "#event+type"),
    ("sub_event_type", "Sub-event type", "#event+type+sub"),
    ("process_type", "Process type", "#event+type+process"),
    ("actor1", "Actor 1", "#group+name+first"),
    ("actor2", "Actor 2", "#group+name+second"),
    ("country", "Country", "#country+code"),
    ("admin1", "Province", "#adm1+name"),
    ("location", "Location", "#loc+name"),
    ("lat", "Latitude", "#geo+lat"),
    ("lon", "Longitude", "#geo+lon"),
    ("geo_precision", "Geo precision", "#geo+precision"),
    ("radius_km", "Uncertainty radius km", "#geo+radius+km"),
    ("fatalities", "Fatalities (best)", "#affected+killed"),
    ("fatalities_low", "Fatalities (low)", "#affected+killed+min"),
    ("fatalities_high", "Fatalities (high)", "#affected+killed+max"),
    ("independent_sources", "Independent sources", "#meta+sources+num"),
    ("corroboration", "Corroboration", "#meta+score"),
    ("title", "Title", "#description"),
)


def format_hxl_csv(incidents: Iterable[IncidentValue]) -> str:
    """Incidents as HXL-tagged CSV: a header row, a hashtag row, then one row per incident."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header for _, header, _ in _HXL])
    writer.writerow([tag for _, _, tag in _HXL])
    for incident in incidents:
        values = _hxl_values(incident)
        writer.writerow([values[name] for name, _, _ in _HXL])
    return out.getvalue()


def parse_hxl_csv(lines: Iterable[str], *, source: str = "HXL") -> list[ClaimValue]:
    """Claims from an HXL-tagged incident CSV; columns are found by hashtag, header names are ignored."""
    rows = list(csv.reader(lines))
    tag_row = next((n for n, row in enumerate(rows[:25]) if is_hxl_row(row)), None)
    if tag_row is None:
        raise InvalidInput(
            "HXL CSV: expected a hashtag row (#date, #geo+lat, ...) in the first 25 rows, found none"
        )
    columns = {_hxl_key(tag): i for i, tag in enumerate(rows[tag_row]) if tag.strip()}
    field_of = {_hxl_key(tag): name for name, _, tag in _HXL}
    missing = [
        tag for name, _, tag in _HXL if name in {"date_start", "event_type"} and _hxl_key(tag) not in columns
    ]
    if missing:
        raise InvalidInput(
            f"HXL CSV: expected hashtags {', '.join(missing)}, found {', '.join(rows[tag_row])}"
        )
    claims = []
    for number, row in enumerate(rows[tag_row + 1 :], start=tag_row + 2):
        if not any(cell.strip() for cell in row):
            continue
        get = {
            field_of[key]: row[i].strip() for key, i in columns.items() if key in field_of and i < len(row)
        }
        document_id = f"{source}-{get.get('id') or number}"
        best = read_int(get.get("fatalities"), number, "#affected+killed")
        claims.append(
            ClaimValue(
                id=claim_id(document_id, 1),
                document_id=document_id,
                event_type=get.get("event_type", ""),
                sub_event_type=get.get("sub_event_type", ""),
                process_type=get.get("process_type") or None,
                event_date=read_date(get.get("date_start", ""), number, "#date"),
                time_precision=read_int(get.get("time_precision"), number, "#date+precision"),
                actor1=get.get("actor1") or None,
                actor2=get.get("actor2") or None,
                alleged=False,
                claimant=None,
                location=Location(
                    name=get.get("location") or None,
                    country=get.get("country") or None,
                    admin1=get.get("admin1") or None,
                    lat=read_float(get.get("lat"), number, "#geo+lat"),
                    lon=read_float(get.get("lon"), number, "#geo+lon"),
                    geo_precision=read_int(get.get("geo_precision"), number, "#geo+precision"),
                ),
                fatalities=Fatalities(
                    best=best,
                    low=read_int(get.get("fatalities_low"), number, "#affected+killed+min"),
                    high=read_int(get.get("fatalities_high"), number, "#affected+killed+max"),
                ),
                evidence=evidence_of(get.get("title") or document_id),
                confidence=1.0,
                extractor=HXL_EXTRACTOR,
            )
        )
    return claims


def _hxl_values(incident: IncidentValue) -> dict[str, str]:
    loc, fat = incident.location, incident.fatalities
    return {
        "id": incident.id,
        "date_start": cell_text(incident.date_start),
        "date_end": cell_text(incident.date_end),
        "time_precision": cell_text(incident.time_precision),
        "event_type": incident.event_type,
        "sub_event_type": incident.sub_event_type,
        "process_type": incident.process_type or "",
        "actor1": incident.actor1 or "",
        "actor2": incident.actor2 or "",
        "country": loc.country or "",
        "admin1": loc.admin1 or "",
        "location": loc.name or "",
        "lat": cell_text(loc.lat),
        "lon": cell_text(loc.lon),
        "geo_precision": cell_text(loc.geo_precision),
        "radius_km": cell_text(loc.radius_km),
        "fatalities": cell_text(fat.best),
        "fatalities_low": cell_text(fat.low),
        "fatalities_high": cell_text(fat.high),
        "independent_sources": str(incident.independent_sources),
        "corroboration": f"{incident.corroboration:.4f}",
        "title": incident.title,
    }


def is_hxl_row(row: Sequence[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _hxl_key(tag: str) -> str:
    """HXL compares hashtags case-insensitively and ignores the order of attributes."""
    parts = tag.strip().lower().replace(" ", "").split("+")
    return "+".join([parts[0], *sorted(parts[1:])])
