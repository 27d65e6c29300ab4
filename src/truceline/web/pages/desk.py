"""The mediator's desk: dashboard, map, timeline, incident list and incident pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from truceline.users.rules import Action, Principal
from truceline.web.deps import SessionDep, allow
from truceline.web.pages.rendering import render
from truceline.workflows import dashboard

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_STATISTICS)]
) -> HTMLResponse:
    return render(request, "dashboard.html", principal, stats=dashboard.collect_stats(session))


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request, principal: Annotated[Principal, allow(Action.READ_STATISTICS)]
) -> HTMLResponse:
    return render(request, "map.html", principal)
