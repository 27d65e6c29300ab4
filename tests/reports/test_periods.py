"""The period a report covers: typed dates, the default week, the ready-made choices."""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.test_compliance import WEEK, add_incident
from truceline.errors import InvalidInput
from truceline.reports import periods
from truceline.runtime import Runtime
from truceline.scenarios import load_scenario


def test_the_period_defaults_to_the_last_full_week_and_refuses_bad_input() -> None:
    wednesday = date(2025, 11, 12)
    assert periods.parse_period("", "", today=wednesday) == WEEK
    assert periods.parse_period("", "2025-11-09", today=wednesday) == WEEK
    assert periods.parse_period("2025-11-10", "", today=wednesday) == (date(2025, 11, 10), wednesday)
    assert periods.parse_period("2025-01-01", "2026-01-01", today=wednesday)[1] == date(
        2026, 1, 1
    )  # 366 days
    with pytest.raises(InvalidInput, match="from: expected a date as YYYY-MM-DD"):
        periods.parse_period("last week", "", today=wednesday)
    with pytest.raises(InvalidInput, match="expected 'from' on or before 'to'"):
        periods.parse_period("2025-11-09", "2025-11-03", today=wednesday)
    with pytest.raises(InvalidInput, match="at most 366 days, found 367"):
        periods.parse_period("2025-01-01", "2026-01-02", today=wednesday)


def test_quick_periods_offer_last_week_30_days_and_the_ceasefire() -> None:
    scenario = load_scenario("af-pk-2025")
    quick = periods.quick_periods(scenario, today=date(2025, 11, 12))
    assert [(p.label, p.date_from, p.date_to) for p in quick] == [
        ("Last week", *WEEK),
        ("Last 30 days", date(2025, 10, 14), date(2025, 11, 12)),
        ("Since the ceasefire", date(2025, 10, 19), date(2025, 11, 12)),
    ]
    later = periods.quick_periods(scenario, today=date(2027, 1, 1))
    assert later[-1].label == "First year of the ceasefire"
    assert (later[-1].date_to - later[-1].date_from).days + 1 == periods.MAX_PERIOD_DAYS


def test_the_default_report_opens_on_the_last_complete_week_with_incidents_and_says_so(
    runtime: Runtime,
) -> None:
    with runtime.sessions() as session:
        empty = periods.default_week(session, runtime.scenario, today=date(2025, 11, 26))
    assert (empty.date_from, empty.date_to) == (date(2025, 11, 17), date(2025, 11, 23))
    assert empty.note is not None and "no incident is on record yet" in empty.note
    with runtime.transaction() as session:
        add_incident(session, "pk-1", date(2025, 11, 4))
        add_incident(session, "this-week", date(2025, 11, 25))  # the current week is not complete
    with runtime.sessions() as session:
        quiet = periods.default_week(session, runtime.scenario, today=date(2025, 11, 26))
        busy = periods.default_week(session, runtime.scenario, today=date(2025, 11, 12))
        chosen = periods.resolve_period(
            session, runtime.scenario, "2025-11-17", "2025-11-23", today=date(2025, 11, 26)
        )
    assert (quiet.date_from, quiet.date_to) == WEEK
    assert quiet.note == (
        "The last complete week that has incidents on record, 3–9 November 2025; the 2 complete weeks since "
        "then, up to 23 November 2025, had none."
    )
    assert (busy.date_from, busy.date_to, busy.note) == (*WEEK, "The last complete week, 3–9 November 2025.")
    assert chosen == periods.Period(date(2025, 11, 17), date(2025, 11, 23), None)
