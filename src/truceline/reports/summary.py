"""The report's summary: short sentences in the register of a monitoring mission's report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

from truceline.reports.complaints import ComplaintRow
from truceline.reports.findings import FindingRow
from truceline.reports.incidents import Statistics
from truceline.reports.phrasing import counted, format_day
from truceline.reports.talks import TalksRow
from truceline.views import ceasefire as ceasefire_view


def _between(start: date, end: date) -> str:
    if start == end:
        return f"On {format_day(start)}"
    if (start.year, start.month) == (end.year, end.month):
        return f"Between {start.day} and {format_day(end)}"
    if start.year == end.year:
        return f"Between {start.day} {start:%B} and {format_day(end)}"
    return f"Between {format_day(start)} and {format_day(end)}"


def summarize(
    stats: Statistics,
    status: ceasefire_view.CeasefireStatus,
    index: ceasefire_view.Escalation,
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
        f"{counted(stats.violent, 'incident')} involving violence ({', '.join(shares)})"
        if stats.violent
        else "no incident involving violence"
    )
    kinds = ", ".join(f"{n} {kind.lower()}" for kind, n in stats.other_kinds)
    other = f" and {counted(stats.other, 'other reported development')} ({kinds})" if stats.other else ""
    lines.append(f"{_between(date_from, date_to)}, the mechanism recorded {violent}{other}.")
    if stats.fatalities_high:
        lines.append(f"Fatalities reported: {stats.fatalities}.")
    elif stats.fatalities_unknown:
        lines.append(
            f"No source gave a figure of fatalities ({counted(stats.fatalities_unknown, 'incident')})."
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
                f"{counted(verdicts['violation confirmed'], 'violation')} confirmed"
                + (f" ({by})" if by else "")
            )
        if verdicts["not confirmed"]:
            parts.append(f"{verdicts['not confirmed']} not confirmed")
        if verdicts["inconclusive"]:
            parts.append(f"{verdicts['inconclusive']} inconclusive")
        lines.append(
            f"{counted(len(findings), 'finding')} {published_word} in the period: {'; '.join(parts)}."
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
            + f"; {counted(answered, 'reply', 'replies')} received"
            + f"; {counted(overdue, 'reply', 'replies')} overdue."
        )
    if status.start is not None:
        if status.start > date_to:
            lines.append(f"The ceasefire took effect on {format_day(status.start)}, after this period.")
        elif status.last_confirmed is not None:
            lines.append(
                f"As of {format_day(date_to)}, {counted(status.days_since_last_confirmed or 0, 'day')} had "
                f"passed since the last confirmed violation ({format_day(status.last_confirmed)})."
            )
        else:
            days = counted(status.days_since_last_confirmed or 0, "day")
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
