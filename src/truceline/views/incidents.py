"""The incident index (one compact row per current incident) and the incident page, computed from the records.

Everything here starts from `incident_points`: one compact, immutable row per current incident with what its
claims allege against which party and the verification status the cases and findings give it. Only a finding
names a responsible party; the claims' party is an allegation and is called one.

Every view can be asked `as_of` a past moment: it is then built only from records whose ledger entry is at or
before that moment (the ledger's time is the clock), so a later decision never rewrites what the desk said
that day. The list is cached per database, ledger size and moment: every write appends a ledger entry, so a
new size means new data.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from truceline.cases import service as cases_service
from truceline.cases.models import Case, Finding
from truceline.cases.rules import FindingStatus
from truceline.claims.models import Claim
from truceline.complaints import service as complaints_service
from truceline.complaints.models import Complaint
from truceline.db.versions import base_id, latest_of
from truceline.documents.models import Document
from truceline.incidents import service as incidents_service
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import recorded_by
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Scope, scopes_for
from truceline.wording import THE_REPORTS, Allegation, allegation_words, claimant_party

_T = TypeVar("_T")
ADOPTED = (FindingStatus.ADOPTED.value, FindingStatus.PUBLISHED.value)
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})


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


_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, bool, str], tuple[tuple[int, str], list[IncidentPoint]]] = {}
_building: dict[tuple[str, str, bool, str], threading.Lock] = {}  # per view: held while its list is built
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
        building = _building.setdefault(key, threading.Lock())
    if cached is not None and cached[0] == head:
        return cached[1]
    # One build per view at a time: requests arriving meanwhile wait for it rather than each building their
    # own copy (at 1M claims a build takes seconds and hundreds of MB).
    with building:
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
    successors: dict[str, list[str]] = defaultdict(list)
    versions = select(Incident.id, Incident.supersedes_id).where(
        Incident.supersedes_id.is_not(None), recorded_by(Incident, as_of)
    )
    for row_id, supersedes_id in session.execute(versions):
        successors[str(supersedes_id)].append(row_id)
    verdicts = _verdicts_by_incident(session, successors, published_only=published_only, as_of=as_of)
    # A claim is recorded before any incident that names it, so the incidents' own time bounds them.
    kinds: dict[tuple[str, bool, str | None], _Acting] = {}
    acting = {
        str(row.id): kinds.setdefault(
            (row.actor1, bool(row.alleged), row.claimant),
            _Acting(str(row.actor1), bool(row.alleged), row.claimant),
        )
        for row in session.execute(
            select(Claim.id, Claim.actor1, Claim.alleged, Claim.claimant).where(Claim.actor1.is_not(None))
        )
    }
    speaks_for: dict[str, str | None] = {}
    # One copy of each repeated value (types, places, titles, days, actor lists): at 1M claims the index
    # holds ~400k points, and a copy per point of each would be most of the server's memory.
    one = _one_copy({})
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
        )
        .where(recorded_by(Incident, as_of))
        .execution_options(yield_per=2000)  # streamed: the decoded JSON of every row is never held at once
    )
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
                title=one(row.title),
                date_start=one(row.date_start),
                date_end=one(row.date_end),
                event_type=one(row.event_type),
                sub_event_type=one(row.sub_event_type),
                process_type=one(row.process_type),
                place=one(location.get("name")),
                admin1=one(location.get("admin1")),
                country=one(location.get("country")),
                alleged_party=one(_alleged_party(claim_ids, acting, party_of_actor)),
                allegations=one(_allegations(claim_ids, acting, party_of_actor, scenario, speaks_for)),
                actors=one(actors),
                status=one(status),
                lat=_float(location.get("lat")),
                lon=_float(location.get("lon")),
                geo_precision=_whole(location.get("geo_precision")) or None,
                radius_km=_float(location.get("radius_km")),
                fatalities_best=best,
                fatalities_low=_whole(fatalities.get("low"), default=best),
                fatalities_high=_whole(fatalities.get("high"), default=best),
                independent_sources=row.independent_sources,
                corroboration=row.corroboration,
                case_id=case_id,
                responsible_party=responsible,
            )
        )
    points.sort(key=lambda p: (p.date_start or date.min, p.id), reverse=True)
    return points


def _one_copy(shared: dict[Any, Any]) -> Callable[[_T], _T]:
    """value -> the first equal value seen (kept in `shared`): one copy of each repeated value."""

    def one(value: _T) -> _T:
        return value if value is None else shared.setdefault(value, value)

    return one


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


def _verdicts_by_incident(
    session: Session, successors: Mapping[str, list[str]], *, published_only: bool, as_of: datetime | None
) -> dict[str, tuple[str, str | None, str | None]]:
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


# --- the incident page ---------------------------------------------------------------------------------


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
        c
        for c in complaints_service.list_complaints(session, principal=principal)
        if c.incident_id in related
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
