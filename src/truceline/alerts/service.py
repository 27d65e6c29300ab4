"""Alert use cases on the database: create, read and disable rules; record and read deliveries.

Rules are versioned like cases (`alr-x`, `alr-x.v2`, ...): disabling writes a new version superseding the
last, and every function that takes a rule id accepts any of its version ids and means the newest.
Deliveries name the rule by its base id. Every write is ledgered with `add_record`; nothing here commits.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.alerts.rules import Outcome, check_rule, scrub
from truceline.alerts.schemas import AlertRuleCreate
from truceline.db.versions import base_id, latest_of, next_version_id
from truceline.errors import Conflict, NotFound
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record

log = logging.getLogger(__name__)


def create_rule(
    session: Session, *, rule_in: AlertRuleCreate, author: str, now: datetime, by_party: bool = False
) -> AlertRule:
    """Check every field (InvalidInput, nothing written) and store the rule, active. `by_party`: `author` is
    a party's liaison, and the rule delivers that party's notices (`party_notice`)."""
    fields = check_rule(
        name=rule_in.name,
        kind=rule_in.kind,
        channel=rule_in.channel,
        target=rule_in.target,
        threshold=rule_in.threshold,
        by_party=by_party,
    )
    rule = AlertRule(
        id=f"alr-{uuid.uuid4().hex[:12]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        name=fields.name,
        kind=fields.kind.value,
        threshold=fields.threshold,
        channel=fields.channel.value,
        target=fields.target,
        is_active=True,
    )
    add_record(session, rule, author=author, now=now)
    log.info("alert rule %s (%s by %s) created by %s", rule.id, rule.kind, rule.channel, author)
    return rule


def _latest_by_base(rules: Iterable[AlertRule]) -> dict[str, AlertRule]:
    latest: dict[str, AlertRule] = latest_of(rules)
    return latest


def get_rule(session: Session, rule_id: str) -> AlertRule:
    """The newest version of the rule, given any of its version ids; NotFound otherwise."""
    base = base_id(rule_id.strip())
    query = select(AlertRule).where(
        (AlertRule.id == base) | AlertRule.id.startswith(f"{base}.v", autoescape=True)
    )
    latest = _latest_by_base(session.scalars(query)).get(base)
    if latest is None:
        raise NotFound("alert rule", rule_id)
    return latest


def list_rules(session: Session, *, is_active: bool | None = None) -> list[AlertRule]:
    """The newest version of every rule (optionally only active or only disabled ones), oldest rule first."""
    rows = list(session.scalars(select(AlertRule)))
    first_created: dict[str, datetime] = {}
    for row in rows:
        key = base_id(row.id)
        first_created[key] = min(first_created.get(key, row.created_at), row.created_at)
    latest = _latest_by_base(rows).values()
    rules = [r for r in latest if is_active is None or r.is_active == is_active]
    return sorted(rules, key=lambda r: (first_created[base_id(r.id)], base_id(r.id)))


def disable_rule(session: Session, *, rule_id: str, author: str, now: datetime) -> AlertRule:
    """A new version of the rule, inactive, superseding the current one; Conflict when already disabled."""
    current = get_rule(session, rule_id)
    if not current.is_active:
        raise Conflict(f"alert rule {base_id(current.id)} is already disabled")
    disabled = AlertRule(
        id=next_version_id(current.id),
        created_at=now,
        created_by=author,
        supersedes_id=current.id,
        name=current.name,
        kind=current.kind,
        threshold=current.threshold,
        channel=current.channel,
        target=current.target,
        is_active=False,
    )
    add_record(session, disabled, author=author, now=now)
    log.info("alert rule %s disabled by %s", base_id(current.id), author)
    return disabled


# --- deliveries ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventHistory:
    """What happened so far to one (rule, event key): delivered once, or how many attempts failed."""

    is_delivered: bool
    failed_attempts: int


def event_history(session: Session, rule_ids: Iterable[str]) -> dict[tuple[str, str], EventHistory]:
    """(rule base id, event key) -> its history, for every event these rules ever tried to deliver."""
    bases = sorted({base_id(r) for r in rule_ids})
    if not bases:
        return {}
    query = select(AlertDelivery.rule_id, AlertDelivery.event_key, AlertDelivery.outcome).where(
        AlertDelivery.rule_id.in_(bases)
    )
    delivered: set[tuple[str, str]] = set()
    failed: dict[tuple[str, str], int] = {}
    for row in session.execute(query):
        key = (str(row.rule_id), str(row.event_key))
        if row.outcome == Outcome.DELIVERED:
            delivered.add(key)
        else:
            failed[key] = failed.get(key, 0) + 1
    return {key: EventHistory(key in delivered, failed.get(key, 0)) for key in delivered | set(failed)}


def record_delivery(
    session: Session,
    *,
    rule: AlertRule,
    event_key: str,
    subject: str,
    body: str,
    is_delivered: bool,
    detail: str,
    attempt: int,
    author: str,
    now: datetime,
) -> AlertDelivery:
    """Ledger one delivery attempt and its outcome."""
    delivery = AlertDelivery(
        id=f"dlv-{uuid.uuid4().hex[:16]}",
        created_at=now,
        created_by=author,
        supersedes_id=None,
        rule_id=base_id(rule.id),
        event_key=event_key,
        subject=subject,
        body=body,
        channel=rule.channel,
        target=rule.target,
        outcome=(Outcome.DELIVERED if is_delivered else Outcome.FAILED).value,
        detail=scrub(detail),
        attempt=attempt,
    )
    add_record(session, delivery, author=author, now=now)
    return delivery


def list_deliveries(session: Session, *, rule_id: str | None = None, limit: int = 100) -> list[AlertDelivery]:
    """Deliveries, the most recently recorded first (in ledger order: one run's deliveries share a time)."""
    query = select(AlertDelivery).join(
        LedgerEntryRow,
        (LedgerEntryRow.record_id == AlertDelivery.id) & (LedgerEntryRow.kind == AlertDelivery.ledger_kind()),
    )
    if rule_id is not None:
        query = query.where(AlertDelivery.rule_id == base_id(rule_id.strip()))
    return list(session.scalars(query.order_by(LedgerEntryRow.seq.desc()).limit(max(1, min(limit, 1000)))))
