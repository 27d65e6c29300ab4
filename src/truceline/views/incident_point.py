"""One current incident as the incident index keeps it (`views/incident_index.py` builds and updates them):
compact, since ~400k are kept at 1M claims, with the parts many points share kept once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from truceline.wording import Allegation

VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
Verdict = tuple[str, str | None, str | None]  # (status, case id, responsible party)


@dataclass(frozen=True, slots=True)
class Place:
    """The named place of an incident and its precision: one copy shared by every point there (each point
    has its own coordinates)."""

    name: str | None
    admin1: str | None
    country: str | None
    geo_precision: int | None
    radius_km: float | None


@dataclass(frozen=True, slots=True)
class What:
    """What happened and who is said to have acted: one copy shared by every point saying the same."""

    event_type: str
    sub_event_type: str
    process_type: str | None
    alleged_party: str | None  # the party whose forces most claims say acted: an allegation, never a finding
    allegations: tuple[Allegation, ...]  # who alleges what against whom, each once
    actors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Figures:
    """The toll and the support: one copy shared by every point with the same figures."""

    fatalities_best: int | None  # None: no source gives a figure (unknown, not 0)
    fatalities_low: int | None
    fatalities_high: int | None
    independent_sources: int
    corroboration: float


NO_VERDICT: Verdict = ("reported", None, None)


@dataclass(frozen=True, slots=True)
class IncidentPoint:
    """One current incident, compact: for maps, lists, charts and exports. ~400k of them are kept at 1M
    claims, so a point holds only its id, its days and references to values shared with other points (its
    place, its kind and parties, its figures, its verdict); its title only when it is not the one
    `incident_title` gives for those. Read the fields through the properties."""

    id: str
    date_start: date | None
    date_end: date | None
    lat: float | None
    lon: float | None
    where: Place
    what: What
    figures: Figures
    verdict: Verdict
    own_title: str | None = None  # None: the usual title, made from the kind, the place and the days

    @property
    def title(self) -> str:
        return self.own_title if self.own_title is not None else usual_title(self)

    @property
    def event_type(self) -> str:
        return self.what.event_type

    @property
    def sub_event_type(self) -> str:
        return self.what.sub_event_type

    @property
    def process_type(self) -> str | None:
        return self.what.process_type

    @property
    def alleged_party(self) -> str | None:
        return self.what.alleged_party

    @property
    def allegations(self) -> tuple[Allegation, ...]:
        return self.what.allegations

    @property
    def actors(self) -> tuple[str, ...]:
        return self.what.actors

    @property
    def place(self) -> str | None:
        return self.where.name

    @property
    def admin1(self) -> str | None:
        return self.where.admin1

    @property
    def country(self) -> str | None:
        return self.where.country

    @property
    def geo_precision(self) -> int | None:
        return self.where.geo_precision

    @property
    def radius_km(self) -> float | None:
        return self.where.radius_km

    @property
    def fatalities_best(self) -> int | None:
        return self.figures.fatalities_best

    @property
    def fatalities_low(self) -> int | None:
        return self.figures.fatalities_low

    @property
    def fatalities_high(self) -> int | None:
        return self.figures.fatalities_high

    @property
    def independent_sources(self) -> int:
        return self.figures.independent_sources

    @property
    def corroboration(self) -> float:
        return self.figures.corroboration

    @property
    def status(self) -> str:
        return self.verdict[0]

    @property
    def case_id(self) -> str | None:
        return self.verdict[1]

    @property
    def responsible_party(self) -> str | None:
        return self.verdict[2]

    @property
    def is_violent(self) -> bool:
        return (
            self.what.event_type in VIOLENT_TYPES or self.what.process_type == "ceasefire_violation_alleged"
        )

    def with_verdict(self, verdict: Verdict) -> IncidentPoint:
        return replace(self, verdict=verdict)


def usual_title(point: IncidentPoint) -> str:
    """The title `incidents.rules.incident_title` gives an incident of this kind, place and days, e.g.
    "Air/drone strike — Kabul, 2025-10-09" (a point keeps its own title only when it differs)."""
    what, where = point.what, point.where
    kind = what.process_type.replace("_", " ").capitalize() if what.process_type else None
    place = where.name or where.admin1 or where.country or "place unknown"
    start, end = point.date_start, point.date_end
    if start is None:
        when = "date unknown"
    elif end is None or end == start:
        when = start.isoformat()
    else:
        when = f"{start.isoformat()} to {end.isoformat()}"
    return f"{kind or what.sub_event_type or what.event_type} — {place}, {when}"
