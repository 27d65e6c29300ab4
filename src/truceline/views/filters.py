"""Which incidents a list, the map or a download shows: the filter, and parsing it from forms and queries."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from truceline.errors import InvalidInput
from truceline.views.incidents import IncidentPoint

INCIDENT_STATUSES = ("reported", "under_verification", "violation_confirmed", "not_confirmed", "inconclusive")


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """Which incidents a list, the map or a download shows; `at` is not a filter on the incidents but the day
    whose end the record is seen as of (None: now)."""

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    party: str | None = None
    status: str | None = None
    at: date | None = None

    @property
    def as_of(self) -> datetime | None:
        return end_of_day(self.at)

    @property
    def is_narrowing(self) -> bool:
        """Whether some incident may fail to match (`at` is not a filter on the incidents)."""
        return any((self.date_from, self.date_to, self.kind, self.party, self.status))

    def matches(self, point: IncidentPoint) -> bool:
        if self.date_from and (
            point.date_start is None or (point.date_end or point.date_start) < self.date_from
        ):
            return False
        if self.date_to and (point.date_start is None or point.date_start > self.date_to):
            return False
        if self.kind and self.kind not in (point.event_type, point.sub_event_type, point.process_type):
            return False
        if self.party and point.alleged_party != self.party and point.responsible_party != self.party:
            return False
        return not (self.status and point.status != self.status)

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for links that keep it)."""
        values = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "kind": self.kind or "",
            "party": self.party or "",
            "status": self.status or "",
            "at": self.at.isoformat() if self.at else "",
        }
        return {k: v for k, v in values.items() if v}


def parse_date(raw: str, *, what: str) -> date | None:
    """A YYYY-MM-DD date from a form or query, None when empty; InvalidInput naming the field otherwise."""
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}: expected a date as YYYY-MM-DD, found {text[:40]!r}") from None


def end_of_day(day: date | None) -> datetime | None:
    """The last moment of `day` in UTC: "as of 2025-11-08" means everything recorded by then."""
    return None if day is None else datetime.combine(day, time(23, 59, 59, 999999), tzinfo=UTC)


def parse_as_of(raw: str) -> datetime | None:
    """`?at=YYYY-MM-DD` as the end of that day; None (now) when empty; InvalidInput naming `at` otherwise."""
    return end_of_day(parse_date(raw, what="at"))


def parse_filter(
    *,
    date_from: str = "",
    date_to: str = "",
    kind: str = "",
    party: str = "",
    status: str = "",
    at: str = "",
) -> IncidentFilter:
    start, end = parse_date(date_from, what="from"), parse_date(date_to, what="to")
    if start and end and start > end:
        raise InvalidInput(f"dates: expected 'from' on or before 'to', found {start} after {end}")
    status = status.strip()
    if status and status not in INCIDENT_STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(INCIDENT_STATUSES)}, found {status[:40]!r}")
    return IncidentFilter(
        start,
        end,
        kind.strip()[:80] or None,
        party.strip()[:20] or None,
        status or None,
        parse_date(at, what="at"),
    )


def filter_from_query(params: Mapping[str, str]) -> IncidentFilter:
    """The filter of a page's or download's query string (from, to, kind, party, status, at)."""
    return parse_filter(
        date_from=params.get("from", ""),
        date_to=params.get("to", ""),
        kind=params.get("kind", ""),
        party=params.get("party", ""),
        status=params.get("status", ""),
        at=params.get("at", ""),
    )


def filter_incidents(points: Iterable[IncidentPoint], flt: IncidentFilter) -> list[IncidentPoint]:
    return [p for p in points if flt.matches(p)]


_filtered_lock = threading.Lock()
_filtered: dict[tuple[int, IncidentFilter], tuple[Sequence[IncidentPoint], list[IncidentPoint]]] = {}
MAX_FILTERED = 16


def filtered_incidents(points: Sequence[IncidentPoint], flt: IncidentFilter) -> Sequence[IncidentPoint]:
    """`filter_incidents` of the cached `incident_points` list, kept per list and filter: at 1M claims one
    pass over the index takes ~100 ms, and the list pages ask for the same filter page after page. The
    answer is shared: read it, never change it."""
    if not flt.is_narrowing:
        return points  # a copy of a 400k-point list is 3 MB, and up to MAX_FILTERED are kept
    key = (id(points), flt)
    with _filtered_lock:
        found = _filtered.get(key)
    if found is not None and found[0] is points:  # the entry holds `points`, so its id is not reused
        return found[1]
    result = filter_incidents(points, flt)
    with _filtered_lock:
        if len(_filtered) >= MAX_FILTERED:
            _filtered.clear()
        _filtered[key] = (points, result)
    return result
