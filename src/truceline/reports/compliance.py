"""The periodic compliance report: what happened in a period, as one principal may see it (`render` draws it).

`build_report` gathers the period's incidents, complaints and replies, findings and talks rounds, the
ceasefire status, the escalation index and the weekly series from the desk, and writes the summary in the
register of a monitoring mission's daily report. Each part passes the access policy: incidents need
`read_incident`, complaints are those the principal may read, findings are read through the cases service's
own check (so parties and the public get published findings only), penalties need `read_penalty`. A principal
who may not read every finding also does not learn an unpublished verdict from the incident statuses or the
counts: those verdicts show as "under verification" until the finding is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from truceline.cases.rules import FindingStatus
from truceline.db.versions import base_id
from truceline.reports import svg
from truceline.reports.complaints import ComplaintRow, list_complaint_rows
from truceline.reports.findings import FindingRow, findings_by_base, list_finding_rows
from truceline.reports.incidents import (
    IncidentRow,
    PartyRef,
    Statistics,
    incident_map,
    incident_row,
    period_ceasefire_status,
    period_statistics,
    recount_confirmed,
    without_unpublished_verdict,
)
from truceline.reports.periods import check_period, resolve_period
from truceline.reports.phrasing import format_period
from truceline.reports.summary import summarize
from truceline.reports.talks import TalksRow, list_talks_rows
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Role, Scope, can, scopes_for
from truceline.views import ceasefire as ceasefire_view
from truceline.views import filters as filters_view
from truceline.views import incidents as incident_view

CHART_WEEKS_BEFORE = 8  # the chart starts this many weeks before the period, for context


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
    ceasefire: ceasefire_view.CeasefireStatus
    escalation: ceasefire_view.Escalation
    escalation_svg: str
    weeks: list[ceasefire_view.WeekRow]
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
    versions_by_base = findings_by_base(session, as_of=as_of)
    published_cases = {
        base_id(versions[-1].case_id)
        for versions in versions_by_base.values()
        if versions[-1].status == FindingStatus.PUBLISHED.value
    }
    points = [
        p if sees_all_verdicts else without_unpublished_verdict(p, published_cases)
        for p in incident_view.incident_points(session, scenario, as_of=as_of)
    ]
    in_period = filters_view.filter_incidents(
        points, filters_view.IncidentFilter(date_from=date_from, date_to=date_to)
    )
    parties = [PartyRef(p.id, p.name, p.short_name, svg.colour_of(i)) for i, p in enumerate(scenario.parties)]
    status = period_ceasefire_status(session, scenario, points, date_to=date_to, as_of=as_of)
    weeks = ceasefire_view.weekly_counts(
        session,
        scenario,
        date_from=date_from - timedelta(weeks=CHART_WEEKS_BEFORE),
        date_to=date_to,
        as_of=as_of,
    )
    if not sees_all_verdicts:
        weeks = recount_confirmed(weeks, points)
    index = ceasefire_view.escalation(session, scenario, at=date_to, as_of=as_of)
    stats = period_statistics(in_period, parties, status.baseline, date_from=date_from, date_to=date_to)
    may_read_incidents = can(principal, Action.READ_INCIDENT)
    finding_rows = list_finding_rows(
        session, scenario, principal, versions_by_base, date_from=date_from, date_to=date_to
    )
    complaint_rows = (
        list_complaint_rows(session, scenario, principal, date_from=date_from, as_of=end_of_period)
        if scopes_for(principal.role, Action.READ_COMPLAINT)
        else None
    )
    talks = list_talks_rows(session, date_from=date_from, date_to=date_to)
    map_svg, map_note = (None, "") if not may_read_incidents else incident_map(scenario, in_period, parties)
    summary = summarize(
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
            labels=[label for _, label in ceasefire_view.LEVELS],
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
        incidents=None if not may_read_incidents else [incident_row(scenario, p) for p in in_period],
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
