"""Running the alert rules: what each active rule finds in the record, sending it, recording each delivery.

A rule watches from the moment it is created: it reports findings adopted, incidents recorded or revised and
reply deadlines passed since then (so a new rule does not flood its target with history), and escalation rises
of the run's day. Each event has a stable key; a key a rule delivered once is never sent again, and a failed
one is retried on the next run (attempt + 1) until `MAX_ATTEMPTS` attempts have failed.

Deliveries are sent first and recorded after, all in the caller's transaction: no database lock is held while
a slow target answers. If that transaction then fails, the next run sends again (at least once, never lost).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.alerts import service as alerts_service
from truceline.alerts.models import AlertDelivery, AlertRule
from truceline.alerts.rules import MAX_ATTEMPTS, MAX_SUBJECT_CHARS, AlertKind, Channel, Outcome, one_line

# Rule changes are one service step each: imported here as the alert acts web and CLI call.
from truceline.alerts.service import create_rule as create_rule
from truceline.alerts.service import disable_rule as disable_rule
from truceline.alerts.transports import Sent, SmtpConfig, send_email, send_webhook
from truceline.cases.models import Finding
from truceline.cases.rules import FindingStatus, Verdict
from truceline.complaints.models import Complaint, Response
from truceline.complaints.rules import reply_deadline
from truceline.config import Settings
from truceline.db.versions import base_id, version_of
from truceline.incidents.models import Incident
from truceline.ledger.encoding import format_time
from truceline.notices.models import Notice
from truceline.scenarios.schema import Scenario
from truceline.views import ceasefire, incidents
from truceline.views import notices as inbox_views
from truceline.wording import fatalities_words
from truceline.workflows import notices

log = logging.getLogger(__name__)

ALERTS_AUTHOR = "alerts"
ADOPTED = (FindingStatus.ADOPTED.value, FindingStatus.PUBLISHED.value)


@dataclass(frozen=True, slots=True)
class Happening:
    """Something a rule kind looks for, found in the record: its stable key and what the alert says."""

    key: str
    subject: str
    body: str
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One happening to send for one rule, with the attempt number this delivery will be."""

    rule: AlertRule
    event_key: str
    subject: str
    body: str
    links: tuple[str, ...]
    attempt: int

    def payload(self, scenario: Scenario, *, now: datetime) -> dict[str, Any]:
        """The webhook's JSON body (docs/alerts.md, "Webhook payload")."""
        return {
            "source": "truceline",
            "scenario": scenario.id,
            "rule": {
                "id": base_id(self.rule.id),
                "name": self.rule.name,
                "kind": self.rule.kind,
                "threshold": self.rule.threshold,
            },
            "event_key": self.event_key,
            "attempt": self.attempt,
            "subject": self.subject,
            "body": self.body,
            "links": list(self.links),
            "sent_at": format_time(now),
        }


@dataclass
class _Record:
    """What the rules read, each loaded once per run and only when some rule needs it."""

    session: Session
    scenario: Scenario
    now: datetime
    _cache: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, load: Callable[[], Any]) -> Any:
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]


def _party(scenario: Scenario, party_id: str | None) -> str:
    if party_id is None:
        return "no party"
    return next((f"{p.name} ({p.id})" for p in scenario.parties if p.id == party_id), party_id)


# --- what each kind of rule looks for --------------------------------------------------------------------


def _confirmed_violations(record: _Record, since: datetime) -> list[Happening]:
    """Findings confirming a violation adopted (or published) since `since`, keyed by their base id."""
    rows = record.once(
        "findings",
        lambda: list(
            record.session.scalars(
                select(Finding).where(
                    Finding.verdict == Verdict.VIOLATION_CONFIRMED.value, Finding.status.in_(ADOPTED)
                )
            )
        ),
    )
    adopted: dict[str, Finding] = {}
    for finding in sorted(rows, key=lambda f: version_of(f.id)):
        adopted.setdefault(base_id(finding.id), finding)  # the version that adopted it
    found = []
    for base, finding in sorted(adopted.items()):
        if finding.created_at < since:
            continue
        clauses = ", ".join(str(c) for c in finding.clause_ids) or "none named"
        party = _party(record.scenario, finding.responsible_party)
        found.append(
            Happening(
                key=f"finding:{base}",
                subject=f"Confirmed violation by {party}: finding {base}",
                body="\n".join(
                    [
                        f"The mechanism adopted finding {base} on case {base_id(finding.case_id)}: "
                        "violation confirmed.",
                        f"Responsible: {party}"
                        + (f" ({finding.responsibility})" if finding.responsibility else ""),
                        f"Clauses breached: {clauses}",
                        f"Confidence: {finding.confidence}",
                        f"Adopted: {format_time(finding.created_at)}",
                    ]
                ),
                links=(f"/findings/{base}", f"/cases/{base_id(finding.case_id)}"),
            )
        )
    return found


def _incident_versions(record: _Record) -> tuple[dict[str, str | None], dict[str, datetime]]:
    """incident id -> the id it supersedes, and -> when that version was recorded."""

    def load() -> tuple[dict[str, str | None], dict[str, datetime]]:
        rows = record.session.execute(select(Incident.id, Incident.supersedes_id, Incident.created_at)).all()
        return {r.id: r.supersedes_id for r in rows}, {r.id: r.created_at for r in rows}

    versions: tuple[dict[str, str | None], dict[str, datetime]] = record.once("incident_versions", load)
    return versions


def _root(incident_id: str, parent: dict[str, str | None]) -> str:
    """The first version of an incident: where its chain of `supersedes_id` starts."""
    seen = {incident_id}
    while (previous := parent.get(incident_id)) and previous not in seen:
        seen.add(previous)
        incident_id = previous
    return incident_id


def _fatalities_at_least(record: _Record, since: datetime, threshold: int) -> list[Happening]:
    """Current incidents with at least `threshold` killed recorded or revised since `since`."""
    points: list[incidents.IncidentPoint] = record.once(
        "points", lambda: incidents.incident_points(record.session, record.scenario)
    )
    parent, recorded = _incident_versions(record)
    found = []
    for point in points:
        if (point.fatalities_best or 0) < threshold or recorded.get(point.id, since) < since:
            continue
        root = _root(point.id, parent)
        where = (
            ", ".join(part for part in (point.place, point.admin1, point.country) if part) or "place unknown"
        )
        found.append(
            Happening(
                key=f"incident:{root}",
                subject=f"{point.fatalities_best} killed: {one_line(point.title, limit=120)}",
                body="\n".join(
                    [
                        f"Incident {point.id}: {one_line(point.title)}",
                        f"Date: {point.date_start or 'unknown'}; place: {where}",
                        f"Type: {point.event_type} / {point.sub_event_type}",
                        "Reported killed: "
                        + fatalities_words(point.fatalities_best, point.fatalities_low, point.fatalities_high)
                        + f"; at least {threshold} triggers this rule",
                        f"Independent sources: {point.independent_sources}; "
                        f"status: {point.status.replace('_', ' ')}",
                    ]
                ),
                links=(f"/incidents/{point.id}",),
            )
        )
    return found


def _escalation_rises(record: _Record) -> list[Happening]:
    """The escalation level of the run's day, when it is above the day before's."""
    today = record.now.date()

    def load() -> tuple[ceasefire.Escalation, ceasefire.Escalation]:
        before = ceasefire.escalation(record.session, record.scenario, at=today - timedelta(days=1))
        return before, ceasefire.escalation(record.session, record.scenario, at=today)

    before, now = record.once("escalation", load)
    if now.level <= before.level:
        return []
    parts = [f"- {p.label}: {p.value:.2f} × weight {p.weight:g} ({p.detail})" for p in now.parts]
    return [
        Happening(
            key=f"escalation:{today.isoformat()}:{now.level}",
            subject=(
                f"Escalation rose to level {now.level} ({now.label}) from {before.level} ({before.label})"
            ),
            body="\n".join(
                [
                    f"Escalation index on {today}: {now.score:g} of 100, level {now.level} ({now.label}); "
                    f"the day before: {before.score:g}, level {before.level} ({before.label}).",
                    f"Window: {now.window_start} to {now.window_end}.",
                    *parts,
                ]
            ),
            links=("/",),
        )
    ]


def _reply_deadlines_passed(record: _Record, since: datetime) -> list[Happening]:
    """Complaints without a reply whose reply deadline passed after `since` and before the run."""
    days = record.scenario.reply_window_days

    def load() -> list[Complaint]:
        replied = select(Response.complaint_id).distinct()
        query = (
            select(Complaint).where(Complaint.id.not_in(replied)).order_by(Complaint.created_at, Complaint.id)
        )
        return list(record.session.scalars(query))

    found = []
    for complaint in record.once("unanswered", load):
        due = reply_deadline(complaint.created_at, reply_window_days=days)
        if not since <= due < record.now:
            continue
        accused, complainant = (
            _party(record.scenario, p) for p in (complaint.accused_party, complaint.complainant_party)
        )
        found.append(
            Happening(
                key=f"reply:{complaint.id}",
                subject=f"Reply overdue from {accused}: complaint {complaint.id}",
                body="\n".join(
                    [
                        f"Complaint {complaint.id}, filed by {complainant} against {accused} on "
                        f"{format_time(complaint.created_at)}, has no reply.",
                        f"The reply window ({days} days) closed on {format_time(due)}.",
                        f"Clauses invoked: {', '.join(str(c) for c in complaint.clause_ids) or 'none'}",
                    ]
                ),
                links=(f"/complaints/{complaint.id}",),
            )
        )
    return found


def _party_notices(record: _Record, rule: AlertRule) -> list[Happening]:
    """The notices to the party of the rule's author (a liaison) since the rule was made."""
    party = inbox_views.party_of_rule(record.session, rule)
    if party is None:
        return []
    query = select(Notice).where(Notice.party == party, Notice.created_at >= rule.created_at)
    found = []
    for notice in record.session.scalars(query.order_by(Notice.created_at, Notice.id)):
        links = ["/notices"] + ([f"/complaints/{notice.complaint_id}"] if notice.complaint_id else [])
        found.append(Happening(f"notice:{notice.id}", notice.subject, notice.body, tuple(links)))
    return found


def _happenings(record: _Record, rule: AlertRule) -> list[Happening]:
    kind = AlertKind(rule.kind)
    since = rule.created_at
    if kind is AlertKind.PARTY_NOTICE:
        return _party_notices(record, rule)
    if kind is AlertKind.CONFIRMED_VIOLATION:
        return _confirmed_violations(record, since)
    if kind is AlertKind.FATALITIES_AT_LEAST:
        return _fatalities_at_least(record, since, rule.threshold or 1)
    if kind is AlertKind.ESCALATION_RISES:
        return _escalation_rises(record)
    return _reply_deadlines_passed(record, since)


# --- finding, sending and recording ----------------------------------------------------------------------


def find_events(session: Session, scenario: Scenario, *, now: datetime) -> list[AlertEvent]:
    """What the active rules have to send now: events never delivered and not yet given up on."""
    rules = alerts_service.list_rules(session, is_active=True)
    history = alerts_service.event_history(session, (r.id for r in rules))
    record = _Record(session, scenario, now)
    events = []
    for rule in rules:
        for happening in _happenings(record, rule):
            past = history.get((base_id(rule.id), happening.key))
            if past is not None and (past.is_delivered or past.failed_attempts >= MAX_ATTEMPTS):
                continue
            events.append(
                AlertEvent(
                    rule=rule,
                    event_key=happening.key,
                    subject=one_line(f"[Truceline] {happening.subject}", limit=MAX_SUBJECT_CHARS),
                    body=happening.body,
                    links=happening.links,
                    attempt=1 + (past.failed_attempts if past else 0),
                )
            )
    return events


def send_event(event: AlertEvent, scenario: Scenario, settings: Settings, *, now: datetime) -> Sent:
    """Deliver one event over its rule's channel; never raises for a target that fails."""
    if event.rule.channel == Channel.WEBHOOK:
        payload = event.payload(scenario, now=now)
        return send_webhook(event.rule.target, payload, timeout_s=settings.webhook_timeout_s)
    body = event.body + "\n\n" + "\n".join(f"Open: {link}" for link in event.links) + "\n"
    return send_email(
        SmtpConfig.from_settings(settings), to=event.rule.target, subject=event.subject, body=body
    )


def run_alerts(
    session: Session, scenario: Scenario, settings: Settings, *, now: datetime, author: str = ALERTS_AUTHOR
) -> list[AlertDelivery]:
    """Write the reply reminders that have come due (a notice each), then send everything the active rules
    found and record each delivery with its outcome (caller commits)."""
    notices.write_due_reminders(session, scenario, now=now)
    events = find_events(session, scenario, now=now)
    outcomes = [(event, send_event(event, scenario, settings, now=now)) for event in events]
    deliveries = [
        alerts_service.record_delivery(
            session,
            rule=event.rule,
            event_key=event.event_key,
            subject=event.subject,
            body=event.body,
            is_delivered=sent.is_delivered,
            detail=sent.detail,
            attempt=event.attempt,
            author=author,
            now=now,
        )
        for event, sent in outcomes
    ]
    log.info("alerts run: %d deliveries, %d failed", len(deliveries), count_failed(deliveries))
    return deliveries


def count_failed(deliveries: Iterable[AlertDelivery]) -> int:
    return sum(1 for d in deliveries if d.outcome != Outcome.DELIVERED)
