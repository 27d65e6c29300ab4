"""The periodic compliance report: what happened in a period, as one principal may see it, and its PDF.

`build_report` gathers the period's incidents, complaints and replies, findings and talks rounds, the
ceasefire status, the escalation index and the weekly series from the desk, and writes the summary in the
register of a monitoring mission's daily report. Each part passes the access policy: incidents need
`read_incident`, complaints are those the principal may read, findings are read through the cases service's
own check (so parties and the public get published findings only), penalties need `read_penalty`. A principal
who may not read every finding also does not learn an unpublished verdict from the incident statuses or the
counts: those verdicts show as "under verification" until the finding is published.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.cases import service as cases
from truceline.cases.models import Finding
from truceline.cases.rules import FindingStatus, base_id
from truceline.complaints import service as complaints
from truceline.complaints.models import Complaint
from truceline.complaints.rules import reply_deadline
from truceline.errors import InvalidInput
from truceline.ledger.service import recorded_by
from truceline.scenarios.geography import get_geography
from truceline.scenarios.schema import Scenario
from truceline.talks.service import list_talks_rounds
from truceline.users.rules import Action, Principal, Role, Scope, can, scopes_for
from truceline.views import filters, incidents, maps
from truceline.views.ceasefire import (
    LEVELS,
    CeasefireStatus,
    Escalation,
    WeekRow,
    ceasefire_status,
    escalation,
    week_start,
    weekly_counts,
)
from truceline.wording import (
    allegation_words,
    clauses_words,
    confidence_words,
    fatalities_words,
    party_name,
    penalty_words,
    verdict_words,
)
from truceline.workflows import svg

MAX_PERIOD_DAYS = 366
CHART_WEEKS_BEFORE = 8  # the chart starts this many weeks before the period, for context
VERDICTS = ("violation_confirmed", "not_confirmed", "inconclusive")
STATUS_LABELS = {
    "reported": "reported",
    "under_verification": "under verification",
    "violation_confirmed": "violation confirmed",
    "not_confirmed": "not confirmed",
    "inconclusive": "inconclusive",
}


# --- the period -----------------------------------------------------------------------------------------


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the last ISO week that ended before `today`."""
    monday = week_start(today) - timedelta(days=7)
    return monday, monday + timedelta(days=6)


def parse_period(raw_from: str, raw_to: str, *, today: date) -> tuple[date, date]:
    """The period from two YYYY-MM-DD strings; both empty: the last full week; only `from`: up to today;
    only `to`: the week ending then. InvalidInput (one line) on a bad date, a reversed or too long period."""
    start, end = filters.parse_date(raw_from, what="from"), filters.parse_date(raw_to, what="to")
    if start is None and end is None:
        return last_full_week(today)
    if start is None:
        assert end is not None
        start = end - timedelta(days=6)
    if end is None:
        end = max(today, start)
    check_period(start, end)
    return start, end


@dataclass(frozen=True, slots=True)
class Period:
    """The days a report covers, and why, when the reader did not choose them."""

    date_from: date
    date_to: date
    note: str | None = None


def default_week(
    session: Session, scenario: Scenario, *, today: date, as_of: datetime | None = None
) -> Period:
    """The last complete week (Monday to Sunday, ended before `today`) that holds an incident, saying so:
    a report that opens on an empty week tells the reader nothing."""
    monday, sunday = last_full_week(today)
    days = [
        p.date_start
        for p in incidents.incident_points(session, scenario, as_of=as_of)
        if p.date_start is not None and p.date_start <= sunday
    ]
    latest = max(days, default=None)
    if latest is None:
        note = f"The last complete week, {format_period(monday, sunday)}: no incident is on record yet."
        return Period(monday, sunday, note)
    if latest >= monday:
        return Period(monday, sunday, f"The last complete week, {format_period(monday, sunday)}.")
    start = week_start(latest)
    end = start + timedelta(days=6)
    quiet = _count((monday - start).days // 7, "complete week")
    return Period(
        start,
        end,
        f"The last complete week that has incidents on record, {format_period(start, end)}; the {quiet} "
        f"since then, up to {format_day(sunday)}, had none.",
    )


def resolve_period(
    session: Session,
    scenario: Scenario,
    raw_from: str,
    raw_to: str,
    *,
    today: date,
    as_of: datetime | None = None,
) -> Period:
    """The period a reader asked for (`parse_period`), or `default_week` when they gave no dates."""
    if not raw_from.strip() and not raw_to.strip():
        return default_week(session, scenario, today=today, as_of=as_of)
    start, end = parse_period(raw_from, raw_to, today=today)
    return Period(start, end)


def requested_report(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    raw_from: str,
    raw_to: str,
    generated_at: datetime,
    as_of: datetime | None = None,
) -> Report:
    """The report for the dates a reader typed (`resolve_period`: the last complete week with incidents when
    none), as the principal may see it and, with `as_of`, as the record stood then."""
    period = resolve_period(session, scenario, raw_from, raw_to, today=generated_at.date(), as_of=as_of)
    return build_report(
        session,
        scenario,
        principal,
        date_from=period.date_from,
        date_to=period.date_to,
        generated_at=generated_at,
        as_of=as_of,
        period_note=period.note,
    )


def check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput(f"period: expected 'from' on or before 'to', found {start} after {end}")
    days = (end - start).days + 1
    if days > MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"period: expected at most {MAX_PERIOD_DAYS} days, found {days} ({start} to {end})"
        )


@dataclass(frozen=True, slots=True)
class QuickPeriod:
    label: str
    date_from: date
    date_to: date


def quick_periods(scenario: Scenario, *, today: date) -> list[QuickPeriod]:
    """Ready-made periods for the reports page: last week, the last 30 days, since the ceasefire."""
    monday, sunday = last_full_week(today)
    found = [
        QuickPeriod("Last week", monday, sunday),
        QuickPeriod("Last 30 days", today - timedelta(days=29), today),
    ]
    if scenario.ceasefire is not None and scenario.ceasefire.start <= today:
        start = scenario.ceasefire.start
        if (today - start).days + 1 <= MAX_PERIOD_DAYS:
            found.append(QuickPeriod("Since the ceasefire", start, today))
        else:  # a report covers at most a year: offer the ceasefire's first year instead
            end = start + timedelta(days=MAX_PERIOD_DAYS - 1)
            found.append(QuickPeriod("First year of the ceasefire", start, end))
    return found


def format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def format_period(start: date, end: date) -> str:
    """'3–9 November 2025', '27 October – 2 November 2025', '29 December 2025 – 4 January 2026'."""
    if start == end:
        return format_day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {format_day(end)}"
    return f"{format_day(start)} – {format_day(end)}"


# --- the report -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartyRef:
    id: str
    name: str
    short_name: str
    colour: str


@dataclass(frozen=True, slots=True)
class IncidentRow:
    id: str
    date_start: date | None
    date_end: date | None
    place: str
    kind: str
    alleged: str  # "alleged by Pakistan against Afghanistan; …", or "no party named"
    fatalities: str  # "3", "3–5" or "unknown"
    status: str
    sources: int
    url: str


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    id: str
    filed_at: datetime
    complainant: str
    accused: str
    clauses: str
    summary: str
    incident_id: str | None
    reply_due: datetime
    replied_at: datetime | None  # the first reply, if it came by the end of the period
    reply_state: str  # answered | overdue | awaiting
    url: str

    @property
    def is_overdue(self) -> bool:
        return self.reply_state == "overdue"


@dataclass(frozen=True, slots=True)
class FindingRow:
    id: str  # base id, shared by every version
    status: str
    verdict: str
    responsible: str | None  # "Pakistan (its forces)", "Afghanistan (as host)"
    clauses: str
    confidence: str
    penalty: str | None  # None when there is none or the principal may not read it
    case_id: str | None  # None when the principal may not read the case
    adopted_on: date | None
    published_on: date | None
    rationale: str
    url: str


@dataclass(frozen=True, slots=True)
class TalksRow:
    name: str
    place: str
    dates: str
    outcome: str


@dataclass(frozen=True, slots=True)
class PartyStats:
    party: str | None  # None: the row of incidents whose claims name no party
    label: str
    colour: str
    violent: int
    fatalities: str
    confirmed: int
    weekly_mean: float
    baseline: float | None


@dataclass(frozen=True, slots=True)
class Statistics:
    violent: int
    other: int
    fatalities_low: int
    fatalities_high: int
    fatalities_unknown: int  # incidents no source gives a figure for
    by_party: list[PartyStats]  # each party, then incidents alleged against no party
    fatalities: str  # the range in words (`_toll_words`)
    by_kind: list[tuple[str, int]]
    other_kinds: list[tuple[str, int]]  # the non-violent developments by kind
    by_status: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class Report:
    scenario_name: str
    date_from: date
    date_to: date
    period_label: str
    period_note: str | None  # why this period was chosen, when the reader did not choose it
    generated_at: datetime
    as_of: datetime | None  # built from the records the ledger held then (None: when generated)
    audience: str
    illustrative_notice: str | None
    parties: list[PartyRef]
    summary: list[str]
    statistics: Statistics
    ceasefire: CeasefireStatus
    escalation: Escalation
    escalation_svg: str
    weeks: list[WeekRow]
    chart_svg: str
    map_svg: str | None  # None when the principal may not read incidents
    map_note: str
    incidents: list[IncidentRow] | None  # None when the principal may not read incidents
    complaints: list[ComplaintRow] | None  # None when the principal may read no complaints at all
    findings: list[FindingRow]
    findings_scope: str
    talks: list[TalksRow]

    @property
    def filename_stem(self) -> str:
        return f"truceline-report-{self.date_from}-{self.date_to}"


def build_report(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    date_from: date,
    date_to: date,
    generated_at: datetime,
    as_of: datetime | None = None,
    period_note: str | None = None,
) -> Report:
    """The compliance report for the period (inclusive) as the principal may see it; with `as_of`, built
    only from the records the ledger held then (the report as it could be written that day)."""
    check_period(date_from, date_to)
    known_by = min(generated_at, as_of) if as_of is not None else generated_at
    end_of_period = min(known_by, datetime.combine(date_to, time.max, tzinfo=UTC))
    sees_all_verdicts = Scope.ANY in scopes_for(principal.role, Action.READ_FINDING)
    findings_by_base = _findings_by_base(session, as_of=as_of)
    published_cases = {
        base_id(versions[-1].case_id)
        for versions in findings_by_base.values()
        if versions[-1].status == FindingStatus.PUBLISHED.value
    }
    points = [
        p if sees_all_verdicts else _without_unpublished_verdict(p, published_cases)
        for p in incidents.incident_points(session, scenario, as_of=as_of)
    ]
    in_period = filters.filter_incidents(points, filters.IncidentFilter(date_from=date_from, date_to=date_to))
    parties = [PartyRef(p.id, p.name, p.short_name, svg.colour_of(i)) for i, p in enumerate(scenario.parties)]
    status = _ceasefire_status(session, scenario, points, date_to=date_to, as_of=as_of)
    weeks = weekly_counts(
        session,
        scenario,
        date_from=date_from - timedelta(weeks=CHART_WEEKS_BEFORE),
        date_to=date_to,
        as_of=as_of,
    )
    if not sees_all_verdicts:
        weeks = _confirmed_recounted(weeks, points)
    index = escalation(session, scenario, at=date_to, as_of=as_of)
    stats = _statistics(in_period, parties, status.baseline, date_from=date_from, date_to=date_to)
    may_read_incidents = can(principal, Action.READ_INCIDENT)
    finding_rows = _finding_rows(
        session, scenario, principal, findings_by_base, date_from=date_from, date_to=date_to
    )
    complaint_rows = (
        _complaint_rows(session, scenario, principal, date_from=date_from, as_of=end_of_period)
        if scopes_for(principal.role, Action.READ_COMPLAINT)
        else None
    )
    talks = [
        TalksRow(t.name, t.place, format_period(t.start_date, t.end_date), t.outcome)
        for t in list_talks_rounds(session)
        if t.start_date <= date_to and t.end_date >= date_from
    ]
    map_svg, map_note = (None, "") if not may_read_incidents else _map(scenario, in_period, parties)
    summary = _summary(
        stats,
        status,
        index,
        finding_rows,
        complaint_rows,
        talks,
        date_from=date_from,
        date_to=date_to,
        sees_all_verdicts=sees_all_verdicts,
    )
    return Report(
        scenario_name=scenario.name,
        date_from=date_from,
        date_to=date_to,
        period_label=format_period(date_from, date_to),
        period_note=period_note,
        generated_at=generated_at,
        as_of=as_of,
        audience=audience_of(scenario, principal),
        illustrative_notice=(
            f"ILLUSTRATIVE: the agreement text used here ({scenario.agreement.title}, version "
            f"{scenario.agreement.version}) is an illustrative consolidation, not the agreed text."
            if scenario.agreement.illustrative
            else None
        ),
        parties=parties,
        summary=summary,
        statistics=stats,
        ceasefire=status,
        escalation=index,
        escalation_svg=svg.gauge_svg(
            index.score,
            labels=[label for _, label in LEVELS],
            title=f"Escalation index {index.score:g} of 100: {index.label}",
        ),
        weeks=weeks,
        chart_svg=svg.weekly_chart_svg(
            [svg.ChartWeek(w.week_start, w.reported, w.confirmed) for w in weeks],
            parties=[(p.id, p.short_name) for p in parties],
            baseline=status.baseline if scenario.ceasefire else {},
            highlight=(date_from, date_to),
            marker=(scenario.ceasefire.start, "ceasefire") if scenario.ceasefire else None,
            title="Violent incidents per party per week; the report period is shaded",
        ),
        map_svg=map_svg,
        map_note=map_note,
        incidents=None if not may_read_incidents else [_incident_row(scenario, p) for p in in_period],
        complaints=complaint_rows,
        findings=finding_rows,
        findings_scope=(
            "findings adopted or published in the period"
            if sees_all_verdicts
            else "published findings adopted or published in the period"
        ),
        talks=talks,
    )


def audience_of(scenario: Scenario, principal: Principal) -> str:
    """Who the report is for, in a few words (what it includes follows from the policy, not from this)."""
    if principal.role in (Role.MEDIATOR, Role.ANALYST):
        return "The mechanism (mediators and analysts): full report"
    if principal.role == Role.PARTY and principal.party:
        name = next((p.short_name for p in scenario.parties if p.id == principal.party), principal.party)
        return f"{name}: complaints involving its side, published findings"
    if principal.role == Role.MONITOR:
        return "Monitors: published findings and those of assigned cases"
    return "Public: aggregate statistics and published findings"


# --- incidents and counts ---------------------------------------------------------------------------------


def _without_unpublished_verdict(
    point: incidents.IncidentPoint, published_cases: set[str]
) -> incidents.IncidentPoint:
    if point.status in VERDICTS and point.case_id not in published_cases:
        return replace(point, status="under_verification", responsible_party=None)
    return point


def _ceasefire_status(
    session: Session,
    scenario: Scenario,
    points: Sequence[incidents.IncidentPoint],
    *,
    date_to: date,
    as_of: datetime | None,
) -> CeasefireStatus:
    """The desk's status at the end of the period: violations of later days do not count."""
    status = ceasefire_status(session, scenario, today=date_to, weeks=1, as_of=as_of)
    confirmed = [
        p.date_start
        for p in points
        if p.status == "violation_confirmed" and p.date_start is not None and p.date_start <= date_to
    ]
    last = max(confirmed, default=None)
    since = last or status.start
    return replace(
        status,
        last_confirmed=last,
        days_since_last_confirmed=(date_to - since).days if since and since <= date_to else None,
    )


def _confirmed_recounted(
    weeks: Sequence[WeekRow], points: Iterable[incidents.IncidentPoint]
) -> list[WeekRow]:
    """The weekly confirmed counts from the points as this principal sees them."""
    confirmed = {w.week_start: dict.fromkeys(w.confirmed, 0) for w in weeks}
    for point in points:
        if point.date_start is None or not point.is_violent or point.status != "violation_confirmed":
            continue
        week = confirmed.get(week_start(point.date_start))
        if week is not None and point.responsible_party in week:
            week[point.responsible_party] += 1
    return [WeekRow(w.week_start, w.reported, confirmed[w.week_start]) for w in weeks]


def _kind(point: incidents.IncidentPoint) -> str:
    if point.process_type:
        return point.process_type.replace("_", " ").capitalize()
    return point.sub_event_type or point.event_type


def _range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def _toll(points: Sequence[incidents.IncidentPoint]) -> tuple[int, int, int]:
    """(lowest, highest) killed over the incidents that give a figure, and how many give none."""
    figures = [
        [x for x in (p.fatalities_low, p.fatalities_best, p.fatalities_high) if x is not None] for p in points
    ]
    known = [f for f in figures if f]
    return sum(min(f) for f in known), sum(max(f) for f in known), len(figures) - len(known)


def _toll_words(low: int, high: int, unknown: int, *, of: int) -> str:
    """ "3–5", "3–5 (2 unknown)", or "unknown" when no incident gives a figure."""
    if of and unknown == of:
        return "unknown"
    return _range(low, high) + (f" ({unknown} unknown)" if unknown else "")


def _incident_row(scenario: Scenario, point: incidents.IncidentPoint) -> IncidentRow:
    place = point.place or point.admin1 or ""
    if point.place and point.admin1 and point.admin1 != point.place:
        place = f"{point.place} ({point.admin1})"
    status = STATUS_LABELS.get(point.status, point.status)
    if point.status == "violation_confirmed" and point.responsible_party:
        status = f"{status} ({party_name(scenario, point.responsible_party)})"
    return IncidentRow(
        id=point.id,
        date_start=point.date_start,
        date_end=point.date_end if point.date_end != point.date_start else None,
        place=place or "unlocated",
        kind=_kind(point),
        alleged="; ".join(allegation_words(scenario, a) for a in point.allegations) or "no party named",
        fatalities=fatalities_words(point.fatalities_best, point.fatalities_low, point.fatalities_high),
        status=status,
        sources=point.independent_sources,
        url=f"/incidents/{point.id}",
    )


def _statistics(
    points: Sequence[incidents.IncidentPoint],
    parties: Sequence[PartyRef],
    baseline: Mapping[str, float],
    *,
    date_from: date,
    date_to: date,
) -> Statistics:
    weeks_in_period = ((date_to - date_from).days + 1) / 7
    violent = [p for p in points if p.is_violent]
    by_party: list[PartyStats] = []
    groups: list[tuple[str, str, str | None]] = [(p.short_name, p.colour, p.id) for p in parties]
    groups.append(("No party named", svg.UNATTRIBUTED_COLOUR, None))
    known = {p.id for p in parties}
    for label, colour, party in groups:
        mine = [p for p in violent if (p.alleged_party if p.alleged_party in known else None) == party]
        if party is None and not mine:
            continue
        by_party.append(
            PartyStats(
                party=party,
                label=label,
                colour=colour,
                violent=len(mine),
                fatalities=_toll_words(*_toll(mine), of=len(mine)),
                confirmed=sum(
                    1 for p in points if p.status == "violation_confirmed" and p.responsible_party == party
                )
                if party
                else 0,
                weekly_mean=round(len(mine) / weeks_in_period, 2),
                baseline=baseline.get(party) if party else None,
            )
        )
    kinds = Counter(_kind(p) for p in points)
    other_kinds = Counter(_kind(p) for p in points if not p.is_violent)
    statuses = Counter(STATUS_LABELS.get(p.status, p.status) for p in points)
    low, high, unknown = _toll(points)
    return Statistics(
        violent=len(violent),
        other=len(points) - len(violent),
        fatalities_low=low,
        fatalities_high=high,
        fatalities_unknown=unknown,
        fatalities=_toll_words(low, high, unknown, of=len(points)),
        by_party=by_party,
        by_kind=sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        other_kinds=sorted(other_kinds.items(), key=lambda kv: (-kv[1], kv[0])),
        by_status=[(label, statuses[label]) for label in STATUS_LABELS.values() if statuses[label]],
    )


# --- the map ----------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _base_map(scenario: Scenario) -> svg.BaseMap:
    """The scenario's static map layers, projected and simplified once per process."""
    geography = get_geography(scenario)
    return svg.base_map(
        admin1=geography.admin1_geojson(),
        boundary=geography.boundary_geojson(),
        buffer=geography.buffer_geojson(),
        crossings=geography.crossings_geojson(),
        countries=[p.country_code for p in scenario.parties],
    )


def _map(
    scenario: Scenario, points: Sequence[incidents.IncidentPoint], parties: Sequence[PartyRef]
) -> tuple[str, str]:
    base = _base_map(scenario)
    group = {p.id: i for i, p in enumerate(parties)}
    located = [p for p in points if p.lat is not None and p.lon is not None]
    outside = [p for p in located if not base.contains(p.lon or 0.0, p.lat or 0.0)]
    shapes = [
        svg.MapPoint(
            id=p.id,
            lon=p.lon or 0.0,
            lat=p.lat or 0.0,
            precision=p.geo_precision,
            radius_km=p.radius_km or maps.PRECISION_RADIUS_KM.get(p.geo_precision or 3),
            group=group.get(p.alleged_party or ""),
            is_confirmed=p.status == "violation_confirmed",
            label=f"{p.date_start or 'undated'} · {p.place or 'unnamed place'} · {_kind(p)} · {p.title}",
        )
        for p in located
    ]
    notes = [f"{_count(len(located) - len(outside), 'located incident')} shown"]
    if outside:
        places = ", ".join(sorted({p.place or "unnamed place" for p in outside}))
        notes.append(f"{len(outside)} located outside the map area ({places})")
    if len(points) > len(located):
        notes.append(f"{len(points) - len(located)} without a location")
    title = f"Map of incidents, {scenario.name}"
    return svg.map_svg(base, shapes, title=title), "; ".join(notes) + "."


# --- complaints and findings ------------------------------------------------------------------------------


def _complaint_rows(
    session: Session, scenario: Scenario, principal: Principal, *, date_from: date, as_of: datetime
) -> list[ComplaintRow]:
    """Complaints the principal may read that were filed in the period, answered in it, or still unanswered
    at its end (an overdue reply stays in every report until it comes)."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    names = {p.id: p.short_name for p in scenario.parties}
    titles = {c.id: c.title for c in scenario.agreement.clauses}
    query = (
        select(Complaint).where(Complaint.created_at <= as_of).order_by(Complaint.created_at, Complaint.id)
    )
    rows = []
    for complaint in session.scalars(query):
        if not can(principal, Action.READ_COMPLAINT, complaint):
            continue
        replies = [
            r.created_at for r in complaints.list_responses(session, complaint.id) if r.created_at <= as_of
        ]
        replied = min(replies, default=None)
        filed_in_period = complaint.created_at >= start
        if not filed_in_period and replied is not None and replied < start:
            continue  # settled before the period
        due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
        state = "answered" if replied is not None else "overdue" if due < as_of else "awaiting"
        rows.append(
            ComplaintRow(
                id=complaint.id,
                filed_at=complaint.created_at,
                complainant=names.get(complaint.complainant_party, complaint.complainant_party),
                accused=names.get(complaint.accused_party, complaint.accused_party),
                clauses=", ".join(f"{c} {titles.get(str(c), '')}".strip() for c in complaint.clause_ids),
                summary=complaint.summary,
                incident_id=complaint.incident_id,
                reply_due=due,
                replied_at=replied,
                reply_state=state,
                url=f"/complaints/{complaint.id}",
            )
        )
    return rows


def _findings_by_base(session: Session, *, as_of: datetime | None) -> dict[str, list[Finding]]:
    """Every finding's versions in order, by base id (those the ledger held `as_of`)."""
    found: dict[str, list[Finding]] = defaultdict(list)
    for finding in session.scalars(select(Finding).where(recorded_by(Finding, as_of))):
        found[base_id(finding.id)].append(finding)
    for versions in found.values():
        versions.sort(key=lambda f: (f.created_at, f.id))
    return found


def _finding_rows(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    findings_by_base: Mapping[str, list[Finding]],
    *,
    date_from: date,
    date_to: date,
) -> list[FindingRow]:
    rows = []
    for base, versions in sorted(findings_by_base.items()):
        adopted = next((v.created_at.date() for v in versions if v.status == FindingStatus.ADOPTED), None)
        published = next((v.created_at.date() for v in versions if v.status == FindingStatus.PUBLISHED), None)
        if not any(day is not None and date_from <= day <= date_to for day in (adopted, published)):
            continue
        finding = versions[-1]  # the version the ledger held then
        if not cases.may_read_finding(session, principal, finding):
            continue
        case = cases.get_case(session, finding.case_id)
        penalty = cases.find_penalty(session, finding.id)
        responsible = None
        if finding.responsible_party:
            how = {"forces": "its forces", "host": "as host"}.get(finding.responsibility or "", "")
            who = party_name(scenario, finding.responsible_party)
            responsible = f"{who} ({how})" if how else who
        rows.append(
            FindingRow(
                id=base,
                status=finding.status,
                verdict=verdict_words(finding.verdict),
                responsible=responsible,
                clauses=clauses_words(scenario, finding.clause_ids),
                confidence=confidence_words(finding.confidence),
                penalty=(
                    penalty_words(scenario, penalty.level, penalty.name)
                    if penalty is not None and can(principal, Action.READ_PENALTY, penalty)
                    else None
                ),
                case_id=(
                    base_id(case.id)
                    if can(principal, Action.READ_CASE, cases.case_target(session, case))
                    else None
                ),
                adopted_on=adopted,
                published_on=published,
                rationale=finding.rationale,
                url=f"/findings/{base}",
            )
        )
    return sorted(rows, key=lambda r: (r.adopted_on or r.published_on or date.min, r.id))


# --- the summary ------------------------------------------------------------------------------------------


def _between(start: date, end: date) -> str:
    if start == end:
        return f"On {format_day(start)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"Between {start.day} and {format_day(end)}"
    if start.year == end.year:
        return f"Between {start.day} {start:%B} and {format_day(end)}"
    return f"Between {format_day(start)} and {format_day(end)}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _summary(
    stats: Statistics,
    status: CeasefireStatus,
    index: Escalation,
    findings: Sequence[FindingRow],
    complaint_rows: Sequence[ComplaintRow] | None,
    talks: Sequence[TalksRow],
    *,
    date_from: date,
    date_to: date,
    sees_all_verdicts: bool,
) -> list[str]:
    """Short sentences in the register of a monitoring mission's report: counts first, then verdicts."""
    lines = []
    shares = []
    for i, row in enumerate(stats.by_party):
        if row.party is None:
            shares.append(f"{row.violent} with no party named")
        elif i == 0:
            shares.append(f"{row.violent} alleged against {row.label}'s forces")
        else:
            shares.append(f"{row.violent} against {row.label}'s")
    violent = (
        f"{_count(stats.violent, 'incident')} involving violence ({', '.join(shares)})"
        if stats.violent
        else "no incident involving violence"
    )
    kinds = ", ".join(f"{n} {kind.lower()}" for kind, n in stats.other_kinds)
    other = f" and {_count(stats.other, 'other reported development')} ({kinds})" if stats.other else ""
    lines.append(f"{_between(date_from, date_to)}, the mechanism recorded {violent}{other}.")
    if stats.fatalities_high:
        lines.append(f"Fatalities reported: {stats.fatalities}.")
    elif stats.fatalities_unknown:
        lines.append(
            f"No source gave a figure of fatalities ({_count(stats.fatalities_unknown, 'incident')})."
        )
    else:
        lines.append("No fatalities were reported.")
    if status.start is not None:
        means = [
            f"{row.label} {row.weekly_mean:g} (before: {row.baseline:g})"
            for row in stats.by_party
            if row.baseline is not None
        ]
        if means:
            lines.append(
                "Violent incidents per week in the period against the weekly mean before the ceasefire: "
                + "; ".join(means)
                + "."
            )
    published_word = "adopted or published" if sees_all_verdicts else "published"
    if findings:
        verdicts = Counter(f.verdict for f in findings)
        confirmed_by = Counter(
            (f.responsible or "").split(" (")[0] for f in findings if f.verdict == "violation confirmed"
        )
        parts = []
        if verdicts["violation confirmed"]:
            by = ", ".join(f"{n} by {who}" for who, n in sorted(confirmed_by.items()) if who)
            parts.append(
                f"{_count(verdicts['violation confirmed'], 'violation')} confirmed"
                + (f" ({by})" if by else "")
            )
        if verdicts["not confirmed"]:
            parts.append(f"{verdicts['not confirmed']} not confirmed")
        if verdicts["inconclusive"]:
            parts.append(f"{verdicts['inconclusive']} inconclusive")
        lines.append(
            f"{_count(len(findings), 'finding')} {published_word} in the period: {'; '.join(parts)}."
        )
    else:
        lines.append(f"No finding was {published_word} in the period.")
    if complaint_rows is not None:
        start = datetime.combine(date_from, time.min, tzinfo=UTC)
        filed = [c for c in complaint_rows if c.filed_at >= start]
        by_party = Counter(c.complainant for c in filed)
        answered = sum(1 for c in complaint_rows if c.replied_at is not None and c.replied_at >= start)
        overdue = sum(1 for c in complaint_rows if c.is_overdue)
        who = ", ".join(f"{n} by {name}" for name, n in sorted(by_party.items()))
        lines.append(
            f"Complaints: {len(filed)} filed"
            + (f" ({who})" if who else "")
            + f"; {_count(answered, 'reply', 'replies')} received"
            + f"; {_count(overdue, 'reply', 'replies')} overdue."
        )
    if status.start is not None:
        if status.start > date_to:
            lines.append(f"The ceasefire took effect on {format_day(status.start)}, after this period.")
        elif status.last_confirmed is not None:
            lines.append(
                f"As of {format_day(date_to)}, {_count(status.days_since_last_confirmed or 0, 'day')} had "
                f"passed since the last confirmed violation ({format_day(status.last_confirmed)})."
            )
        else:
            days = _count(status.days_since_last_confirmed or 0, "day")
            lines.append(
                f"As of {format_day(date_to)}, no violation had been confirmed since the ceasefire took "
                f"effect on {format_day(status.start)} ({days})."
            )
    lines.append(
        f"The escalation index stood at {index.score:g} of 100 on {format_day(date_to)} "
        f"(level {index.level} of 5, {index.label})."
    )
    if talks:
        lines.append("Talks: " + "; ".join(f"{t.name}, {t.place} ({t.dates})" for t in talks) + ".")
    return lines


# --- HTML and PDF ---------------------------------------------------------------------------------------


@functools.cache
def _report_template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(),
    )
    return env.get_template("report.html")


def render_html(report: Report, *, scenario: Scenario, links: Sequence[tuple[str, str]] = ()) -> str:
    """The report as one self-contained HTML document (the web page, and the source of the PDF)."""
    return _report_template().render(
        report=report, links=links, reply_window_days=scenario.reply_window_days, week=timedelta(days=6)
    )


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The report's HTML as a PDF (WeasyPrint; the page size and footer come from the HTML's @page CSS)."""
    # Imported on use: it takes half a second to load. WeasyPrint ships no type information.
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf
