"""Builders for alert tests: rules made through the service, and worlds that hold each kind of event."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.builders import NOW
from tests.cases.world import World, adopt_a_finding, file_a_complaint, open_investigation
from truceline.alerts import service
from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.alerts.schemas import AlertRuleCreate
from truceline.config import Settings
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import add_record
from truceline.runtime import Runtime

# Rules are made a day before the world's records, so every event in it is one they watch for.
BEFORE = NOW - timedelta(days=1)


def add_rule(
    runtime: Runtime,
    *,
    kind: str,
    channel: str,
    target: str,
    threshold: int | None = None,
    name: str = "Desk",
    now: datetime = BEFORE,
) -> AlertRule:
    rule_in = AlertRuleCreate(name=name, kind=kind, channel=channel, target=target, threshold=threshold)
    with runtime.transaction() as session:
        return service.create_rule(session, rule_in=rule_in, author="test", now=now)


def with_smtp(settings: Settings, port: int) -> Settings:
    return settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "webhook_timeout_s": 3.0})


def add_incident(
    session: Session,
    incident_id: str,
    *,
    killed: int,
    day: date = date(2025, 10, 25),
    supersedes: str | None = None,
    title: str = "Shelling near Torkham",
    now: datetime = NOW,
) -> Incident:
    """A current incident; its member claim (the builders' doc-1-c1) need not be stored for the desk."""
    incident = Incident(
        id=incident_id,
        created_at=now,
        created_by="test",
        supersedes_id=supersedes,
        title=title,
        event_type="Explosions/Remote violence",
        sub_event_type="Shelling/artillery/missile attack",
        process_type=None,
        date_start=day,
        date_end=day,
        actors=["Military Forces of Pakistan"],
        location={"name": "Torkham", "country": "AF", "lat": 34.1, "lon": 71.1, "geo_precision": 1},
        fatalities={"best": killed, "low": killed, "high": killed},
        claim_ids=["doc-1-c1"],
        independent_sources=2,
        corroboration=0.7,
        reasons=[],
    )
    add_record(session, incident, author="test", now=now)
    return incident


def decide_finding(world: World, *, verdict: str = "violation_confirmed", adopt: bool = True) -> str:
    """A complaint on inc-1, a case, and a finding proposed (and, with `adopt`, signed and adopted)."""
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    changes: dict[str, object] = {"verdict": verdict}
    if verdict != "violation_confirmed":
        changes.update(responsible_party=None, responsibility=None, clause_ids=[])
    return adopt_a_finding(world, case_id, now=NOW + timedelta(days=1), adopt=adopt, **changes)


def ledger_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerEntryRow)) or 0


def deliveries(runtime: Runtime) -> list[AlertDelivery]:
    with runtime.sessions() as session:
        return service.list_deliveries(session)
