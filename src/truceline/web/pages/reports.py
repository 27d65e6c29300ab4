"""Periodic compliance reports as HTML and PDF."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from truceline.runtime import Runtime
from truceline.users.rules import Action, Principal
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render
from truceline.workflows import reports

router = APIRouter(include_in_schema=False)


def _report(request: Request, session: Session, runtime: Runtime, principal: Principal) -> reports.Report:
    now = now_utc()
    params = request.query_params
    start, end = reports.parse_period(params.get("from", ""), params.get("to", ""), today=now.date())
    return reports.build_report(
        session, runtime.scenario, principal, date_from=start, date_to=end, generated_at=now
    )


@router.get("/reports", response_class=HTMLResponse)
def reports_page(
    request: Request, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.READ_REPORT)]
) -> HTMLResponse:
    today = now_utc().date()
    start, end = reports.last_full_week(today)
    periods = reports.quick_periods(runtime.scenario, today=today)
    audience = reports.audience_of(runtime.scenario, principal)
    return render(
        request,
        "reports.html",
        principal,
        date_from=start,
        date_to=end,
        periods=periods,
        audience=audience,
        max_days=reports.MAX_PERIOD_DAYS,
    )


@router.get("/reports/view", response_class=HTMLResponse)
def report_view(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> HTMLResponse:
    report = _report(request, session, runtime, principal)
    query = urlencode({"from": report.date_from, "to": report.date_to})
    links = [("Download PDF", f"/reports/report.pdf?{query}"), ("Other periods", "/reports")]
    return HTMLResponse(reports.render_html(report, scenario=runtime.scenario, links=links))


@router.get("/reports/report.pdf")
def report_pdf(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.READ_REPORT)],
) -> Response:
    report = _report(request, session, runtime, principal)
    pdf = reports.render_pdf(
        reports.render_html(report, scenario=runtime.scenario), base_url=str(request.base_url)
    )
    disposition = f'attachment; filename="{report.filename_stem}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
