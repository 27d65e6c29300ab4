"""The incident index: one compact, immutable point per current incident, built from the records in full or
brought up to date from the incidents, cases, complaints and findings recorded since it was built.

A point says what the incident's claims allege against which party and the verification status its cases and
findings give it. Only a finding names a responsible party; the claims' party is an allegation and is called
one. `views/incidents.py` keeps one index per view and decides when to build or update it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from truceline.cases.models import Case, Finding
from truceline.cases.rules import FindingStatus
from truceline.claims.models import Claim
from truceline.complaints.models import Complaint
from truceline.db.versions import base_id, latest_of
from truceline.incidents.models import Incident
from truceline.ledger.service import recorded_by
from truceline.scenarios.schema import Scenario
from truceline.views.incident_point import NO_VERDICT as NO_VERDICT
from truceline.views.incident_point import VIOLENT_TYPES as VIOLENT_TYPES
from truceline.views.incident_point import Figures as Figures
from truceline.views.incident_point import IncidentPoint as IncidentPoint
from truceline.views.incident_point import Place as Place
from truceline.views.incident_point import Verdict as Verdict
from truceline.views.incident_point import What as What
from truceline.views.incident_point import usual_title as usual_title
from truceline.wording import THE_REPORTS, Allegation, claimant_party

_T = TypeVar("_T")
ADOPTED = (FindingStatus.ADOPTED.value, FindingStatus.PUBLISHED.value)
# Incident rows decoded at a time, their member claims read in one query per batch: a decoded row takes ~3 KB
# for a moment, and fewer at a time keep the build's peak, and the memory it leaves fragmented, low.
ROWS_PER_BATCH = 500
CLAIMS_PER_QUERY = 5000  # ids in one IN (...): well under SQLite's 32,766 variables
MANY_NEW_POINTS = 1000  # past this many, new points are sorted in rather than inserted one by one


@dataclass(frozen=True, slots=True)
class IncidentIndex:
    """The points, newest first, and the verdict behind each status (to update them without a rebuild)."""

    points: list[IncidentPoint]
    verdicts: dict[str, Verdict]


def build_index(
    session: Session, scenario: Scenario, *, published_only: bool, as_of: datetime | None
) -> IncidentIndex:
    """Every current incident's point, read in batches: the member claims of one batch of incidents at a time
    (a claim map of the whole archive was most of the server's memory at 1M claims)."""
    successors = _successors(session, as_of)
    verdicts = _verdicts_by_incident(session, successors, published_only=published_only, as_of=as_of)
    rows = session.execute(
        _point_rows().where(recorded_by(Incident, as_of)).execution_options(yield_per=ROWS_PER_BATCH)
    )
    make = _PointMaker(session, scenario, verdicts)
    points: list[IncidentPoint] = []
    for batch in rows.partitions():
        points.extend(make([row for row in batch if row.id not in successors and row.claim_ids]))
    _sort_newest_first(points)
    return IncidentIndex(points, verdicts)


def update_index(
    session: Session,
    scenario: Scenario,
    index: IncidentIndex,
    *,
    published_only: bool,
    changed_incidents: Collection[str],
) -> IncidentIndex:
    """`index` brought up to date after new incident rows (`changed_incidents`: their ids) and new cases,
    complaints or findings were recorded: the points of the new rows and of the rows they supersede are
    replaced, and every point whose verdict changed gets its new status. Equal to a fresh `build_index`;
    applying the same rows twice changes nothing. A new list: the old one is shared and never changed."""
    successors = _successors(session, None)
    verdicts = _verdicts_by_incident(session, successors, published_only=published_only, as_of=None)
    touched = set(changed_incidents)
    for ids in _in_chunks(sorted(changed_incidents), CLAIMS_PER_QUERY):
        superseded = select(Incident.supersedes_id).where(
            Incident.id.in_(ids), Incident.supersedes_id.is_not(None)
        )
        touched.update(str(s) for s in session.scalars(superseded))
    make = _PointMaker(session, scenario, verdicts)
    new: list[IncidentPoint] = []
    for ids in _in_chunks(sorted(touched), ROWS_PER_BATCH):
        rows = session.execute(_point_rows().where(Incident.id.in_(ids))).all()
        new.extend(make([row for row in rows if row.id not in successors and row.claim_ids]))
    moved = {
        key for key in verdicts.keys() | index.verdicts.keys() if verdicts.get(key) != index.verdicts.get(key)
    }
    points = [
        _with_verdict(point, verdicts) if point.id in moved else point
        for point in index.points
        if point.id not in touched
    ]
    if len(new) > MANY_NEW_POINTS:
        points.extend(new)
        _sort_newest_first(points)
    else:
        for point in new:
            _insert_newest_first(points, point)
    return IncidentIndex(points, verdicts)


def _newest_first(point: IncidentPoint) -> tuple[date, str]:
    """The index's order, reversed: by start day, undated last, then by id."""
    return (point.date_start or date.min, point.id)


def _sort_newest_first(points: list[IncidentPoint]) -> None:
    """Sorts in the index's order by id, then (stable) by day: the same order as by `_newest_first`, without
    a new key tuple per point (400k of them were a peak of ~30 MB at 1M claims)."""
    points.sort(key=_id_of, reverse=True)
    points.sort(key=_day_of, reverse=True)  # reverse=True keeps equal days in the order they are in


def _id_of(point: IncidentPoint) -> str:
    return point.id


def _day_of(point: IncidentPoint) -> date:
    return point.date_start or date.min


def _insert_newest_first(points: list[IncidentPoint], point: IncidentPoint) -> None:
    points.insert(_place_of(points, _newest_first(point)), point)


def _place_of(points: Sequence[IncidentPoint], key: tuple[date, str]) -> int:
    """Where a point ordered by `key` is, or goes, in a list newest first (a binary search)."""
    low, high = 0, len(points)
    while low < high:
        middle = (low + high) // 2
        if _newest_first(points[middle]) > key:
            low = middle + 1
        else:
            high = middle
    return low


def find_point(
    points: Sequence[IncidentPoint], *, incident_id: str, date_start: date | None
) -> IncidentPoint | None:
    """The point of the incident in an index list (found by its place in the order, not by reading every
    point); None when the incident is not current."""
    place = _place_of(points, (date_start or date.min, incident_id))
    return points[place] if place < len(points) and points[place].id == incident_id else None


def _with_verdict(point: IncidentPoint, verdicts: Mapping[str, Verdict]) -> IncidentPoint:
    return point.with_verdict(verdicts.get(point.id, NO_VERDICT))


def _successors(session: Session, as_of: datetime | None) -> dict[str, list[str]]:
    """incident id -> the ids of the rows that supersede it."""
    successors: dict[str, list[str]] = defaultdict(list)
    versions = select(Incident.id, Incident.supersedes_id).where(
        Incident.supersedes_id.is_not(None), recorded_by(Incident, as_of)
    )
    for row_id, supersedes_id in session.execute(versions):
        successors[str(supersedes_id)].append(row_id)
    return successors


def _point_rows() -> Any:
    return select(
        Incident.id,
        Incident.title,
        Incident.date_start,
        Incident.date_end,
        Incident.event_type,
        Incident.sub_event_type,
        Incident.process_type,
        Incident.location,
        Incident.actors,
        Incident.fatalities,
        Incident.independent_sources,
        Incident.corroboration,
        Incident.claim_ids,
    )


@dataclass(frozen=True, slots=True)
class _Acting:
    """What one claim says about who acted: its actor1, and whether a claimant alleges it."""

    actor1: str
    alleged: bool
    claimant: str | None


class _PointMaker:
    """Points from incident rows, a batch at a time, their member claims read for that batch only. Keeps one
    copy of each repeated value (days, places, kinds with their parties, figures, verdicts): the index holds
    ~400k points at 1M claims, and a copy per point of each would be most of the server's memory."""

    def __init__(self, session: Session, scenario: Scenario, verdicts: Mapping[str, Verdict]) -> None:
        self.session = session
        self.scenario = scenario
        self.verdicts = verdicts
        self.party_of_actor: dict[str, str | None] = {actor.name: actor.party for actor in scenario.actors}
        self.speaks_for: dict[str, str | None] = {}
        self.one = _one_copy({})

    def __call__(self, rows: Sequence[Row[Any]]) -> list[IncidentPoint]:
        acting = self._acting({str(c) for row in rows for c in row.claim_ids})
        return [self._point(row, acting) for row in rows]

    def _acting(self, claim_ids: Collection[str]) -> dict[str, _Acting]:
        found: dict[str, _Acting] = {}
        for ids in _in_chunks(sorted(claim_ids), CLAIMS_PER_QUERY):
            query = select(Claim.id, Claim.actor1, Claim.alleged, Claim.claimant).where(
                Claim.id.in_(ids), Claim.actor1.is_not(None)
            )
            for row in self.session.execute(query):
                found[str(row.id)] = self.one(_Acting(str(row.actor1), bool(row.alleged), row.claimant))
        return found

    def _point(self, row: Row[Any], acting: Mapping[str, _Acting]) -> IncidentPoint:
        one = self.one
        location: Mapping[str, Any] = row.location or {}
        fatalities: Mapping[str, Any] = row.fatalities or {}
        best = _whole(fatalities.get("best"))
        said = [acting[c] for c in map(str, row.claim_ids) if c in acting]
        point = IncidentPoint(
            id=row.id,
            date_start=one(row.date_start),
            date_end=one(row.date_end),
            lat=_float(location.get("lat")),
            lon=_float(location.get("lon")),
            where=one(
                Place(
                    name=location.get("name"),
                    admin1=location.get("admin1"),
                    country=location.get("country"),
                    geo_precision=_whole(location.get("geo_precision")) or None,
                    radius_km=_float(location.get("radius_km")),
                )
            ),
            what=one(
                What(
                    event_type=row.event_type,
                    sub_event_type=row.sub_event_type,
                    process_type=row.process_type,
                    alleged_party=_alleged_party(said, self.party_of_actor),
                    allegations=self._allegations(said),
                    actors=tuple(str(a) for a in row.actors or ()),
                )
            ),
            figures=one(
                Figures(
                    fatalities_best=best,
                    fatalities_low=_whole(fatalities.get("low"), default=best),
                    fatalities_high=_whole(fatalities.get("high"), default=best),
                    independent_sources=row.independent_sources,
                    corroboration=row.corroboration,
                )
            ),
            verdict=one(self.verdicts.get(row.id, NO_VERDICT)),
        )
        return point if usual_title(point) == row.title else replace(point, own_title=row.title)

    def _allegations(self, said: Iterable[_Acting]) -> tuple[Allegation, ...]:
        """Each (claimant, accused party) the member claims make, once: the claimant as the claim names it,
        None where the source states it as fact, "an unnamed source" for an allegation without a claimant."""
        found: dict[tuple[str, str | None], Allegation] = {}
        for claim in said:
            against = self.party_of_actor.get(claim.actor1)
            if against is None:
                continue
            allegation = allegation_of(
                self.scenario, against, alleged=claim.alleged, claimant=claim.claimant, cache=self.speaks_for
            )
            found.setdefault((against, allegation.by), allegation)
        return tuple(sorted(found.values(), key=lambda a: (a.by is None, a.by or THE_REPORTS, a.against)))


def _in_chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _one_copy(shared: dict[Any, Any]) -> Callable[[_T], _T]:
    """value -> the first equal value seen (kept in `shared`): one copy of each repeated value."""

    def one(value: _T) -> _T:
        return value if value is None else shared.setdefault(value, value)

    return one


def _alleged_party(said: Iterable[_Acting], party_of_actor: Mapping[str, str | None]) -> str | None:
    """The party of the actor most member claims name as actor1 (who acted); None for armed groups."""
    named = Counter(claim.actor1 for claim in said)
    if not named:
        return None
    actor = min(named, key=lambda a: (-named[a], a))
    return party_of_actor.get(actor)


def allegation_of(
    scenario: Scenario, against: str, *, alleged: bool, claimant: str | None, cache: dict[str, str | None]
) -> Allegation:
    """What one claim alleges against `against`: by its claimant ("an unnamed source" when it names none),
    or by the reports themselves when the source states it as fact. `cache` keeps claimant -> party."""
    by = (claimant or "an unnamed source") if alleged else None
    if by is not None and by not in cache:
        cache[by] = claimant_party(scenario, by)
    return Allegation(against, by, cache[by] if by is not None else None)


def _whole(value: Any, *, default: int | None = None) -> int | None:
    """A figure as a whole number; `default` (None: unknown) when the record gives none."""
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _verdicts_by_incident(
    session: Session, successors: Mapping[str, list[str]], *, published_only: bool, as_of: datetime | None
) -> dict[str, Verdict]:
    """incident id -> (status, case id, responsible party), following merges and splits to current ids."""
    cases = latest_of(
        session.execute(
            select(Case.id, Case.incident_ids, Case.complaint_ids).where(recorded_by(Case, as_of))
        ).all()
    )
    if not cases:
        return {}
    complaint_incident = {
        str(row.id): str(row.incident_id)
        for row in session.execute(
            select(Complaint.id, Complaint.incident_id).where(
                Complaint.incident_id.is_not(None), recorded_by(Complaint, as_of)
            )
        )
    }
    findings: dict[str, Any] = latest_of(
        session.execute(
            select(
                Finding.id, Finding.case_id, Finding.status, Finding.verdict, Finding.responsible_party
            ).where(recorded_by(Finding, as_of))
        ).all()
    )
    adopted: dict[str, Any] = {}
    for finding in sorted(findings.values(), key=lambda f: f.id):
        if finding.status == FindingStatus.PUBLISHED.value or (
            not published_only and finding.status in ADOPTED
        ):
            adopted[base_id(finding.case_id)] = finding
    result: dict[str, Verdict] = {}
    for case_key, case in sorted(cases.items()):
        incident_ids = [str(i) for i in case.incident_ids or ()]
        incident_ids += [complaint_incident[c] for c in case.complaint_ids or () if c in complaint_incident]
        finding = adopted.get(case_key)
        verdict = (finding.verdict, case_key, finding.responsible_party) if finding else None
        for current in _current_ids(incident_ids, successors):
            previous = result.get(current)
            if verdict is not None:
                result[current] = verdict
            elif previous is None:
                result[current] = ("under_verification", case_key, None)
    return result


def _current_ids(ids: Iterable[str], successors: Mapping[str, list[str]]) -> set[str]:
    found: set[str] = set()
    todo, seen = list(ids), set()
    while todo:
        incident_id = todo.pop()
        if incident_id in seen:
            continue
        seen.add(incident_id)
        following = successors.get(incident_id)
        if following:
            todo.extend(following)
        else:
            found.add(incident_id)
    return found
