"""The period's incidents as a report shows them: rows, statistics, the ceasefire status and the map."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from truceline.reports import svg
from truceline.reports.phrasing import counted
from truceline.scenarios.geography import get_geography
from truceline.scenarios.schema import Scenario
from truceline.views import ceasefire as ceasefire_view
from truceline.views import incidents as incident_view
from truceline.views import maps as map_view
from truceline.wording import allegation_words, fatalities_words, party_name

VERDICTS = ("violation_confirmed", "not_confirmed", "inconclusive")
STATUS_LABELS = {
    "reported": "reported",
    "under_verification": "under verification",
    "violation_confirmed": "violation confirmed",
    "not_confirmed": "not confirmed",
    "inconclusive": "inconclusive",
}


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


def without_unpublished_verdict(
    point: incident_view.IncidentPoint, published_cases: set[str]
) -> incident_view.IncidentPoint:
    if point.status in VERDICTS and point.case_id not in published_cases:
        return point.with_verdict(("under_verification", point.case_id, None))
    return point


def period_ceasefire_status(
    session: Session,
    scenario: Scenario,
    points: Sequence[incident_view.IncidentPoint],
    *,
    date_to: date,
    as_of: datetime | None,
) -> ceasefire_view.CeasefireStatus:
    """The desk's status at the end of the period: violations of later days do not count."""
    status = ceasefire_view.ceasefire_status(session, scenario, today=date_to, weeks=1, as_of=as_of)
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


def recount_confirmed(
    weeks: Sequence[ceasefire_view.WeekRow], points: Iterable[incident_view.IncidentPoint]
) -> list[ceasefire_view.WeekRow]:
    """The weekly confirmed counts from the points as this principal sees them."""
    confirmed = {w.week_start: dict.fromkeys(w.confirmed, 0) for w in weeks}
    for point in points:
        if point.date_start is None or not point.is_violent or point.status != "violation_confirmed":
            continue
        week = confirmed.get(ceasefire_view.week_start(point.date_start))
        if week is not None and point.responsible_party in week:
            week[point.responsible_party] += 1
    return [ceasefire_view.WeekRow(w.week_start, w.reported, confirmed[w.week_start]) for w in weeks]


def _kind(point: incident_view.IncidentPoint) -> str:
    if point.process_type:
        return point.process_type.replace("_", " ").capitalize()
    return point.sub_event_type or point.event_type


def _range(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}–{high}"


def _toll(points: Sequence[incident_view.IncidentPoint]) -> tuple[int, int, int]:
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


def incident_row(scenario: Scenario, point: incident_view.IncidentPoint) -> IncidentRow:
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


def period_statistics(
    points: Sequence[incident_view.IncidentPoint],
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


def incident_map(
    scenario: Scenario, points: Sequence[incident_view.IncidentPoint], parties: Sequence[PartyRef]
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
            radius_km=p.radius_km or map_view.PRECISION_RADIUS_KM.get(p.geo_precision or 3),
            group=group.get(p.alleged_party or ""),
            is_confirmed=p.status == "violation_confirmed",
            label=f"{p.date_start or 'undated'} · {p.place or 'unnamed place'} · {_kind(p)} · {p.title}",
        )
        for p in located
    ]
    notes = [f"{counted(len(located) - len(outside), 'located incident')} shown"]
    if outside:
        places = ", ".join(sorted({p.place or "unnamed place" for p in outside}))
        notes.append(f"{len(outside)} located outside the map area ({places})")
    if len(points) > len(located):
        notes.append(f"{len(points) - len(located)} without a location")
    title = f"Map of incidents, {scenario.name}"
    return svg.map_svg(base, shapes, title=title), "; ".join(notes) + "."
