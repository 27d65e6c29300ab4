"""How a report words days, periods and counts: '3–9 November 2025', '2 complete weeks'."""

from __future__ import annotations

from datetime import date


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


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 incident", "3 incidents", "2 replies" (with `plural` for the irregular ones)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
