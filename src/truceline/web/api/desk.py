"""The mediator's desk as JSON: status and escalation, incidents for the map, the timeline."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from truceline.users.rules import Action, Principal
from truceline.views import desk, filters, incidents, maps
from truceline.views import timeline as timeline_view
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.inputs import Offset

router = APIRouter(tags=["desk"])


@router.get("/desk")
def desk_status(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_STATISTICS)],
    at: str = "",
) -> dict[str, Any]:
    """Ceasefire status, weekly counts per party against the baseline, escalation index with its parts;
    `at=YYYY-MM-DD`: as the record stood at the end of that day."""
    view = desk.desk_view(session, runtime.scenario, principal, now=now_utc(), as_of=filters.parse_as_of(at))
    return {
        "today": view.today.isoformat(),
        "as_of": view.as_of.isoformat() if view.as_of else None,
        "ceasefire": _plain(view.ceasefire),
        "escalation": _plain(view.escalation),
        "counts": view.counts,
        "intake_queue": view.intake_queue,
        "deadlines": _plain(view.deadlines) if view.deadlines is not None else None,
        "ledger_size": view.ledger_size,
        "talks_rounds": [t.id for t in view.talks_rounds],
        "checkpoint": view.checkpoint.model_dump() if view.checkpoint else None,
    }


@router.get("/map/incidents")
def map_incidents(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_INCIDENT)],
    zoom: Annotated[int, Query(ge=0, le=22)] = 18,
    bbox: str = "",
) -> dict[str, Any]:
    """Incidents as GeoJSON (filters: from, to, kind, party, status; `at`: as the record stood at the end of
    that day); grid clusters below zoom 9 when many."""
    flt = filters.filter_from_query(request.query_params)
    points = incidents.incident_points(session, runtime.scenario, principal, as_of=flt.as_of)
    return maps.cached_map_geojson(points, runtime.scenario, flt=flt, zoom=zoom, bbox=maps.parse_bbox(bbox))


@router.get("/timeline")
def timeline(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_STATISTICS)],
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    """Incidents, talks rounds, ceasefire steps and findings the caller may see, newest first (paged);
    `at=YYYY-MM-DD`: as the record stood at the end of that day."""
    flt = filters.filter_from_query(request.query_params)
    items = timeline_view.timeline(
        session, runtime.scenario, principal, date_from=flt.date_from, date_to=flt.date_to, as_of=flt.as_of
    )
    return [_plain(item) for item in items[offset : offset + limit]]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
