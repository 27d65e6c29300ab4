"""How the ceasefire holds: weekly counts per party, days since the last confirmed violation, escalation."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.ledger.service import recorded_by
from truceline.scenarios.schema import Scenario
from truceline.talks.models import TalksRound
from truceline.users.rules import Principal
from truceline.views.incidents import IncidentPoint, incident_points

# How much one incident of each type adds to the severity part of the escalation index.
SEVERITY = {
    "Battles": 1.0,
    "Explosions/Remote violence": 1.0,
    "Violence against civilians": 0.8,
    "Riots": 0.3,
    "Protests": 0.1,
    "Strategic developments": 0.2,
}
# The value of each part at which it counts as fully escalated (1.0).
SEVERITY_FULL = 10.0
FATALITIES_FULL = 50.0
THREATS_FULL = 5.0
THREAT_WEIGHTS = {"threat_or_warning": 1.0, "accusation": 0.5, "ceasefire_violation_alleged": 0.5}
TALKS_PROCESS = frozenset({"talks_held", "ceasefire_agreed"})
STALLED_OUTCOME = re.compile(r"without (an )?agreement|collapsed|broke down|failed|suspended", re.IGNORECASE)
MAX_WEEKS = 104
LEVELS = ((20.0, "Calm"), (40.0, "Tense"), (60.0, "Elevated"), (80.0, "High"), (math.inf, "Critical"))


@dataclass(frozen=True, slots=True)
class WeekRow:
    week_start: date
    reported: dict[str, int]
    confirmed: dict[str, int]


@dataclass(frozen=True, slots=True)
class CeasefireStatus:
    start: date | None
    last_confirmed: date | None
    days_since_last_confirmed: int | None
    baseline: dict[str, float]
    weeks: list[WeekRow]
    parties: list[str] = field(default_factory=list)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(
    session: Session,
    scenario: Scenario,
    *,
    date_from: date,
    date_to: date,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> list[WeekRow]:
    """Per ISO week (Monday) from `date_from` to `date_to`: violent incidents the claims allege against each
    party, and incidents a finding confirmed as a violation by each party."""
    points = incident_points(session, scenario, principal, as_of=as_of)
    return _weeks(points, scenario, date_from=date_from, date_to=date_to)


def _weeks(
    points: Sequence[IncidentPoint], scenario: Scenario, *, date_from: date, date_to: date
) -> list[WeekRow]:
    parties = [p.id for p in scenario.parties]
    first, last = week_start(date_from), week_start(date_to)
    reported: dict[date, dict[str, int]] = {}
    confirmed: dict[date, dict[str, int]] = {}
    day = first
    while day <= last:
        reported[day] = dict.fromkeys(parties, 0)
        confirmed[day] = dict.fromkeys(parties, 0)
        day += timedelta(days=7)
    # Fields read straight from the point's shared parts: this runs over every current incident (400k at 1M
    # claims), where a property per field read was a third of the dashboard's recount.
    for point in points:
        start = point.date_start
        if start is None or not (first <= start < last + timedelta(days=7)) or not point.is_violent:
            continue
        week = week_start(start)
        alleged, (status, _, responsible) = point.what.alleged_party, point.verdict
        if alleged in reported[week]:
            reported[week][alleged] += 1
        if status == "violation_confirmed" and responsible in confirmed[week]:
            confirmed[week][responsible] += 1
    return [WeekRow(week, reported[week], confirmed[week]) for week in sorted(reported)]


def ceasefire_status(
    session: Session,
    scenario: Scenario,
    *,
    today: date,
    weeks: int | None = None,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> CeasefireStatus:
    """Days since the last confirmed violation and the weekly series; by default the series runs from the
    baseline weeks before the ceasefire to today (at most two years), else the last `weeks` weeks.
    Confirmed means by a finding `principal` may see (see `incident_points`), recorded by `as_of`."""
    points = incident_points(session, scenario, principal, as_of=as_of)
    parties = [p.id for p in scenario.parties]
    confirmed_days = [
        p.date_start for p in points if p.verdict[0] == "violation_confirmed" and p.date_start is not None
    ]
    last_confirmed = max(confirmed_days, default=None)
    start = scenario.ceasefire.start if scenario.ceasefire else None
    since = last_confirmed or start
    baseline = dict.fromkeys(parties, 0.0)
    if scenario.ceasefire is not None:
        n = scenario.ceasefire.baseline_weeks
        before = _weeks(
            points,
            scenario,
            date_from=week_start(scenario.ceasefire.start) - timedelta(weeks=n),
            date_to=week_start(scenario.ceasefire.start) - timedelta(days=1),
        )
        baseline = {party: round(sum(w.reported[party] for w in before) / n, 2) for party in parties}
    if weeks is None and scenario.ceasefire is not None:
        first = week_start(scenario.ceasefire.start) - timedelta(weeks=scenario.ceasefire.baseline_weeks)
        date_from = max(first, week_start(today) - timedelta(weeks=MAX_WEEKS - 1))
    else:
        date_from = week_start(today) - timedelta(weeks=(weeks or 12) - 1)
    return CeasefireStatus(
        start=start,
        last_confirmed=last_confirmed,
        days_since_last_confirmed=(today - since).days if since and since <= today else None,
        baseline=baseline,
        weeks=_weeks(points, scenario, date_from=date_from, date_to=today),
        parties=parties,
    )


# --- escalation index -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscalationPart:
    name: str
    label: str
    weight: float
    value: float
    detail: str


@dataclass(frozen=True, slots=True)
class Escalation:
    score: float
    level: int
    label: str
    parts: list[EscalationPart]
    window_start: date
    window_end: date


def escalation(
    session: Session,
    scenario: Scenario,
    *,
    at: date,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> Escalation:
    """A transparent 0–100 index over the window ending at `at`: each part is 0–1 and has its weight."""
    settings = scenario.escalation
    start = at - timedelta(days=settings.window_days - 1)
    points = incident_points(session, scenario, principal, as_of=as_of)
    window = [p for p in points if p.date_start is not None and start <= p.date_start <= at]
    severity = sum(SEVERITY.get(p.event_type, 0.2) for p in window if p.process_type not in THREAT_WEIGHTS)
    deaths = sum(p.fatalities_best or 0 for p in window)
    unknown = sum(1 for p in window if p.fatalities_best is None)
    threats = sum(THREAT_WEIGHTS.get(p.process_type or "", 0.0) for p in window)
    talks_value, talks_detail = _talks_part(session, at, points=points, as_of=as_of)
    days = settings.window_days
    parts = [
        EscalationPart(
            "severity",
            "Incident severity",
            settings.severity,
            min(1.0, severity / SEVERITY_FULL),
            f"{len(window)} incident(s) in {days} days, {severity:g} severity points of {SEVERITY_FULL:g}",
        ),
        EscalationPart(
            "fatalities",
            "Fatalities",
            settings.fatalities,
            min(1.0, deaths / FATALITIES_FULL),
            f"{deaths} reported killed in {days} days (full at {FATALITIES_FULL:g})"
            + (f"; {unknown} incident(s) with an unknown toll" if unknown else ""),
        ),
        EscalationPart(
            "threats",
            "Threats and ultimatums",
            settings.threats,
            min(1.0, threats / THREATS_FULL),
            f"{threats:g} threat points in {days} days (a threat counts 1, an accusation 0.5; full at "
            f"{THREATS_FULL:g})",
        ),
        EscalationPart("talks", "Talks status", settings.talks, talks_value, talks_detail),
    ]
    total_weight = sum(p.weight for p in parts) or 1.0
    score = round(100 * sum(p.weight * p.value for p in parts) / total_weight, 1)
    level = next(i for i, (bound, _) in enumerate(LEVELS, start=1) if score < bound)
    return Escalation(score, level, LEVELS[level - 1][1], parts, start, at)


def _talks_part(
    session: Session, at: date, *, points: Sequence[IncidentPoint], as_of: datetime | None
) -> tuple[float, str]:
    """0 while talks are recent and the ceasefire holds; rising to 1 when it collapsed or talks stalled."""
    events: list[tuple[date, str, str]] = []
    query = select(TalksRound.name, TalksRound.end_date, TalksRound.outcome).where(
        recorded_by(TalksRound, as_of)
    )
    for talks in session.execute(query).all():
        if talks.end_date <= at:
            kind = "stalled" if STALLED_OUTCOME.search(talks.outcome or "") else "talks"
            events.append((talks.end_date, kind, talks.name))
    for point in points:
        if point.date_start is None or point.date_start > at:
            continue
        if point.process_type == "ceasefire_collapsed":
            events.append((point.date_start, "collapsed", point.title))
        elif point.process_type in TALKS_PROCESS:
            events.append((point.date_start, "talks", point.title))
    if not events:
        return 0.5, "no talks or ceasefire on record"
    day, kind, name = max(events, key=lambda e: (e[0], e[1] == "collapsed"))
    age = (at - day).days
    if kind == "collapsed":
        return 1.0, f"ceasefire reported collapsed on {day} ({name})"
    drift = min(1.0, max(0.0, (age - 30) / 90))
    if kind == "stalled":
        return max(0.75, drift), f"last talks ended without agreement on {day} ({name})"
    return drift, f"last talks or ceasefire step {age} day(s) ago: {name}, {day}"
