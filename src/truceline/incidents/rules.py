"""Canonical incident fields from member claims: date range, place, type, actors, fatalities, title."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from truceline.incidents.corroboration import corroborate
from truceline.incidents.geography import BorderGeography, haversine_km, radius_km_for
from truceline.incidents.values import Cluster, IncidentPlace, IncidentValue, SourceInfo
from truceline.pipeline.claims import ClaimValue, Fatalities

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date | None
    end: date | None
    time_precision: int | None


def canonical_dates(claims: Sequence[ClaimValue]) -> DateRange:
    """The span of the members' dates; precision is the best (lowest) precision code among them."""
    dates = sorted(c.event_date for c in claims if c.event_date is not None)
    if not dates:
        return DateRange(None, None, None)
    # Day-precise members pin the range; week/month dates only widen it when nothing better is known.
    precise = sorted(
        c.event_date for c in claims if c.event_date is not None and (c.time_precision or 1) == 1
    )
    chosen = precise or dates
    precisions = [c.time_precision or 1 for c in claims if c.event_date is not None]
    return DateRange(chosen[0], chosen[-1], min(precisions))


def canonical_place(claims: Sequence[ClaimValue]) -> IncidentPlace:
    """The most precise member location; if the most precise members disagree, their centroid with a radius.

    Disagree means two of them are further apart than the sum of their precision radii. The radius of
    a centroid reaches the furthest of them plus its own precision radius.
    """
    located = [c.location for c in claims if c.location.lat is not None and c.location.lon is not None]
    points = {id(loc): (float(loc.lat or 0.0), float(loc.lon or 0.0)) for loc in located}
    if not located:
        named = _majority(c.location.name for c in claims)
        countries = _majority(c.location.country for c in claims)
        return IncidentPlace(
            named, countries, _majority(c.location.admin1 for c in claims), None, None, None, None
        )
    best_precision = min(loc.geo_precision or 3 for loc in located)
    best = [loc for loc in located if (loc.geo_precision or 3) == best_precision]
    radius = radius_km_for(best_precision)
    name = _majority(loc.name for loc in best)
    first = next(loc for loc in best if loc.name == name) if name else best[0]
    spread = max(haversine_km(*points[id(a)], *points[id(b)]) for a in best for b in best)
    if spread <= 2 * radius:
        return IncidentPlace(
            name=first.name,
            country=first.country,
            admin1=first.admin1,
            lat=first.lat,
            lon=first.lon,
            geo_precision=best_precision,
            radius_km=radius,
            border_side=first.border_side,
            km_to_border=first.km_to_border,
        )
    lat = sum(points[id(loc)][0] for loc in best) / len(best)
    lon = sum(points[id(loc)][1] for loc in best) / len(best)
    reach = max(haversine_km(lat, lon, *points[id(loc)]) for loc in best)
    return IncidentPlace(
        name=name,
        country=_majority(loc.country for loc in best),
        admin1=_majority(loc.admin1 for loc in best),
        lat=round(lat, 5),
        lon=round(lon, 5),
        geo_precision=best_precision,
        radius_km=round(reach + radius, 1),
        is_centroid=True,
    )


def canonical_type(claims: Sequence[ClaimValue]) -> tuple[str, str, str | None]:
    """(event_type, sub_event_type, process_type) by majority; ties go to stated facts, then by name."""
    votes: dict[tuple[str, str, str], int] = {}
    for claim in claims:
        key = (claim.event_type, claim.sub_event_type, claim.process_type or "")
        votes[key] = votes.get(key, 0) + (2 if not claim.alleged else 1)
    (event_type, sub_event_type, process_type), _ = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return event_type, sub_event_type, process_type or None


def canonical_actors(claims: Sequence[ClaimValue]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(actor1, actor2, every actor by how many members name it)."""
    actor1 = _majority(c.actor1 for c in claims)
    actor2 = _majority(c.actor2 for c in claims if c.actor2 != actor1)
    counts = _counts(a for c in claims for a in {c.actor1, c.actor2} if a)
    ordered = tuple(a for a, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return actor1, actor2, ordered


def canonical_fatalities(claims: Sequence[ClaimValue]) -> Fatalities:
    """UCDP GED style: best = the most conservative well-supported figure, low = min, high = max.

    A figure is well supported when the outlet states it as fact (not as a party's allegation) or two
    or more members report it; if no figure is, every reported figure is considered. `best` is the
    lowest of the considered figures; `civilians` follows the same rule.
    """
    reported = [c for c in claims if c.fatalities.best is not None or c.fatalities.low is not None]
    if not reported:
        return Fatalities()
    best = _conservative(reported, lambda f: f.best if f.best is not None else f.low)
    lows = [v for c in reported for v in (c.fatalities.low, c.fatalities.best) if v is not None]
    highs = [
        v for c in reported for v in (c.fatalities.high, c.fatalities.best, c.fatalities.low) if v is not None
    ]
    civilians_reported = [c for c in claims if c.fatalities.civilians is not None]
    civilians = _conservative(civilians_reported, lambda f: f.civilians) if civilians_reported else None
    return Fatalities(best=best, low=min(lows), high=max(highs), civilians=civilians)


def _conservative(claims: Sequence[ClaimValue], figure: Callable[[Fatalities], int | None]) -> int | None:
    values = [(figure(c.fatalities), c.alleged) for c in claims]
    counts = _counts(v for v, _ in values if v is not None)
    supported = [v for v, alleged in values if v is not None and (not alleged or counts[v] >= 2)]
    considered = supported or [v for v, _ in values if v is not None]
    return min(considered) if considered else None


def incident_title(
    *, event_type: str, sub_event_type: str, process_type: str | None, place: IncidentPlace, dates: DateRange
) -> str:
    """E.g. "Air/drone strike — Kabul, 2025-10-09" or "Talks held — Doha, 2025-10-18 to 2025-10-19"."""
    what = process_type.replace("_", " ").capitalize() if process_type else sub_event_type or event_type
    where = place.name or place.admin1 or place.country or "place unknown"
    if dates.start is None:
        when = "date unknown"
    elif dates.end is None or dates.end == dates.start:
        when = dates.start.isoformat()
    else:
        when = f"{dates.start.isoformat()} to {dates.end.isoformat()}"
    return f"{what} — {where}, {when}"


def build_incident(
    cluster: Cluster,
    *,
    sources: Mapping[str, SourceInfo] | None = None,
    geography: BorderGeography | None = None,
) -> IncidentValue:
    """The incident a cluster stands for: canonical fields, independent sources and corroboration."""
    return build_incidents([cluster], sources=sources, geography=geography)[0]


def build_incidents(
    clusters: Sequence[Cluster],
    *,
    sources: Mapping[str, SourceInfo] | None = None,
    geography: BorderGeography | None = None,
) -> list[IncidentValue]:
    """`build_incident` of each cluster; the border side and distance of all their places in one pass."""
    places = [canonical_place(cluster.claims) for cluster in clusters]
    located = [i for i, place in enumerate(places) if place.lat is not None and place.lon is not None]
    if geography is not None and located:
        # Only the side and the distance are kept (what `locate_on_border` adds — crossing, admin unit,
        # sector — would be thrown away, and the admin layers are most of the geodata to load).
        found = geography.sides_and_km_to_border(
            [float(places[i].lat or 0.0) for i in located], [float(places[i].lon or 0.0) for i in located]
        )
        for i, (side, km_to_border) in zip(located, found, strict=True):
            places[i] = places[i].on_border(border_side=side, km_to_border=km_to_border)
    return [
        _incident(cluster, place, sources=sources) for cluster, place in zip(clusters, places, strict=True)
    ]


def _incident(
    cluster: Cluster, place: IncidentPlace, *, sources: Mapping[str, SourceInfo] | None
) -> IncidentValue:
    claims = cluster.claims
    dates = canonical_dates(claims)
    event_type, sub_event_type, process_type = canonical_type(claims)
    actor1, actor2, actors = canonical_actors(claims)
    support = corroborate(claims, sources=sources)
    return IncidentValue(
        id=cluster.id,
        title=incident_title(
            event_type=event_type,
            sub_event_type=sub_event_type,
            process_type=process_type,
            place=place,
            dates=dates,
        ),
        event_type=event_type,
        sub_event_type=sub_event_type,
        process_type=process_type,
        date_start=dates.start,
        date_end=dates.end,
        time_precision=dates.time_precision,
        actor1=actor1,
        actor2=actor2,
        actors=actors,
        location=place,
        fatalities=canonical_fatalities(claims),
        claim_ids=cluster.claim_ids,
        independent_sources=support.independent_sources,
        corroboration=support.score,
        reasons=support.reasons,
    )


def _majority(values: Iterable[str | None]) -> str | None:
    counts = _counts(v for v in values if v)
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _counts(values: Iterable[_T]) -> dict[_T, int]:
    """How often each value occurs (a `Counter` without its constructor's cost: most clusters are small)."""
    counts: dict[_T, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
