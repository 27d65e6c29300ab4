"""Alert shapes at the edges (API, CLI): a new rule as typed, and rules and deliveries as read back."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.db.versions import base_id


class AlertRuleCreate(BaseModel):
    """A new rule as typed; `alerts.rules.check_rule` checks every value, with one-line messages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="a short name for the rule (at most 120 characters)")
    kind: str = Field(
        description="confirmed_violation, fatalities_at_least, escalation_rises or reply_deadline_passed"
    )
    channel: str = Field(description="webhook or email")
    target: str = Field(description="an http(s) URL (webhook) or an e-mail address (email)")
    threshold: int | None = Field(default=None, description="the number killed; fatalities_at_least only")


class AlertRuleRead(BaseModel):
    id: str
    version_id: str
    name: str
    kind: str
    threshold: int | None
    channel: str
    target: str
    is_active: bool
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, rule: AlertRule) -> AlertRuleRead:
        return cls(
            id=base_id(rule.id),
            version_id=rule.id,
            name=rule.name,
            kind=rule.kind,
            threshold=rule.threshold,
            channel=rule.channel,
            target=rule.target,
            is_active=rule.is_active,
            created_at=rule.created_at,
            created_by=rule.created_by,
        )


class AlertDeliveryRead(BaseModel):
    id: str
    rule_id: str
    event_key: str
    subject: str
    channel: str
    target: str
    outcome: str
    detail: str
    attempt: int
    created_at: datetime

    @classmethod
    def of(cls, delivery: AlertDelivery) -> AlertDeliveryRead:
        return cls(
            id=delivery.id,
            rule_id=delivery.rule_id,
            event_key=delivery.event_key,
            subject=delivery.subject,
            channel=delivery.channel,
            target=delivery.target,
            outcome=delivery.outcome,
            detail=delivery.detail,
            attempt=delivery.attempt,
            created_at=delivery.created_at,
        )
