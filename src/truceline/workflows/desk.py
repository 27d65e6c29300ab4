"""The mediator's desk: what the dashboard, map, timeline and reports show, computed from the records.

Everything here starts from `incident_points`: one compact, immutable row per current incident with what its
claims allege against which party and the verification status the cases and findings give it. Only a finding
names a responsible party; the claims' party is an allegation and is called one.

Every view can be asked `as_of` a past moment: it is then built only from records whose ledger entry is at or
before that moment (the ledger's time is the clock), so a later decision never rewrites what the desk said
that day. The list is cached per database, ledger size and moment: every write appends a ledger entry, so a
new size means new data.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from truceline.cases import service as cases_service
from truceline.cases.models import Case, Finding
from truceline.cases.rules import FindingStatus, base_id, version_of
from truceline.claims.models import Claim, ClaimReview
from truceline.complaints import service as complaints_service
from truceline.complaints.models import Complaint
from truceline.complaints.rules import reply_deadline
from truceline.documents.models import Document
from truceline.errors import InvalidInput, NotFound
from truceline.incidents import service as incidents_service
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.schemas import CheckpointRead
from truceline.ledger.service import recorded_by, size_at
from truceline.scenarios.schema import Scenario
from truceline.talks.models import TalksRound
from truceline.users.rules import Action, Principal, Scope, scopes_for
from truceline.views.ledger import published_checkpoint
from truceline.wording import (
    THE_REPORTS,
    Allegation,
    allegation_words,
    claimant_party,
    fatalities_words,
    party_name,
    responsible_words,
    verdict_words,
)
from truceline.workflows import verification

INCIDENT_STATUSES = ("reported", "under_verification", "violation_confirmed", "not_confirmed", "inconclusive")
ADOPTED = (FindingStatus.ADOPTED.value, FindingStatus.PUBLISHED.value)
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
# How much one incident of each type adds to the severity part of the escalation index.
SEVERITY = {
    "Battles": 1.0,
    "Explosions/Remote violence": 1.0,
    "Violence against civilians": 0.8,
    "Riots": 0.3,
    "Protests": 0.1,
    "Strategic developments": 0.2,
}
# The value of each part at which it counts as fully escalated (1.0).
SEVERITY_FULL = 10.0
FATALITIES_FULL = 50.0
THREATS_FULL = 5.0
THREAT_WEIGHTS = {"threat_or_warning": 1.0, "accusation": 0.5, "ceasefire_violation_alleged": 0.5}
TALKS_PROCESS = frozenset({"talks_held", "ceasefire_agreed"})
STALLED_OUTCOME = re.compile(r"without (an )?agreement|collapsed|broke down|failed|suspended", re.IGNORECASE)
MAX_WEEKS = 104
LEVELS = ((20.0, "Calm"), (40.0, "Tense"), (60.0, "Elevated"), (80.0, "High"), (math.inf, "Critical"))


@dataclass(frozen=True, slots=True)
class IncidentPoint:
    """One current incident, compact: for maps, lists, charts and exports."""

    id: str
    title: str
    date_start: date | None
    date_end: date | None
    event_type: str
    sub_event_type: str
    process_type: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    radius_km: float | None
    place: str | None
    admin1: str | None
    country: str | None
    alleged_party: str | None  # the party whose forces most claims say acted: an allegation, never a finding
    allegations: tuple[Allegation, ...]  # who alleges what against whom, each once
    actors: tuple[str, ...]
    fatalities_best: int | None  # None: no source gives a figure (unknown, not 0)
    fatalities_low: int | None
    fatalities_high: int | None
    independent_sources: int
    corroboration: float
    status: str
    case_id: str | None
    responsible_party: str | None

    @property
    def is_violent(self) -> bool:
        return self.event_type in VIOLENT_TYPES or self.process_type == "ceasefire_violation_alleged"


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


# --- the incident index -----------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, bool, str], tuple[tuple[int, str], list[IncidentPoint]]] = {}
MAX_CACHED_VIEWS = 64  # (database, scenario, verdicts, moment) lists kept; past days asked for add one each


def ledger_size(session: Session) -> int:
    """Entries are numbered 0, 1, 2... with no gaps (`ledger verify` checks it): the size is max(seq) + 1,
    which the primary key answers without counting rows."""
    top = session.scalar(select(func.max(LedgerEntryRow.seq)))
    return 0 if top is None else int(top) + 1


def ledger_head(session: Session) -> tuple[int, str]:
    """(size, leaf hash of the last entry): the ledger's state, even across databases sharing a URL."""
    row = session.execute(
        select(LedgerEntryRow.seq, LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.seq.desc()).limit(1)
    ).first()
    return (0, "") if row is None else (int(row.seq) + 1, str(row.leaf_hash))


# Entries of these kinds change what `incident_points` computes; anything else (claims before they are
# clustered, reviews, users, evidence, alerts...) leaves the points as they were.
POINT_KINDS = ("incidents", "cases", "complaints", "findings")


def sees_every_verdict(principal: Principal | None) -> bool:
    """Mediators and analysts see adopted findings at once; everyone else only once they are published."""
    return principal is None or Scope.ANY in scopes_for(principal.role, Action.READ_FINDING)


def incident_points(
    session: Session,
    scenario: Scenario,
    principal: Principal | None = None,
    *,
    as_of: datetime | None = None,
) -> list[IncidentPoint]:
    """Every current incident, newest first, with the status `principal` may see (None: the mechanism's own
    view). A verdict adopted but not yet published shows as `under_verification` to parties and the public.
    With `as_of`, the incidents, cases and findings as the ledger held them then. Recomputed only when the
    ledger has grown."""
    full = sees_every_verdict(principal)
    key = (str(session.get_bind().engine.url), scenario.id, full, "" if as_of is None else as_of.isoformat())
    head = ledger_head(session)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == head:
        return cached[1]
    if cached is not None and _unchanged_since(session, cached[0], head):
        points = cached[1]
    else:
        points = _load_points(session, scenario, published_only=not full, as_of=as_of)
    with _cache_lock:
        if len(_cache) >= MAX_CACHED_VIEWS and key not in _cache:
            _cache.clear()
        _cache[key] = (head, points)
    return points


def _unchanged_since(session: Session, before: tuple[int, str], now: tuple[int, str]) -> bool:
    """True when the ledger only grew since `before`, by entries that do not touch incident points."""
    size, leaf = before
    if now[0] < size or size == 0:
        return False
    same_start = (
        session.scalar(select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq == size - 1)) == leaf
    )
    touching = session.scalar(
        select(LedgerEntryRow.seq)
        .where(LedgerEntryRow.seq >= size, LedgerEntryRow.kind.in_(POINT_KINDS))
        .limit(1)
    )
    return same_start and touching is None


def _load_points(
    session: Session, scenario: Scenario, *, published_only: bool, as_of: datetime | None
) -> list[IncidentPoint]:
    party_of_actor: dict[str, str | None] = {actor.name: actor.party for actor in scenario.actors}
    rows = session.execute(
        select(
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
            Incident.supersedes_id,
        ).where(recorded_by(Incident, as_of))
    ).all()
    successors: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.supersedes_id:
            successors[row.supersedes_id].append(row.id)
    verdicts = _verdicts_by_incident(session, successors, published_only=published_only, as_of=as_of)
    # A claim is recorded before any incident that names it, so the incidents' own time bounds them.
    acting = {
        str(row.id): _Acting(str(row.actor1), bool(row.alleged), row.claimant)
        for row in session.execute(
            select(Claim.id, Claim.actor1, Claim.alleged, Claim.claimant).where(Claim.actor1.is_not(None))
        )
    }
    speaks_for: dict[str, str | None] = {}
    points = []
    for row in rows:
        if row.id in successors or not row.claim_ids:
            continue
        location: Mapping[str, Any] = row.location or {}
        fatalities: Mapping[str, Any] = row.fatalities or {}
        actors = tuple(str(a) for a in row.actors or ())
        status, case_id, responsible = verdicts.get(row.id, ("reported", None, None))
        best = _whole(fatalities.get("best"))
        claim_ids = [str(c) for c in row.claim_ids]
        points.append(
            IncidentPoint(
                id=row.id,
                title=row.title,
                date_start=row.date_start,
                date_end=row.date_end,
                event_type=row.event_type,
                sub_event_type=row.sub_event_type,
                process_type=row.process_type,
                lat=_float(location.get("lat")),
                lon=_float(location.get("lon")),
                geo_precision=_whole(location.get("geo_precision")) or None,
                radius_km=_float(location.get("radius_km")),
                place=location.get("name"),
                admin1=location.get("admin1"),
                country=location.get("country"),
                alleged_party=_alleged_party(claim_ids, acting, party_of_actor),
                allegations=_allegations(claim_ids, acting, party_of_actor, scenario, speaks_for),
                actors=actors,
                fatalities_best=best,
                fatalities_low=_whole(fatalities.get("low"), default=best),
                fatalities_high=_whole(fatalities.get("high"), default=best),
                independent_sources=row.independent_sources,
                corroboration=row.corroboration,
                status=status,
                case_id=case_id,
                responsible_party=responsible,
            )
        )
    points.sort(key=lambda p: (p.date_start or date.min, p.id), reverse=True)
    return points


@dataclass(frozen=True, slots=True)
class _Acting:
    """What one claim says about who acted: its actor1, and whether a claimant alleges it."""

    actor1: str
    alleged: bool
    claimant: str | None


def _alleged_party(
    claim_ids: Iterable[str], acting: Mapping[str, _Acting], party_of_actor: Mapping[str, str | None]
) -> str | None:
    """The party of the actor most member claims name as actor1 (who acted); None for armed groups."""
    named = Counter(acting[c].actor1 for c in claim_ids if c in acting)
    if not named:
        return None
    actor = min(named, key=lambda a: (-named[a], a))
    return party_of_actor.get(actor)


def _allegations(
    claim_ids: Iterable[str],
    acting: Mapping[str, _Acting],
    party_of_actor: Mapping[str, str | None],
    scenario: Scenario,
    speaks_for: dict[str, str | None],
) -> tuple[Allegation, ...]:
    """Each (claimant, accused party) the member claims make, once: the claimant as the claim names it,
    None where the source states it as fact, "an unnamed source" for an allegation without a claimant."""
    found: dict[tuple[str, str | None], Allegation] = {}
    for claim_id in claim_ids:
        said = acting.get(claim_id)
        against = party_of_actor.get(said.actor1) if said else None
        if said is None or against is None:
            continue
        allegation = _allegation(
            scenario, against, alleged=said.alleged, claimant=said.claimant, cache=speaks_for
        )
        found.setdefault((against, allegation.by), allegation)
    return tuple(sorted(found.values(), key=lambda a: (a.by is None, a.by or THE_REPORTS, a.against)))


def _allegation(
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


def _latest_versions(rows: Iterable[Any]) -> dict[str, Any]:
    latest: dict[str, Any] = {}
    for row in rows:
        key = base_id(row.id)
        if key not in latest or version_of(row.id) > version_of(latest[key].id):
            latest[key] = row
    return latest


def _verdicts_by_incident(
    session: Session, successors: Mapping[str, list[str]], *, published_only: bool, as_of: datetime | None
) -> dict[str, tuple[str, str | None, str | None]]:
    """incident id -> (status, case id, responsible party), following merges and splits to current ids."""
    cases = _latest_versions(
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
    findings = _latest_versions(
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
    result: dict[str, tuple[str, str | None, str | None]] = {}
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


# --- ceasefire status -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekRow:
    week_start: date
    reported: dict[str, int]
    confirmed: dict[str, int]


@dataclass(frozen=True, slots=True)
class CeasefireStatus:
    start: date | None
    last_confirmed: date | None
    days_since_last_confirmed: int | None
    baseline: dict[str, float]
    weeks: list[WeekRow]
    parties: list[str] = field(default_factory=list)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_counts(
    session: Session,
    scenario: Scenario,
    *,
    date_from: date,
    date_to: date,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> list[WeekRow]:
    """Per ISO week (Monday) from `date_from` to `date_to`: violent incidents the claims allege against each
    party, and incidents a finding confirmed as a violation by each party."""
    points = incident_points(session, scenario, principal, as_of=as_of)
    return _weeks(points, scenario, date_from=date_from, date_to=date_to)


def _weeks(
    points: Sequence[IncidentPoint], scenario: Scenario, *, date_from: date, date_to: date
) -> list[WeekRow]:
    parties = [p.id for p in scenario.parties]
    first, last = week_start(date_from), week_start(date_to)
    reported: dict[date, dict[str, int]] = {}
    confirmed: dict[date, dict[str, int]] = {}
    day = first
    while day <= last:
        reported[day] = dict.fromkeys(parties, 0)
        confirmed[day] = dict.fromkeys(parties, 0)
        day += timedelta(days=7)
    for point in points:
        if point.date_start is None or not point.is_violent:
            continue
        week = week_start(point.date_start)
        if week not in reported:
            continue
        if point.alleged_party in reported[week]:
            reported[week][point.alleged_party] += 1
        if point.status == "violation_confirmed" and point.responsible_party in confirmed[week]:
            confirmed[week][point.responsible_party] += 1
    return [WeekRow(week, reported[week], confirmed[week]) for week in sorted(reported)]


def ceasefire_status(
    session: Session,
    scenario: Scenario,
    *,
    today: date,
    weeks: int | None = None,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> CeasefireStatus:
    """Days since the last confirmed violation and the weekly series; by default the series runs from the
    baseline weeks before the ceasefire to today (at most two years), else the last `weeks` weeks.
    Confirmed means by a finding `principal` may see (see `incident_points`), recorded by `as_of`."""
    points = incident_points(session, scenario, principal, as_of=as_of)
    parties = [p.id for p in scenario.parties]
    confirmed_days = [
        p.date_start for p in points if p.status == "violation_confirmed" and p.date_start is not None
    ]
    last_confirmed = max(confirmed_days, default=None)
    start = scenario.ceasefire.start if scenario.ceasefire else None
    since = last_confirmed or start
    baseline = dict.fromkeys(parties, 0.0)
    if scenario.ceasefire is not None:
        n = scenario.ceasefire.baseline_weeks
        before = _weeks(
            points,
            scenario,
            date_from=week_start(scenario.ceasefire.start) - timedelta(weeks=n),
            date_to=week_start(scenario.ceasefire.start) - timedelta(days=1),
        )
        baseline = {party: round(sum(w.reported[party] for w in before) / n, 2) for party in parties}
    if weeks is None and scenario.ceasefire is not None:
        first = week_start(scenario.ceasefire.start) - timedelta(weeks=scenario.ceasefire.baseline_weeks)
        date_from = max(first, week_start(today) - timedelta(weeks=MAX_WEEKS - 1))
    else:
        date_from = week_start(today) - timedelta(weeks=(weeks or 12) - 1)
    return CeasefireStatus(
        start=start,
        last_confirmed=last_confirmed,
        days_since_last_confirmed=(today - since).days if since and since <= today else None,
        baseline=baseline,
        weeks=_weeks(points, scenario, date_from=date_from, date_to=today),
        parties=parties,
    )


# --- escalation index -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EscalationPart:
    name: str
    label: str
    weight: float
    value: float
    detail: str


@dataclass(frozen=True, slots=True)
class Escalation:
    score: float
    level: int
    label: str
    parts: list[EscalationPart]
    window_start: date
    window_end: date


def escalation(
    session: Session,
    scenario: Scenario,
    *,
    at: date,
    principal: Principal | None = None,
    as_of: datetime | None = None,
) -> Escalation:
    """A transparent 0–100 index over the window ending at `at`: each part is 0–1 and has its weight."""
    settings = scenario.escalation
    start = at - timedelta(days=settings.window_days - 1)
    points = incident_points(session, scenario, principal, as_of=as_of)
    window = [p for p in points if p.date_start is not None and start <= p.date_start <= at]
    severity = sum(SEVERITY.get(p.event_type, 0.2) for p in window if p.process_type not in THREAT_WEIGHTS)
    deaths = sum(p.fatalities_best or 0 for p in window)
    unknown = sum(1 for p in window if p.fatalities_best is None)
    threats = sum(THREAT_WEIGHTS.get(p.process_type or "", 0.0) for p in window)
    talks_value, talks_detail = _talks_part(session, at, points=points, as_of=as_of)
    days = settings.window_days
    parts = [
        EscalationPart(
            "severity",
            "Incident severity",
            settings.severity,
            min(1.0, severity / SEVERITY_FULL),
            f"{len(window)} incident(s) in {days} days, {severity:g} severity points of {SEVERITY_FULL:g}",
        ),
        EscalationPart(
            "fatalities",
            "Fatalities",
            settings.fatalities,
            min(1.0, deaths / FATALITIES_FULL),
            f"{deaths} reported killed in {days} days (full at {FATALITIES_FULL:g})"
            + (f"; {unknown} incident(s) with an unknown toll" if unknown else ""),
        ),
        EscalationPart(
            "threats",
            "Threats and ultimatums",
            settings.threats,
            min(1.0, threats / THREATS_FULL),
            f"{threats:g} threat points in {days} days (a threat counts 1, an accusation 0.5; full at "
            f"{THREATS_FULL:g})",
        ),
        EscalationPart("talks", "Talks status", settings.talks, talks_value, talks_detail),
    ]
    total_weight = sum(p.weight for p in parts) or 1.0
    score = round(100 * sum(p.weight * p.value for p in parts) / total_weight, 1)
    level = next(i for i, (bound, _) in enumerate(LEVELS, start=1) if score < bound)
    return Escalation(score, level, LEVELS[level - 1][1], parts, start, at)


def _talks_part(
    session: Session, at: date, *, points: Sequence[IncidentPoint], as_of: datetime | None
) -> tuple[float, str]:
    """0 while talks are recent and the ceasefire holds; rising to 1 when it collapsed or talks stalled."""
    events: list[tuple[date, str, str]] = []
    query = select(TalksRound.name, TalksRound.end_date, TalksRound.outcome).where(
        recorded_by(TalksRound, as_of)
    )
    for talks in session.execute(query).all():
        if talks.end_date <= at:
            kind = "stalled" if STALLED_OUTCOME.search(talks.outcome or "") else "talks"
            events.append((talks.end_date, kind, talks.name))
    for point in points:
        if point.date_start is None or point.date_start > at:
            continue
        if point.process_type == "ceasefire_collapsed":
            events.append((point.date_start, "collapsed", point.title))
        elif point.process_type in TALKS_PROCESS:
            events.append((point.date_start, "talks", point.title))
    if not events:
        return 0.5, "no talks or ceasefire on record"
    day, kind, name = max(events, key=lambda e: (e[0], e[1] == "collapsed"))
    age = (at - day).days
    if kind == "collapsed":
        return 1.0, f"ceasefire reported collapsed on {day} ({name})"
    drift = min(1.0, max(0.0, (age - 30) / 90))
    if kind == "stalled":
        return max(0.75, drift), f"last talks ended without agreement on {day} ({name})"
    return drift, f"last talks or ceasefire step {age} day(s) ago: {name}, {day}"


# --- timeline -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineItem:
    day: date
    kind: str
    title: str
    url: str | None
    detail: str


def timeline(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    as_of: datetime | None = None,
) -> list[TimelineItem]:
    """Incidents, talks rounds, ceasefire steps and findings the principal may see, newest first; with
    `as_of`, as the record stood then (a finding with the status it had)."""
    items: list[TimelineItem] = []
    if scenario.ceasefire is not None:
        items.append(TimelineItem(scenario.ceasefire.start, "ceasefire", "Ceasefire takes effect", None, ""))
    for talks in session.execute(
        select(TalksRound.name, TalksRound.place, TalksRound.start_date, TalksRound.outcome).where(
            recorded_by(TalksRound, as_of)
        )
    ):
        items.append(
            TimelineItem(talks.start_date, "talks", talks.name, None, f"{talks.place}. {talks.outcome}")
        )
    if scopes_for(principal.role, Action.READ_INCIDENT):
        items.extend(_incident_items(incident_points(session, scenario, principal, as_of=as_of)))
    items.extend(_finding_items(session, scenario, principal, as_of=as_of))
    kept = [
        i
        for i in items
        if (date_from is None or i.day >= date_from) and (date_to is None or i.day <= date_to)
    ]
    return sorted(kept, key=lambda i: (i.day, i.kind, i.title), reverse=True)


_items_cache: dict[int, tuple[list[IncidentPoint], list[TimelineItem]]] = {}


def _incident_items(points: list[IncidentPoint]) -> list[TimelineItem]:
    """Timeline items of the incidents, made once per computed point list (which is immutable)."""
    with _cache_lock:
        cached = _items_cache.get(id(points))
    if cached is not None and cached[0] is points:
        return cached[1]
    items = []
    for point in points:
        if point.date_start is None:
            continue
        kind = (
            "ceasefire" if point.process_type in ("ceasefire_agreed", "ceasefire_collapsed") else "incident"
        )
        detail = ", ".join(x for x in (point.place, point.event_type, _status_label(point.status)) if x)
        items.append(TimelineItem(point.date_start, kind, point.title, f"/incidents/{point.id}", detail))
    with _cache_lock:
        if len(_items_cache) > 8:
            _items_cache.clear()
        _items_cache[id(points)] = (points, items)
    return items


def _status_label(status: str) -> str:
    return "" if status == "reported" else status.replace("_", " ")


def _finding_items(
    session: Session, scenario: Scenario, principal: Principal, *, as_of: datetime | None
) -> list[TimelineItem]:
    scopes = scopes_for(principal.role, Action.READ_FINDING)
    if not scopes & {Scope.ANY, Scope.PUBLISHED}:
        return []
    rows = session.execute(
        select(
            Finding.id,
            Finding.case_id,
            Finding.status,
            Finding.verdict,
            Finding.responsible_party,
            Finding.responsibility,
            Finding.created_at,
        ).where(recorded_by(Finding, as_of))
    ).all()
    items = []
    for finding in _latest_versions(rows).values():
        visible = finding.status == FindingStatus.PUBLISHED.value or (
            Scope.ANY in scopes and finding.status in ADOPTED
        )
        if not visible:
            continue
        who = responsible_words(scenario, finding.responsible_party, finding.responsibility)
        items.append(
            TimelineItem(
                finding.created_at.date(),
                "finding",
                f"Finding: {verdict_words(finding.verdict)}" + (f" — {who}" if who else ""),
                f"/findings/{base_id(finding.id)}",
                f"case {base_id(finding.case_id)}, {finding.status}",
            )
        )
    return items


# --- map data ---------------------------------------------------------------------------------------------

CLUSTER_BELOW_ZOOM = 9  # from this zoom on, every incident is drawn on its own
CLUSTER_MIN_POINTS = 200  # fewer incidents than this are never clustered
CLUSTER_ABOVE_POINTS = 2000  # more than this in view are clustered at any zoom
PRECISION_RADIUS_KM = {1: 2.0, 2: 25.0, 3: 100.0}


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def parse_bbox(raw: str) -> BBox | None:
    """`west,south,east,north` in degrees, None when empty; InvalidInput otherwise."""
    if not raw.strip():
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        raise InvalidInput(f"bbox: expected west,south,east,north in degrees, found {raw[:80]!r}") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(
            f"bbox: expected west<=east in -180..180 and south<=north in -90..90, found {raw[:80]!r}"
        )
    return BBox(west, south, east, north)


def map_geojson(
    points: Sequence[IncidentPoint], scenario: Scenario, *, zoom: int, bbox: BBox | None = None
) -> dict[str, Any]:
    """Incidents as GeoJSON, each with its precision radius; grid clusters at low zoom when there are many."""
    located = [p for p in points if p.lat is not None and p.lon is not None]
    shown = [p for p in located if bbox is None or bbox.contains(p.lat or 0.0, p.lon or 0.0)]
    clustered = len(shown) > CLUSTER_ABOVE_POINTS or (
        zoom < CLUSTER_BELOW_ZOOM and len(shown) >= CLUSTER_MIN_POINTS
    )
    features = _clusters(shown, zoom, scenario) if clustered else [_feature(p, scenario) for p in shown]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "incidents": len(shown),
            "unlocated": len(points) - len(located),
            "clustered": clustered,
        },
    }


def _feature(point: IncidentPoint, scenario: Scenario) -> dict[str, Any]:
    radius = point.radius_km or PRECISION_RADIUS_KM.get(point.geo_precision or 3, 100.0)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
        "properties": {
            "id": point.id,
            "title": point.title,
            "date": point.date_start.isoformat() if point.date_start else None,
            "event_type": point.event_type,
            "process_type": point.process_type,
            "alleged_party": point.alleged_party,
            "alleged": [allegation_words(scenario, a) for a in point.allegations],
            "status": point.status,
            "responsible_party": point.responsible_party,
            "responsible": party_name(scenario, point.responsible_party),
            "fatalities": point.fatalities_best,
            "fatalities_words": fatalities_words(
                point.fatalities_best, point.fatalities_low, point.fatalities_high
            ),
            "place": point.place,
            "admin1": point.admin1,
            "precision": point.geo_precision or 3,
            "radius_km": radius,
            "url": f"/incidents/{point.id}",
        },
    }


def _clusters(points: Sequence[IncidentPoint], zoom: int, scenario: Scenario) -> list[dict[str, Any]]:
    cell = 90.0 / (2 ** max(zoom, 0))  # about 64 screen pixels at this zoom
    cells: dict[tuple[int, int], list[IncidentPoint]] = defaultdict(list)
    for point in points:
        cells[(math.floor((point.lat or 0.0) / cell), math.floor((point.lon or 0.0) / cell))].append(point)
    features = []
    for members in cells.values():
        if len(members) == 1:
            features.append(_feature(members[0], scenario))
            continue
        lat = sum(p.lat or 0.0 for p in members) / len(members)
        lon = sum(p.lon or 0.0 for p in members) / len(members)
        statuses: dict[str, int] = defaultdict(int)
        for point in members:
            statuses[point.status] += 1
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "cluster": True,
                    "count": len(members),
                    "fatalities": sum(p.fatalities_best or 0 for p in members),
                    "statuses": dict(statuses),
                },
            }
        )
    return features


# --- the dashboard ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """An open case or an unanswered complaint, and when it is due."""

    kind: str
    id: str
    title: str
    status: str
    due: datetime | None
    overdue: bool
    url: str


@dataclass(frozen=True, slots=True)
class DeskView:
    today: date
    as_of: datetime | None  # the moment a past day's desk shows (None: now)
    ceasefire: CeasefireStatus
    escalation: Escalation
    counts: dict[str, int]
    deadlines: list[Deadline] | None  # None when the principal may see no cases or complaints
    intake_queue: int | None  # None when the principal may not review claims
    checkpoint: CheckpointRead | None
    ledger_size: int
    talks_rounds: list[TalksRound]


OPEN_CASE_STATUSES = frozenset({"open", "investigating", "finding_proposed"})


def desk_view(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    now: datetime,
    as_of: datetime | None = None,
) -> DeskView:
    """Everything the dashboard shows, as the principal may see it: now, or as the record stood `as_of`
    (every count, status, deadline and the checkpoint from the records the ledger held then)."""
    moment = as_of or now
    today = moment.date()
    points = incident_points(session, scenario, principal, as_of=as_of)
    counts = {
        "incidents": len(points),
        "violent_30d": sum(
            1 for p in points if p.is_violent and p.date_start and p.date_start > today - timedelta(days=30)
        ),
        "documents": session.scalar(select(func.count(Document.id)).where(recorded_by(Document, as_of))) or 0,
        "claims": session.scalar(select(func.count(Claim.id)).where(recorded_by(Claim, as_of))) or 0,
    }
    for status in INCIDENT_STATUSES:
        counts[status] = sum(1 for p in points if p.status == status)
    deadlines = None
    if scopes_for(principal.role, Action.READ_CASE) or scopes_for(principal.role, Action.READ_COMPLAINT):
        deadlines = _deadlines(session, scenario, principal, now=moment, as_of=as_of)
    intake = None
    if scopes_for(principal.role, Action.REVIEW_CLAIM):
        reviewed = exists().where(ClaimReview.claim_id == Claim.id, recorded_by(ClaimReview, as_of))
        query = select(func.count(Claim.id)).where(~reviewed, recorded_by(Claim, as_of))
        intake = session.scalar(query) or 0
    size = ledger_size(session) if as_of is None else size_at(session, as_of)
    checkpoint = None
    with suppress(NotFound):
        checkpoint = published_checkpoint(session, max_size=size)
    talks = select(TalksRound).where(recorded_by(TalksRound, as_of)).order_by(TalksRound.start_date.desc())
    return DeskView(
        today=today,
        as_of=as_of,
        ceasefire=ceasefire_status(session, scenario, today=today, principal=principal, as_of=as_of),
        escalation=escalation(session, scenario, at=today, principal=principal, as_of=as_of),
        counts=counts,
        deadlines=deadlines,
        intake_queue=intake,
        checkpoint=checkpoint,
        ledger_size=size,
        talks_rounds=list(session.scalars(talks)),
    )


def _deadlines(
    session: Session, scenario: Scenario, principal: Principal, *, now: datetime, as_of: datetime | None
) -> list[Deadline]:
    found: list[Deadline] = []
    if scopes_for(principal.role, Action.READ_CASE):
        for case in cases_service.list_cases(session, principal=principal, as_of=as_of):
            if case.status in OPEN_CASE_STATUSES:
                due = case.deadline
                found.append(
                    Deadline(
                        "case",
                        base_id(case.id),
                        case.title,
                        case.status.replace("_", " "),
                        due,
                        bool(due and due < now),
                        f"/cases/{base_id(case.id)}",
                    )
                )
    if scopes_for(principal.role, Action.READ_COMPLAINT):
        for complaint in verification.list_complaints(session, principal=principal, as_of=as_of):
            if complaints_service.find_current_response(session, complaint.id, as_of=as_of) is not None:
                continue
            due = reply_deadline(complaint.created_at, reply_window_days=scenario.reply_window_days)
            found.append(
                Deadline(
                    "reply",
                    complaint.id,
                    f"Reply due from {party_name(scenario, complaint.accused_party)}: "
                    + complaint.summary[:80],
                    "awaiting reply",
                    due,
                    due < now,
                    f"/complaints/{complaint.id}",
                )
            )
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda d: (d.due or far, d.id))


# --- the incident page ------------------------------------------------------------------------------------


def _claim_allegation(scenario: Scenario, claim: Claim) -> str | None:
    """What one claim alleges, in words, when it says a party's forces acted."""
    actor = scenario.actor_by_name(claim.actor1 or "")
    if actor is None or actor.party is None:
        return None
    allegation = _allegation(scenario, actor.party, alleged=claim.alleged, claimant=claim.claimant, cache={})
    return allegation_words(scenario, allegation)


INDEPENDENT = "independent"


@dataclass(frozen=True, slots=True)
class SourcedClaim:
    claim: Claim
    document: Document | None
    allegation: str | None  # "alleged by Pakistan against Afghanistan"; None when no party is said to act


@dataclass(frozen=True, slots=True)
class IncidentView:
    incident: Incident
    point: IncidentPoint | None  # None when a later version supersedes this one
    successors: list[str]
    perspectives: list[tuple[str, str, list[SourcedClaim]]]  # (key, heading, claims): claim and counter-claim
    complaints: list[Complaint]
    cases: list[Case]


def incident_view(
    session: Session, scenario: Scenario, principal: Principal, *, incident_id: str
) -> IncidentView:
    """An incident with its member claims side by side by whose account they give, and what covers it."""
    incident = incidents_service.get_incident(session, incident_id)
    successors = incidents_service.find_successor_ids(session, incident.id)
    point = next((p for p in incident_points(session, scenario, principal) if p.id == incident.id), None)
    claim_ids = [str(c) for c in incident.claim_ids]
    claims = list(session.scalars(select(Claim).where(Claim.id.in_(claim_ids)))) if claim_ids else []
    documents = {
        d.id: d
        for d in session.scalars(
            select(Document).where(Document.id.in_({c.document_id for c in claims if c.document_id}))
        )
    }
    party_of_actor = {actor.name: actor.party for actor in scenario.actors if actor.party}
    columns: dict[str, list[SourcedClaim]] = {party.id: [] for party in scenario.parties}
    columns[INDEPENDENT] = []
    for claim in sorted(claims, key=lambda c: (c.event_date or date.min, c.id)):
        side = party_of_actor.get(claim.claimant or "") if claim.alleged else None
        columns[side or INDEPENDENT].append(
            SourcedClaim(claim, documents.get(claim.document_id or ""), _claim_allegation(scenario, claim))
        )
    headings = {party.id: f"{party.short_name}'s account" for party in scenario.parties}
    headings[INDEPENDENT] = "Independent reporting"
    perspectives = [(key, headings[key], items) for key, items in columns.items()]
    related = {incident.id, *successors}
    complaints = [
        c for c in verification.list_complaints(session, principal=principal) if c.incident_id in related
    ]
    complaint_ids = {c.id for c in complaints}
    cases = []
    if scopes_for(principal.role, Action.READ_CASE):
        cases = [
            case
            for case in cases_service.list_cases(session, principal=principal)
            if related & {str(i) for i in case.incident_ids}
            or complaint_ids & {str(c) for c in case.complaint_ids}
        ]
    return IncidentView(incident, point, successors, perspectives, complaints, cases)
