"""A party's inbox: the notices a principal may read with their first receipt, the unread count, and where a
party's notices are delivered. Read-only (marking a notice read is a write: `workflows.notices.mark_read`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from truceline.alerts import service as alerts_service
from truceline.alerts.models import AlertRule
from truceline.alerts.rules import AlertKind
from truceline.notices import service as notices_service
from truceline.notices.models import Notice, NoticeReceipt
from truceline.notices.schemas import NoticeRead
from truceline.users.rules import Action, Principal, can, require
from truceline.users.service import find_user


@dataclass(frozen=True, slots=True)
class InboxItem:
    notice: Notice
    receipt: NoticeReceipt | None  # the first time a liaison of the party marked it read

    @property
    def is_read(self) -> bool:
        return self.receipt is not None


def inbox(session: Session, *, principal: Principal, is_unread: bool | None = None) -> list[InboxItem]:
    """The notices the principal may read (a party: its own; the secretariat: all), newest first."""
    found = notices_service.list_notices(session, principal=principal, is_unread=is_unread)
    receipts = notices_service.first_receipts(session, [n.id for n in found])
    return [InboxItem(n, receipts.get(n.id)) for n in found]


def unread_count(session: Session, principal: Principal) -> int | None:
    """How many of its party's notices are unread, for a party's liaison; None for everyone else."""
    if principal.party is None or not can(principal, Action.READ_NOTICE, {"party": principal.party}):
        return None
    return notices_service.count_unread(session, party=principal.party)


def read_notice_item(session: Session, *, principal: Principal, notice_id: str) -> InboxItem:
    notice = notices_service.read_notice(session, principal=principal, notice_id=notice_id)
    return InboxItem(notice, notices_service.first_receipts(session, [notice.id]).get(notice.id))


def notice_read(item: InboxItem) -> NoticeRead:
    notice, receipt = item.notice, item.receipt
    return NoticeRead(
        id=notice.id,
        party=notice.party,
        kind=notice.kind,
        complaint_id=notice.complaint_id,
        subject=notice.subject,
        body=notice.body,
        due_at=notice.due_at,
        created_at=notice.created_at,
        read_at=None if receipt is None else receipt.created_at,
        read_by=None if receipt is None else receipt.reader,
    )


def party_of_rule(session: Session, rule: AlertRule) -> str | None:
    """The party whose notices a `party_notice` rule delivers: its author's, while the account is active."""
    user = find_user(session, rule.created_by)
    return user.party if user is not None and user.is_active else None


def list_notice_deliveries(session: Session, *, principal: Principal) -> list[AlertRule]:
    """The active rules that deliver the principal's party's notices (made by any liaison of the party)."""
    require(principal, Action.MANAGE_NOTICE_DELIVERY, {"party": principal.party})
    return [
        rule
        for rule in alerts_service.list_rules(session, is_active=True)
        if rule.kind == AlertKind.PARTY_NOTICE and party_of_rule(session, rule) == principal.party
    ]
