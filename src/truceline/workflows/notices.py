"""Notices to the parties: the accused party is told of a complaint and its reply deadline, reminded a day
before that deadline, and reads them in its inbox.

A notice is a record with its ledger entry, written in the same transaction as the act that calls for it (the
complaint), so a complaint never stands without its notice, and a party cannot later deny it was notified;
marking a notice read is a receipt record of its own. Delivery beyond the inbox goes through the alert
transports (webhook, e-mail): a party's liaison registers where its party's notices go
(`add_notice_delivery`, an alert rule of kind `party_notice`), and `truceline alerts run` sends them and
writes the reminders that have come due (workflows.alerts).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.alerts import service as alerts_service
from truceline.alerts.models import AlertRule
from truceline.alerts.rules import AlertKind
from truceline.alerts.schemas import AlertRuleCreate
from truceline.complaints import service as complaints_service
from truceline.complaints.models import Complaint
from truceline.complaints.rules import reply_deadline
from truceline.errors import NotFound
from truceline.notices import service as notices_service
from truceline.notices.models import Notice
from truceline.notices.rules import (
    REMINDER_LEAD,
    NoticeKind,
    complaint_filed_text,
    is_reminder_due,
    reminder_text,
)
from truceline.notices.schemas import NoticeDeliveryIn
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, require
from truceline.views.notices import InboxItem, list_notice_deliveries
from truceline.wording import clauses_words, party_name

NOTICES_AUTHOR = "system:notices"


def notify_complaint_filed(
    session: Session, scenario: Scenario, complaint: Complaint, *, now: datetime
) -> Notice:
    """Tell the accused party of the complaint and when its reply window closes."""
    return _notify_accused(session, scenario, complaint, kind=NoticeKind.COMPLAINT_FILED, now=now)


def write_due_reminders(session: Session, scenario: Scenario, *, now: datetime) -> list[Notice]:
    """A reminder to each accused party whose reply window closes within a day, without a reply on record
    and not yet reminded. Run by every `truceline alerts run` (every few minutes from cron)."""
    window = timedelta(days=scenario.reply_window_days)
    query = select(Complaint).where(
        Complaint.created_at > now - window, Complaint.created_at <= now - window + REMINDER_LEAD
    )
    written = []
    for complaint in session.scalars(query.order_by(Complaint.created_at, Complaint.id)):
        due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
        if not is_reminder_due(due, now=now):
            continue
        if complaints_service.find_current_response(session, complaint.id) is not None:
            continue
        if notices_service.find_notice(session, complaint_id=complaint.id, kind=NoticeKind.REPLY_REMINDER):
            continue
        written.append(_notify_accused(session, scenario, complaint, kind=NoticeKind.REPLY_REMINDER, now=now))
    return written


def _notify_accused(
    session: Session, scenario: Scenario, complaint: Complaint, *, kind: NoticeKind, now: datetime
) -> Notice:
    due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
    complainant = party_name(scenario, complaint.complainant_party) or complaint.complainant_party
    accused = party_name(scenario, complaint.accused_party) or complaint.accused_party
    if kind is NoticeKind.COMPLAINT_FILED:
        subject, body = complaint_filed_text(
            complaint_id=complaint.id,
            complainant=complainant,
            accused=accused,
            clauses=clauses_words(scenario, complaint.clause_ids),
            filed_at=complaint.created_at,
            due_at=due,
        )
    else:
        subject, body = reminder_text(
            complaint_id=complaint.id, complainant=complainant, accused=accused, due_at=due
        )
    return notices_service.add_notice(
        session,
        party=complaint.accused_party,
        kind=kind,
        subject=subject,
        body=body,
        complaint_id=complaint.id,
        due_at=due,
        author=NOTICES_AUTHOR,
        now=now,
    )


def mark_read(session: Session, *, principal: Principal, notice_id: str, now: datetime) -> InboxItem:
    receipt = notices_service.mark_read(session, principal=principal, notice_id=notice_id, now=now)
    return InboxItem(notices_service.read_notice(session, principal=principal, notice_id=notice_id), receipt)


def add_notice_delivery(
    session: Session, *, principal: Principal, delivery_in: NoticeDeliveryIn, now: datetime
) -> AlertRule:
    """A party's liaison has its party's notices sent to a webhook or a mailbox from now on."""
    require(principal, Action.MANAGE_NOTICE_DELIVERY, {"party": principal.party})
    rule_in = AlertRuleCreate(
        name=f"Notices to {principal.party} by {delivery_in.channel}",
        kind=AlertKind.PARTY_NOTICE.value,
        channel=delivery_in.channel,
        target=delivery_in.target,
    )
    return alerts_service.create_rule(
        session, rule_in=rule_in, author=principal.username, now=now, by_party=True
    )


def disable_notice_delivery(
    session: Session, *, principal: Principal, rule_id: str, now: datetime
) -> AlertRule:
    """Stop a delivery of the principal's party's notices (NotFound for any other rule)."""
    rule = alerts_service.get_rule(session, rule_id)
    if rule.id not in {r.id for r in list_notice_deliveries(session, principal=principal)}:
        raise NotFound("notice delivery", rule_id)
    return alerts_service.disable_rule(session, rule_id=rule.id, author=principal.username, now=now)
