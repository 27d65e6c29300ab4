"""Alert rules and their deliveries (JSON API)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from truceline.alerts.schemas import AlertDeliveryRead, AlertRuleCreate, AlertRuleRead
from truceline.users.rules import Action, Principal
from truceline.views import alerts as alert_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.workflows import alerts as flow

router = APIRouter(prefix="/alerts", tags=["alerts"])
Manager = Annotated[Principal, allow(Action.MANAGE_ALERTS)]


@router.get("/rules", response_model=list[AlertRuleRead])
def list_rules(session: SessionDep, principal: Manager) -> list[AlertRuleRead]:
    return [AlertRuleRead.of(rule) for rule in alert_views.list_rules(session)]


@router.post("/rules", response_model=AlertRuleRead, status_code=201)
def create_rule(body: AlertRuleCreate, runtime: RuntimeDep, principal: Manager) -> AlertRuleRead:
    with runtime.transaction() as session:
        rule = flow.create_rule(session, rule_in=body, author=principal.username, now=now_utc())
        return AlertRuleRead.of(rule)


@router.post("/rules/{rule_id}/disable", response_model=AlertRuleRead)
def disable_rule(rule_id: str, runtime: RuntimeDep, principal: Manager) -> AlertRuleRead:
    with runtime.transaction() as session:
        rule = flow.disable_rule(session, rule_id=rule_id, author=principal.username, now=now_utc())
        return AlertRuleRead.of(rule)


@router.get("/deliveries", response_model=list[AlertDeliveryRead])
def list_deliveries(
    session: SessionDep,
    principal: Manager,
    rule_id: Annotated[str | None, Query(max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertDeliveryRead]:
    found = alert_views.list_deliveries(session, rule_id=rule_id or None, limit=limit)
    return [AlertDeliveryRead.of(d) for d in found]


@router.post("/run")
def run_alerts(runtime: RuntimeDep, principal: Manager) -> dict[str, Any]:
    """Check every active rule once, send what is new, and return each delivery with its outcome."""
    with runtime.transaction() as session:
        found = flow.run_alerts(
            session, runtime.scenario, runtime.settings, now=now_utc(), author=principal.username
        )
        deliveries = [AlertDeliveryRead.of(d).model_dump(mode="json") for d in found]
    return {"deliveries": deliveries, "failed": sum(1 for d in deliveries if d["outcome"] != "delivered")}
