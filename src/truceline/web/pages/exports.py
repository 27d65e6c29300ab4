"""CSV and GeoJSON downloads of every list, and the Atom feed of published findings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from truceline.reports import atom, downloads
from truceline.users.rules import Action, Principal
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import templates

router = APIRouter(include_in_schema=False)
ATOM_TYPE = "application/atom+xml"


@router.get("/exports/{list_name}.{fmt}")
def export_list(
    request: Request,
    list_name: str,
    fmt: str,
    session: SessionDep,
    runtime: RuntimeDep,
    # Every role may download some list; the list's own action and each record's check decide the rest.
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> Response:
    found = downloads.build_export(
        session,
        runtime.scenario,
        principal,
        list_name=list_name,
        fmt=fmt,
        params=request.query_params,
        today=now_utc().date(),
    )
    headers = {
        "Content-Disposition": f"attachment; filename={found.filename}",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(found.body, media_type=found.media_type, headers=headers)


@router.get("/findings.atom")
def findings_feed(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_FINDING)],
) -> Response:
    feed = atom.findings_feed(session, runtime.scenario, principal, origin=runtime.origin, now=now_utc())
    base_url = str(request.base_url).rstrip("/")
    body = templates().get_template("findings.atom.xml").render(feed=feed, base_url=base_url)
    return Response(body, media_type=ATOM_TYPE)
