"""The downloadable lists: each under its list page's own policy and filters, flattened into cells.

Each list is one `ExportList` in `EXPORT_LISTS`: the policy action it needs, the records it holds
(read with the same service, policy checks and filters as its page) and its columns, in a fixed order.
Nested values are flattened (a location becomes place, admin1, country, lat, lon, geo_precision;
fatalities become best, low, high; lists are joined with "; "), so the CSV and the GeoJSON properties
carry the same columns. `downloads` writes them as files.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy.orm import Session

from truceline.cases import service as cases
from truceline.cases.findings import list_published_findings
from truceline.complaints import service as complaints
from truceline.db.versions import base_id
from truceline.documents import service as documents
from truceline.errors import NotFound, PermissionDenied
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, can, scopes_for
from truceline.views import filters as filters_view
from truceline.views import incidents as incident_view
from truceline.views import ledger as ledger_view
from truceline.views.notifications import list_notifications
from truceline.views.review import list_review_queue
from truceline.wording import THE_REPORTS

Cell = str | int | float | bool | None
MAX_ROWS = 100_000  # one download holds at most this many rows (every list is far smaller today)
LIST_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class ExportQuery:
    """What a list's records function reads: who asks, and the query parameters of the download."""

    session: Session
    scenario: Scenario
    principal: Principal
    params: Mapping[str, str]


Column = tuple[str, Callable[[Any], Any]]


def _no_geometry(record: Any) -> dict[str, Any] | None:
    return None


@dataclass(frozen=True, slots=True)
class ExportList:
    """One downloadable list: its policy action, its records (as its page shows them) and its columns."""

    name: str
    action: Action
    records: Callable[[ExportQuery], Iterable[Any]]
    columns: tuple[Column, ...]
    geometry: Callable[[Any], dict[str, Any] | None] = _no_geometry
    filters: tuple[str, ...] = ()  # the query parameters it honours, as on its page

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


@dataclass(frozen=True, slots=True)
class ExportRow:
    values: dict[str, Cell]
    geometry: dict[str, Any] | None


# --- flattening values into cells ------------------------------------------------------------------------


def cell(value: Any) -> Cell:
    """A flat, JSON-safe value: dates as ISO 8601 (UTC for times), lists joined, non-finite numbers empty."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(cell(item)) for item in value if item is not None)
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def point(lat: Any, lon: Any) -> dict[str, Any] | None:
    """A GeoJSON Point (RFC 7946 §3.1.2: longitude first) when both coordinates are valid, else None."""
    y, x = _number(lat), _number(lon)
    if y is None or x is None or not (-90 <= y <= 90 and -180 <= x <= 180):
        return None
    return {"type": "Point", "coordinates": [x, y]}


def _location(key: str, read: Callable[[Any], Any]) -> Column:
    def get(record: Any) -> Any:
        location = record.location if isinstance(record.location, dict) else {}
        return read(location.get(key))

    return ("place" if key == "name" else key), get


def _location_columns() -> tuple[Column, ...]:
    return (
        _location("name", _text),
        _location("admin1", _text),
        _location("country", _text),
        _location("lat", _number),
        _location("lon", _number),
        _location("geo_precision", _whole),
    )


def _fatalities_columns() -> tuple[Column, ...]:
    return tuple(
        (f"fatalities_{key}", lambda r, key=key: _whole((r.fatalities or {}).get(key)))
        for key in ("best", "low", "high")
    )


def _location_point(record: Any) -> dict[str, Any] | None:
    location = record.location if isinstance(record.location, dict) else {}
    return point(location.get("lat"), location.get("lon"))


# --- the lists -------------------------------------------------------------------------------------------


def _documents(query: ExportQuery) -> Iterable[Any]:
    return documents.list_documents(query.session, limit=MAX_ROWS)


def _claims(query: ExportQuery) -> Iterable[Any]:
    return list_review_queue(query.session, limit=MAX_ROWS)


def _incidents(query: ExportQuery) -> Iterable[Any]:
    flt = filters_view.filter_from_query(query.params)
    points = incident_view.incident_points(query.session, query.scenario, query.principal, as_of=flt.as_of)
    return filters_view.filter_incidents(points, flt)


def _complaints(query: ExportQuery) -> Iterable[Any]:
    return complaints.list_complaints(query.session, principal=query.principal, limit=MAX_ROWS)


def _cases(query: ExportQuery) -> Iterable[Any]:
    return cases.list_cases(query.session, principal=query.principal)


def _findings(query: ExportQuery) -> Iterable[Any]:
    found = list_published_findings(query.session)
    return [f for f in found if can(query.principal, Action.READ_FINDING, f)]


def _notifications(query: ExportQuery) -> Iterable[Any]:
    found = list_notifications(query.session)
    return [n for n in found if can(query.principal, Action.READ_NOTIFICATION, n)]


def _ledger(query: ExportQuery) -> Iterable[Any]:
    page = ledger_view.list_entries(
        query.session, principal=query.principal, limit=MAX_ROWS, newest_first=False
    )
    return page.items


def _notice_point(notice: Any, axis: int) -> float | None:
    area = notice.area if isinstance(notice.area, dict) else {}
    coordinates = area.get("coordinates")
    if area.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) != 2:
        return None
    return _number(coordinates[axis])


def notice_geometry(notice: Any) -> dict[str, Any] | None:
    """The notified area as a GeoJSON geometry; a Point's radius is the `radius_km` column, not a member."""
    area = notice.area if isinstance(notice.area, dict) else {}
    if area.get("type") == "Point":
        return point(_notice_point(notice, 1), _notice_point(notice, 0))
    if area.get("type") in ("Polygon", "MultiPolygon") and isinstance(area.get("coordinates"), list):
        return {"type": area["type"], "coordinates": area["coordinates"]}
    return None


_get = attrgetter

EXPORT_LISTS: tuple[ExportList, ...] = (
    ExportList(
        "documents",
        Action.READ_DOCUMENT,
        _documents,
        (
            ("id", _get("id")),
            ("published", _get("published")),
            ("title", _get("title")),
            ("outlet", _get("outlet")),
            ("language", _get("language")),
            ("url", _get("url")),
            ("source_id", _get("source_id")),
            ("content_hash", _get("content_hash")),
            ("ingested_at", _get("created_at")),
        ),
    ),
    ExportList(
        "claims",
        Action.REVIEW_CLAIM,
        _claims,
        (
            ("id", _get("id")),
            ("document_id", _get("document_id")),
            ("event_date", _get("event_date")),
            ("time_precision", _get("time_precision")),
            ("event_type", _get("event_type")),
            ("sub_event_type", _get("sub_event_type")),
            ("process_type", _get("process_type")),
            ("actor1", _get("actor1")),
            ("actor2", _get("actor2")),
            ("alleged", _get("alleged")),
            ("claimant", _get("claimant")),
            *_location_columns(),
            *_fatalities_columns(),
            ("injuries", _get("injuries")),
            ("confidence", _get("confidence")),
            ("evidence_text", lambda c: _text((c.evidence or {}).get("text"))),
            ("extractor", _get("extractor")),
            ("extracted_at", _get("created_at")),
        ),
        geometry=_location_point,
    ),
    ExportList(
        "incidents",
        Action.READ_INCIDENT,
        _incidents,
        (
            ("id", _get("id")),
            ("title", _get("title")),
            ("date_start", _get("date_start")),
            ("date_end", _get("date_end")),
            ("event_type", _get("event_type")),
            ("sub_event_type", _get("sub_event_type")),
            ("process_type", _get("process_type")),
            ("place", _get("place")),
            ("admin1", _get("admin1")),
            ("country", _get("country")),
            ("lat", _get("lat")),
            ("lon", _get("lon")),
            ("geo_precision", _get("geo_precision")),
            ("radius_km", _get("radius_km")),
            ("alleged_party", _get("alleged_party")),
            ("allegations", lambda p: [f"{a.by or THE_REPORTS} against {a.against}" for a in p.allegations]),
            ("actors", _get("actors")),
            ("fatalities_best", _get("fatalities_best")),
            ("fatalities_low", _get("fatalities_low")),
            ("fatalities_high", _get("fatalities_high")),
            ("independent_sources", _get("independent_sources")),
            ("corroboration", _get("corroboration")),
            ("status", _get("status")),
            ("case_id", _get("case_id")),
            ("responsible_party", _get("responsible_party")),
        ),
        geometry=lambda p: point(p.lat, p.lon),
        filters=("from", "to", "kind", "party", "status", "at"),
    ),
    ExportList(
        "complaints",
        Action.READ_COMPLAINT,
        _complaints,
        (
            ("id", _get("id")),
            ("filed_at", _get("created_at")),
            ("complainant_party", _get("complainant_party")),
            ("accused_party", _get("accused_party")),
            ("incident_id", _get("incident_id")),
            ("claim_ids", _get("claim_ids")),
            ("clause_ids", _get("clause_ids")),
            ("summary", _get("summary")),
            ("is_signed", lambda c: c.signature is not None),
        ),
    ),
    ExportList(
        "cases",
        Action.READ_CASE,
        _cases,
        (
            ("id", _get("id")),
            ("case_id", lambda c: base_id(c.id)),
            ("title", _get("title")),
            ("status", _get("status")),
            ("complaint_ids", _get("complaint_ids")),
            ("incident_ids", _get("incident_ids")),
            ("monitors", _get("monitors")),
            ("deadline", _get("deadline")),
            ("updated_at", _get("created_at")),
        ),
    ),
    ExportList(
        "findings",
        Action.READ_FINDING,
        _findings,
        (
            ("id", _get("id")),
            ("finding_id", lambda f: base_id(f.id)),
            ("case_id", _get("case_id")),
            ("verdict", _get("verdict")),
            ("responsible_party", _get("responsible_party")),
            ("responsibility", _get("responsibility")),
            ("clause_ids", _get("clause_ids")),
            ("confidence", _get("confidence")),
            ("rationale", _get("rationale")),
            ("published_at", _get("created_at")),
        ),
    ),
    ExportList(
        "notifications",
        Action.READ_NOTIFICATION,
        _notifications,
        (
            ("id", _get("id")),
            ("party", _get("party")),
            ("kind", _get("kind")),
            ("starts_at", _get("starts_at")),
            ("ends_at", _get("ends_at")),
            ("description", _get("description")),
            ("area_type", lambda n: _text((n.area or {}).get("type"))),
            ("lat", lambda n: _notice_point(n, 1)),
            ("lon", lambda n: _notice_point(n, 0)),
            ("radius_km", lambda n: _number((n.area or {}).get("radius_km"))),
            ("filed_at", _get("created_at")),
        ),
        geometry=notice_geometry,
    ),
    ExportList(
        "ledger",
        Action.READ_LEDGER,
        _ledger,
        (
            ("seq", _get("seq")),
            ("kind", _get("kind")),
            ("record_id", _get("record_id")),
            ("author", _get("author")),
            ("time", _get("time")),
            ("commitment", _get("commitment")),
            ("leaf_hash", _get("leaf_hash")),
        ),
    ),
)
LISTS_BY_NAME: Mapping[str, ExportList] = {spec.name: spec for spec in EXPORT_LISTS}


def get_export_list(name: str) -> ExportList:
    spec = LISTS_BY_NAME.get(name)
    if spec is None:
        raise NotFound("export list", name[:80])
    return spec


def require_list(principal: Principal, spec: ExportList) -> None:
    """The role must hold some grant of the list's action; each record then passes its own check.

    `require(principal, action)` without a record counts only `any` grants, which would refuse a party its
    own complaints; the records functions apply the record-level checks, exactly as the list pages do.
    """
    if not scopes_for(principal.role, spec.action):
        raise PermissionDenied(f"role {principal.role.value!r} may not {spec.action.value}")


def export_rows(spec: ExportList, query: ExportQuery) -> list[ExportRow]:
    """The list's rows for this principal, as its page shows them (all pages, at most MAX_ROWS)."""
    require_list(query.principal, spec)
    records = itertools.islice(spec.records(query), MAX_ROWS)
    return [
        ExportRow({name: cell(read(record)) for name, read in spec.columns}, spec.geometry(record))
        for record in records
    ]
