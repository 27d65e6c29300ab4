"""The period a report covers: parsed from what a reader typed, the default week, the ready-made choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from truceline.errors import InvalidInput
from truceline.reports.phrasing import counted, format_day, format_period
from truceline.scenarios.schema import Scenario
from truceline.views import ceasefire as ceasefire_view
from truceline.views import filters as filters_view
from truceline.views import incidents as incident_view

MAX_PERIOD_DAYS = 366


def last_full_week(today: date) -> tuple[date, date]:
    """Monday to Sunday of the last ISO week that ended before `today`."""
    monday = ceasefire_view.week_start(today) - timedelta(days=7)
    return monday, monday + timedelta(days=6)


def parse_period(raw_from: str, raw_to: str, *, today: date) -> tuple[date, date]:
    """The period from two YYYY-MM-DD strings; both empty: the last full week; only `from`: up to today;
    only `to`: the week ending then. InvalidInput (one line) on a bad date, a reversed or too long period."""
    start, end = filters_view.parse_date(raw_from, what="from"), filters_view.parse_date(raw_to, what="to")
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
        for p in incident_view.incident_points(session, scenario, as_of=as_of)
        if p.date_start is not None and p.date_start <= sunday
    ]
    latest = max(days, default=None)
    if latest is None:
        note = f"The last complete week, {format_period(monday, sunday)}: no incident is on record yet."
        return Period(monday, sunday, note)
    if latest >= monday:
        return Period(monday, sunday, f"The last complete week, {format_period(monday, sunday)}.")
    start = ceasefire_view.week_start(latest)
    end = start + timedelta(days=6)
    quiet = counted((monday - start).days // 7, "complete week")
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
