"""The notices inbox: a party's notices and their deadlines, marking them read, where they are sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from truceline.notices.schemas import NoticeDeliveryIn
from truceline.users.rules import Action, Principal, can
from truceline.views import notices as inbox_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.web.pages.rendering import render
from truceline.workflows import notices as flow

router = APIRouter(include_in_schema=False)


@router.get("/notices", response_class=HTMLResponse)
def inbox_page(
    request: Request, session: SessionDep, principal: Annotated[Principal, allow(Action.READ_NOTICE)]
) -> HTMLResponse:
    items = inbox_views.inbox(session, principal=principal)
    liaison = can(principal, Action.MANAGE_NOTICE_DELIVERY, {"party": principal.party})
    deliveries = inbox_views.list_notice_deliveries(session, principal=principal) if liaison else None
    return render(request, "notices.html", principal, items=items, deliveries=deliveries, now=now_utc())


@router.post("/notices/{notice_id}/read")
def mark_read_submit(
    notice_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.MARK_NOTICE_READ)]
) -> RedirectResponse:
    with runtime.transaction() as session:
        flow.mark_read(session, principal=principal, notice_id=notice_id, now=now_utc())
    return RedirectResponse("/notices", status_code=303)


@router.post("/notices/deliveries")
def delivery_submit(
    runtime: RuntimeDep,
    principal: Annotated[Principal, allow(Action.MANAGE_NOTICE_DELIVERY)],
    channel: Annotated[str, Form(max_length=10)],
    target: Annotated[str, Form(max_length=2000)],
) -> RedirectResponse:
    body = NoticeDeliveryIn(channel=channel, target=target)
    with runtime.transaction() as session:
        flow.add_notice_delivery(session, principal=principal, delivery_in=body, now=now_utc())
    return RedirectResponse("/notices", status_code=303)


@router.post("/notices/deliveries/{rule_id}/disable")
def delivery_disable_submit(
    rule_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.MANAGE_NOTICE_DELIVERY)]
) -> RedirectResponse:
    with runtime.transaction() as session:
        flow.disable_notice_delivery(session, principal=principal, rule_id=rule_id, now=now_utc())
    return RedirectResponse("/notices", status_code=303)
