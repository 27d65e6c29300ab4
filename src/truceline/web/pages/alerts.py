"""Alert rules and deliveries pages.

The forms carry the CSRF token; `deps.get_principal` refuses a cookie-signed write without it (before any of
these routes runs), while a script with a Bearer token needs none.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from truceline.alerts.rules import KIND_LABELS, MECHANISM_KINDS, Channel, parse_threshold
from truceline.alerts.schemas import AlertRuleCreate, AlertRuleRead
from truceline.users.rules import Action, Principal
from truceline.views import alerts as alert_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render
from truceline.workflows import alerts as flow

router = APIRouter(include_in_schema=False)
Manager = Annotated[Principal, allow(Action.MANAGE_ALERTS)]


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep, principal: Manager) -> HTMLResponse:
    return render(
        request,
        "alerts.html",
        principal,
        rules=[AlertRuleRead.of(rule) for rule in alert_views.list_rules(session)],
        deliveries=alert_views.list_deliveries(session, limit=50),
        kinds=[(kind.value, KIND_LABELS[kind]) for kind in MECHANISM_KINDS],
        channels=[channel.value for channel in Channel],
    )


@router.post("/alerts/rules")
def rule_submit(
    runtime: RuntimeDep,
    principal: Manager,
    name: Annotated[str, Form(max_length=500)],
    kind: Annotated[str, Form(max_length=60)],
    channel: Annotated[str, Form(max_length=20)],
    target: Annotated[str, Form(max_length=2100)],
    threshold: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    body = AlertRuleCreate(
        name=name, kind=kind, channel=channel, target=target, threshold=parse_threshold(threshold)
    )
    with runtime.transaction() as session:
        flow.create_rule(session, rule_in=body, author=principal.username, now=now_utc())
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/rules/{rule_id}/disable")
def rule_disable(rule_id: str, runtime: RuntimeDep, principal: Manager) -> RedirectResponse:
    with runtime.transaction() as session:
        flow.disable_rule(session, rule_id=rule_id, author=principal.username, now=now_utc())
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/run")
def run_submit(runtime: RuntimeDep, principal: Manager) -> RedirectResponse:
    with runtime.transaction() as session:
        flow.run_alerts(session, runtime.scenario, runtime.settings, now=now_utc(), author=principal.username)
    return RedirectResponse("/alerts#deliveries", status_code=303)
