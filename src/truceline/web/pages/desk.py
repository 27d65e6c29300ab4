"""The mediator's desk: dashboard, map, timeline, incident list and incident pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from truceline.users.rules import Action, Principal
from truceline.views import desk, filters, incidents, timeline
from truceline.views.ledger import record_proof
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.inputs import Page
from truceline.web.pages.rendering import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TIMELINE_PAGE = 200


@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_STATISTICS)],
    at: str = "",
) -> HTMLResponse:
    view = desk.desk_view(session, runtime.scenario, principal, now=now_utc(), as_of=filters.parse_as_of(at))
    return render(request, "dashboard.html", principal, view=view, at=at, chart=weekly_chart(view))


def weekly_chart(view: desk.DeskView) -> dict[str, object]:
    """Bar geometry for the weekly chart (an inline SVG; the numbers are also in a table)."""
    weeks = view.ceasefire.weeks
    parties = view.ceasefire.parties
    peak = max(
        [
            1,
            *(w.reported[p] for w in weeks for p in parties),
            *(view.ceasefire.baseline.get(p, 0) for p in parties),
        ]
    )
    height, bar = 120.0, 6.0
    slot = bar * len(parties) + 4
    bars = []
    for i, week in enumerate(weeks):
        for j, party in enumerate(parties):
            value = week.reported[party]
            h = height * value / peak
            bars.append(
                {"x": i * slot + j * bar, "y": height - h, "h": h, "party": j, "value": value, "week": week}
            )
    baselines = [
        {
            "party": j,
            "y": height - height * view.ceasefire.baseline.get(p, 0) / peak,
            "value": view.ceasefire.baseline[p],
        }
        for j, p in enumerate(parties)
        if p in view.ceasefire.baseline
    ]
    return {
        "width": max(slot * len(weeks), 1),
        "height": height,
        "bars": bars,
        "baselines": baselines,
        "peak": peak,
    }


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_STATISTICS)],
) -> HTMLResponse:
    flt = filters.filter_from_query(request.query_params)
    settings = runtime.settings
    return render(
        request,
        "map.html",
        principal,
        flt=flt,
        statuses=filters.INCIDENT_STATUSES,
        tiles=settings.map_tiles,
        tiles_attribution=settings.map_tiles_attribution,
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_STATISTICS)],
    page: Page = 1,
) -> HTMLResponse:
    params = request.query_params
    flt = filters.parse_filter(
        date_from=params.get("from", ""), date_to=params.get("to", ""), at=params.get("at", "")
    )
    kind = params.get("kind", "")
    items: Sequence[timeline.TimelineItem] = timeline.timeline(
        session, runtime.scenario, principal, date_from=flt.date_from, date_to=flt.date_to, as_of=flt.as_of
    )
    if kind:
        items = [i for i in items if i.kind == kind]
    query = {**flt.query(), **({"kind": kind} if kind else {})}
    return render(
        request,
        "timeline.html",
        principal,
        items=items[(page - 1) * TIMELINE_PAGE : page * TIMELINE_PAGE],
        total=len(items),
        page=page,
        page_size=TIMELINE_PAGE,
        query=sorted(query.items()),
        flt=flt,
        kind=kind,
    )


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_INCIDENT)],
    page: Page = 1,
) -> HTMLResponse:
    flt = filters.filter_from_query(request.query_params)
    points = incidents.incident_points(session, runtime.scenario, principal, as_of=flt.as_of)
    found = filters.filtered_incidents(points, flt)
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render(
        request,
        "incidents.html",
        principal,
        incidents=shown,
        total=len(found),
        page=page,
        page_size=PAGE_SIZE,
        flt=flt,
        statuses=filters.INCIDENT_STATUSES,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(
    request: Request,
    incident_id: str,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_INCIDENT)],
) -> HTMLResponse:
    view = incidents.incident_view(session, runtime.scenario, principal, incident_id=incident_id)
    proof = record_proof(session, kind="incidents", record_id=view.incident.id)
    return render(request, "incident.html", principal, view=view, proof=proof)
