"""The incident index kept per view, and the incident page, computed from the records.

Everything here starts from `incident_points`: one compact, immutable row per current incident
(`views/incident_index.py` builds them). Every view can be asked `as_of` a past moment: it is then built only
from records whose ledger entry is at or before that moment (the ledger's time is the clock), so a later
decision never rewrites what the desk said that day. The index is kept per database, view and moment with the
ledger head it was made at: every write appends a ledger entry, so the same head means the same data, and a
later head is caught up from the entries appended since.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from truceline.cases import service as cases_service
from truceline.cases.models import Case
from truceline.claims.models import Claim
from truceline.complaints import service as complaints_service
from truceline.complaints.models import Complaint
from truceline.db.versions import latest_of
from truceline.documents.models import Document
from truceline.incidents import service as incidents_service
from truceline.incidents.models import Incident
from truceline.ledger.models import LedgerEntryRow
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Action, Principal, Scope, can, scopes_for
from truceline.views.incident_index import (
    ADOPTED,
    VIOLENT_TYPES,
    IncidentIndex,
    IncidentPoint,
    allegation_of,
    build_index,
    find_point,
    update_index,
)
from truceline.wording import allegation_words

__all__ = ["ADOPTED", "VIOLENT_TYPES", "IncidentPoint", "incident_points", "incident_view", "ledger_head"]

_cache_lock = threading.Lock()
_cache: dict[tuple[str, str, bool, str], tuple[tuple[int, str], IncidentIndex]] = {}
_building: dict[tuple[str, str, bool, str], threading.Lock] = {}  # per view: held while its list is built
MAX_CACHED_VIEWS = 64  # (database, scenario, verdicts, moment) lists kept; past days asked for add one each
MAX_CHANGES = 100_000  # ledger entries since the kept head past which the index is built again, not caught up


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
    head: tuple[int, str] | None = None,
) -> list[IncidentPoint]:
    """Every current incident, newest first, with the status `principal` may see (None: the mechanism's own
    view). A verdict adopted but not yet published shows as `under_verification` to parties and the public.
    With `as_of`, the incidents, cases and findings as the ledger held them then. Kept per ledger head; after
    a write, caught up from the entries appended since (the list is shared: read it, never change it). `head`:
    the ledger's head when the caller has just read it."""
    full = sees_every_verdict(principal)
    key = (str(session.get_bind().engine.url), scenario.id, full, "" if as_of is None else as_of.isoformat())
    head = ledger_head(session) if head is None else head
    with _cache_lock:
        cached = _cache.get(key)
        building = _building.setdefault(key, threading.Lock())
    if cached is not None and cached[0] == head:
        return cached[1].points
    # One build per view at a time: requests arriving meanwhile wait for it rather than each building their
    # own copy (at 1M claims a build takes seconds and hundreds of MB).
    with building:
        with _cache_lock:
            cached = _cache.get(key)
        if cached is not None and cached[0] == head:
            return cached[1].points
        changes = None if cached is None else _changes_since(session, cached[0], head)
        if cached is not None and changes is not None and not changes:
            index = cached[1]
        elif cached is not None and changes is not None and as_of is None:
            changed = [record_id for kind, record_id in changes if kind == "incidents"]
            index = update_index(
                session, scenario, cached[1], published_only=not full, changed_incidents=changed
            )
        else:
            index = build_index(session, scenario, published_only=not full, as_of=as_of)
        with _cache_lock:
            if len(_cache) >= MAX_CACHED_VIEWS and key not in _cache:
                _cache.clear()
            _cache[key] = (head, index)
    return index.points


def _changes_since(
    session: Session, before: tuple[int, str], now: tuple[int, str]
) -> list[tuple[str, str]] | None:
    """(kind, record id) of each entry appended since `before` that touches incident points; None when the
    ledger did not only grow since (another database, or one restored) or grew by too much to catch up."""
    size, leaf = before
    if now[0] < size or size == 0:
        return None
    if session.scalar(select(LedgerEntryRow.leaf_hash).where(LedgerEntryRow.seq == size - 1)) != leaf:
        return None
    query = select(LedgerEntryRow.kind, LedgerEntryRow.record_id).where(
        LedgerEntryRow.seq >= size, LedgerEntryRow.kind.in_(POINT_KINDS)
    )
    changes = [
        (str(kind), str(record_id)) for kind, record_id in session.execute(query.limit(MAX_CHANGES + 1))
    ]
    return None if len(changes) > MAX_CHANGES else changes


# --- the incident page ---------------------------------------------------------------------------------


def _claim_allegation(scenario: Scenario, claim: Claim) -> str | None:
    """What one claim alleges, in words, when it says a party's forces acted."""
    actor = scenario.actor_by_name(claim.actor1 or "")
    if actor is None or actor.party is None:
        return None
    allegation = allegation_of(
        scenario, actor.party, alleged=claim.alleged, claimant=claim.claimant, cache={}
    )
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
    head = ledger_head(session)
    points = incident_points(session, scenario, principal, head=head)
    point = find_point(points, incident_id=incident.id, date_start=incident.date_start)
    # A point means the incident is current at this head: no later version supersedes it.
    successors = [] if point is not None else incidents_service.find_successor_ids(session, incident.id)
    sourced = _claims_with_documents(session, [str(c) for c in incident.claim_ids])
    party_of_actor = {actor.name: actor.party for actor in scenario.actors if actor.party}
    columns: dict[str, list[SourcedClaim]] = {party.id: [] for party in scenario.parties}
    columns[INDEPENDENT] = []
    for claim, document in sorted(sourced, key=lambda cd: (cd[0].event_date or date.min, cd[0].id)):
        side = party_of_actor.get(claim.claimant or "") if claim.alleged else None
        columns[side or INDEPENDENT].append(SourcedClaim(claim, document, _claim_allegation(scenario, claim)))
    headings = {party.id: f"{party.short_name}'s account" for party in scenario.parties}
    headings[INDEPENDENT] = "Independent reporting"
    perspectives = [(key, headings[key], items) for key, items in columns.items()]
    related = {incident.id, *successors}
    coverage = _coverage_at(session, head)
    complaints = []
    if any(i in coverage.complaints_on for i in related):
        complaints = complaints_service.list_complaints_about(
            session, principal=principal, incident_ids=related
        )
    cases = []
    if scopes_for(principal.role, Action.READ_CASE):
        case_ids = {c for i in related for c in coverage.cases_on_incident.get(i, ())}
        case_ids.update(
            c for complaint in complaints for c in coverage.cases_on_complaint.get(complaint.id, ())
        )
        cases = _cases(session, principal, case_ids)
    return IncidentView(incident, point, successors, perspectives, complaints, cases)


def _claims_with_documents(session: Session, claim_ids: list[str]) -> list[tuple[Claim, Document | None]]:
    """The claims and the document each came from, in one query (the page shows no article body)."""
    if not claim_ids:
        return []
    query = (
        select(Claim, Document)
        .outerjoin(Document, Document.id == Claim.document_id)
        .where(Claim.id.in_(claim_ids))
        .options(defer(Document.text))
    )
    return [(claim, document) for claim, document in session.execute(query)]


def _cases(session: Session, principal: Principal, case_ids: Collection[str]) -> list[Case]:
    """These cases (latest versions) that the principal may read, newest first."""
    if not case_ids:
        return []
    on = session.scalars(select(Case).where(Case.id.in_(sorted(case_ids))))
    visible = [c for c in on if can(principal, Action.READ_CASE, cases_service.case_target(session, c))]
    return sorted(visible, key=lambda c: (c.created_at, c.id), reverse=True)


@dataclass(frozen=True, slots=True)
class _Coverage:
    """Which complaints are about which incident, and which cases (the row of their latest version) are on
    which incident or complaint: read once per ledger head (every complaint and case is a ledger entry), so
    an incident page reads only the complaints and cases on its incident, most often none."""

    complaints_on: dict[str, list[str]]  # incident id -> complaint ids
    cases_on_incident: dict[str, list[str]]  # incident id -> case row ids
    cases_on_complaint: dict[str, list[str]]  # complaint id -> case row ids


_coverage_lock = threading.Lock()
_coverage: dict[str, tuple[tuple[int, str], _Coverage]] = {}


def _coverage_at(session: Session, head: tuple[int, str]) -> _Coverage:
    key = str(session.get_bind().engine.url)
    with _coverage_lock:
        found = _coverage.get(key)
    if found is not None and found[0] == head:
        return found[1]
    complaints_on: dict[str, list[str]] = defaultdict(list)
    about = select(Complaint.id, Complaint.incident_id).where(Complaint.incident_id.is_not(None))
    for complaint_id, incident_id in session.execute(about):
        complaints_on[str(incident_id)].append(str(complaint_id))
    on_incident: dict[str, list[str]] = defaultdict(list)
    on_complaint: dict[str, list[str]] = defaultdict(list)
    cases = latest_of(session.execute(select(Case.id, Case.incident_ids, Case.complaint_ids)).all())
    for case in cases.values():
        for incident_id in {str(i) for i in case.incident_ids or ()}:
            on_incident[incident_id].append(str(case.id))
        for complaint_id in {str(c) for c in case.complaint_ids or ()}:
            on_complaint[complaint_id].append(str(case.id))
    coverage = _Coverage(dict(complaints_on), dict(on_incident), dict(on_complaint))
    with _coverage_lock:
        if len(_coverage) >= MAX_CACHED_VIEWS:
            _coverage.clear()
        _coverage[key] = (head, coverage)
    return coverage
