"""Alert rule and alert delivery tables."""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from truceline.db.base import Record


class AlertRule(Record):
    """What to watch for and where to send it; disabling is a new version (`alr-x.v2`) superseding it."""

    __tablename__ = "alert_rules"

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(40))
    threshold: Mapped[int | None]
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(2000))
    is_active: Mapped[bool]


class AlertDelivery(Record):
    """One attempt to send one event of one rule (`rule_id` is the rule's base id), and how it went."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_rule_id_event_key", "rule_id", "event_key"),)

    rule_id: Mapped[str] = mapped_column(String(80))
    event_key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(2000))
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text)
    attempt: Mapped[int]
