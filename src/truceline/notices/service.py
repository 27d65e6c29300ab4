"""Notice use cases: write a notice to a party, list a party's inbox, mark a notice read.

Each takes the caller's session, writes every record with its ledger entry and flushes, never commits. Reading
and marking go through the access policy: a party reads and acknowledges its own notices; the secretariat
reads every notice and receipt (it must be able to show that a party was told), and marks none.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from truceline.errors import NotFound
from truceline.ledger.service import add_record
from truceline.notices.models import Notice, NoticeReceipt
from truceline.users.rules import Action, Principal, can, require, scopes_for


def add_notice(
    session: Session,
    *,
    party: str,
    kind: str,
    subject: str,
    body: str,
    complaint_id: str | None,
    due_at: datetime | None,
    author: str,
    now: datetime,
) -> Notice:
    notice = Notice(
        id=f"ntc-{uuid.uuid4().hex[:12]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        party=party,
        kind=kind,
        complaint_id=complaint_id,
        subject=subject,
        body=body,
        due_at=due_at,
    )
    add_record(session, notice, author=author, now=now)
    return notice


def find_notice(session: Session, *, complaint_id: str, kind: str) -> Notice | None:
    query = select(Notice).where(Notice.complaint_id == complaint_id, Notice.kind == kind).limit(1)
    return session.scalars(query).first()


def read_notice(session: Session, *, principal: Principal, notice_id: str) -> Notice:
    """The notice, if the principal may read it; NotFound otherwise (not even its existence leaks)."""
    notice = session.get(Notice, notice_id)
    if notice is None or not can(principal, Action.READ_NOTICE, notice):
        raise NotFound("notice", notice_id)
    return notice


def list_notices(
    session: Session,
    *,
    principal: Principal,
    is_unread: bool | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Notice]:
    """The notices the principal may read, newest first; `is_unread` keeps only unread (or read) ones."""
    query = select(Notice)
    if not can(principal, Action.READ_NOTICE):  # a party: its own
        if not scopes_for(principal.role, Action.READ_NOTICE) or principal.party is None:
            return []
        query = query.where(Notice.party == principal.party)
    if is_unread is not None:
        receipt = exists().where(NoticeReceipt.notice_id == Notice.id)
        query = query.where(~receipt if is_unread else receipt)
    query = query.order_by(Notice.created_at.desc(), Notice.id).limit(limit).offset(offset)
    return [n for n in session.scalars(query) if can(principal, Action.READ_NOTICE, n)]


def count_unread(session: Session, *, party: str) -> int:
    receipt = exists().where(NoticeReceipt.notice_id == Notice.id)
    query = select(func.count(Notice.id)).where(Notice.party == party, ~receipt)
    return session.scalar(query) or 0


def first_receipts(session: Session, notice_ids: list[str]) -> dict[str, NoticeReceipt]:
    """notice id -> the first receipt of it, for the notices that have one."""
    if not notice_ids:
        return {}
    query = (
        select(NoticeReceipt)
        .where(NoticeReceipt.notice_id.in_(notice_ids))
        .order_by(NoticeReceipt.created_at, NoticeReceipt.id)
    )
    found: dict[str, NoticeReceipt] = {}
    for receipt in session.scalars(query):
        found.setdefault(receipt.notice_id, receipt)
    return found


def mark_read(session: Session, *, principal: Principal, notice_id: str, now: datetime) -> NoticeReceipt:
    """A liaison of the notice's party marks it read: a receipt record, once (a second call returns it)."""
    notice = read_notice(session, principal=principal, notice_id=notice_id)
    require(principal, Action.MARK_NOTICE_READ, notice)
    existing = first_receipts(session, [notice.id]).get(notice.id)
    if existing is not None:
        return existing
    receipt = NoticeReceipt(
        id=f"rcp-{uuid.uuid4().hex[:12]}",
        created_at=now,
        created_by=principal.username,
        supersedes_id=None,
        notice_id=notice.id,
        reader=principal.username,
    )
    add_record(session, receipt, author=principal.username, now=now)
    return receipt
