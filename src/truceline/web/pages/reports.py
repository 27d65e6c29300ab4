"""Periodic compliance reports as HTML and PDF."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from truceline.reports import compliance, periods
from truceline.reports.render import render_html, render_pdf
from truceline.runtime import Runtime
from truceline.users.rules import Action, Principal
from truceline.views.filters import parse_as_of
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render

router = APIRouter(include_in_schema=False)


def _report(request: Request, session: Session, runtime: Runtime, principal: Principal) -> compliance.Report:
    """The report the query asks for: `from`, `to` (default: the last complete week with incidents) and
    `at` (as the record stood at the end of that day; default: now)."""
    params = request.query_params
    return compliance.requested_report(
        session,
        runtime.scenario,
        principal,
        raw_from=params.get("from", ""),
        raw_to=params.get("to", ""),
        generated_at=now_utc(),
        as_of=parse_as_of(params.get("at", "")),
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> HTMLResponse:
    today = now_utc().date()
    week = periods.default_week(session, runtime.scenario, today=today)
    quick = periods.quick_periods(runtime.scenario, today=today)
    audience = compliance.audience_of(runtime.scenario, principal)
    return render(
        request,
        "reports.html",
        principal,
        date_from=week.date_from,
        date_to=week.date_to,
        period_note=week.note,
        periods=quick,
        audience=audience,
        max_days=periods.MAX_PERIOD_DAYS,
    )


@router.get("/reports/view", response_class=HTMLResponse)
def report_view(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> HTMLResponse:
    report = _report(request, session, runtime, principal)
    query = urlencode(
        {
            "from": report.date_from,
            "to": report.date_to,
            **({"at": report.as_of.date()} if report.as_of else {}),
        }
    )
    links = [("Download PDF", f"/reports/report.pdf?{query}"), ("Other periods", "/reports")]
    return HTMLResponse(render_html(report, scenario=runtime.scenario, links=links))


@router.get("/reports/report.pdf")
def report_pdf(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> Response:
    report = _report(request, session, runtime, principal)
    pdf = render_pdf(render_html(report, scenario=runtime.scenario), base_url=str(request.base_url))
    disposition = f'attachment; filename="{report.filename_stem}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
