"""Notices to the parties (JSON API): the inbox, marking read, where a party's notices are delivered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from truceline.alerts.schemas import AlertRuleRead
from truceline.notices.schemas import NoticeDeliveryIn, NoticeRead
from truceline.users.rules import Action, Principal
from truceline.views import notices as inbox_views
from truceline.web.deps import RuntimeDep, SessionDep, allow, now_utc
from truceline.workflows import notices as flow

router = APIRouter(prefix="/notices", tags=["notices"])
Reader = Annotated[Principal, allow(Action.READ_NOTICE)]
Liaison = Annotated[Principal, allow(Action.MANAGE_NOTICE_DELIVERY)]


@router.get("", response_model=list[NoticeRead])
def list_notices(session: SessionDep, principal: Reader, unread: bool | None = None) -> list[NoticeRead]:
    """The caller's notices (a party: its own; the secretariat: every party's), newest first;
    `unread=true` for those no liaison of the party has marked read."""
    return [
        inbox_views.notice_read(item)
        for item in inbox_views.inbox(session, principal=principal, is_unread=unread)
    ]


@router.get("/deliveries", response_model=list[AlertRuleRead])
def list_deliveries(session: SessionDep, principal: Liaison) -> list[AlertRuleRead]:
    """Where the caller's party's notices are sent besides its inbox (alert rules of kind party_notice)."""
    return [
        AlertRuleRead.of(rule) for rule in inbox_views.list_notice_deliveries(session, principal=principal)
    ]


@router.post("/deliveries", response_model=AlertRuleRead, status_code=201)
def add_delivery(body: NoticeDeliveryIn, runtime: RuntimeDep, principal: Liaison) -> AlertRuleRead:
    """Send the party's notices from now on to a webhook or a mailbox (by `truceline alerts run`)."""
    with runtime.transaction() as session:
        rule = flow.add_notice_delivery(session, principal=principal, delivery_in=body, now=now_utc())
        return AlertRuleRead.of(rule)


@router.post("/deliveries/{rule_id}/disable", response_model=AlertRuleRead)
def disable_delivery(rule_id: str, runtime: RuntimeDep, principal: Liaison) -> AlertRuleRead:
    with runtime.transaction() as session:
        rule = flow.disable_notice_delivery(session, principal=principal, rule_id=rule_id, now=now_utc())
        return AlertRuleRead.of(rule)


@router.get("/{notice_id}", response_model=NoticeRead)
def get_notice(notice_id: str, session: SessionDep, principal: Reader) -> NoticeRead:
    return inbox_views.notice_read(
        inbox_views.read_notice_item(session, principal=principal, notice_id=notice_id)
    )


@router.post("/{notice_id}/read", response_model=NoticeRead)
def mark_read(
    notice_id: str, runtime: RuntimeDep, principal: Annotated[Principal, allow(Action.MARK_NOTICE_READ)]
) -> NoticeRead:
    """Mark the notice read (a liaison of its party): a ledgered receipt, once; a repeat changes nothing."""
    with runtime.transaction() as session:
        return inbox_views.notice_read(
            flow.mark_read(session, principal=principal, notice_id=notice_id, now=now_utc())
        )
