"""Recluster: the current claims grouped into incidents, and what changed stored as new versions.

Two ways to the same answer (docs/incidents.md, "Recluster"):
- *full*: every current claim is loaded and clustered (`cluster_claims`);
- *incremental* (the default once incidents exist): only the ledger entries since the last run's mark are
  read (`ReclusterMark`: every claim before it is in a current incident or withdrawn). From the claims,
  reviews and incident versions they name come the seeds: current claims in no current incident (new, or
  corrections) and the members of incidents that lost a claim (corrected or rejected), each claim's
  current incident looked up by index (`IncidentMember`). Only the current claims whose dates can reach the
  seeds are loaded, a `Neighbourhood` walks the seeds' components until they are closed, and only those
  components are linked again. A cluster never leaves its component, so the incidents it writes are those
  a full recluster would write. It reads no list of every claim: its cost follows what changed.
Either way an incident whose member set is unchanged is left alone, a changed one is a new row naming the
version it supersedes, and an incident left without claims is retired; every row is a ledger entry,
written through `batched_appends`. The run then leaves its mark: the ledger's size when it started.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from truceline.claims.models import Claim, ClaimReview
from truceline.claims.service import VALUE_COLUMNS
from truceline.documents.models import Document
from truceline.incidents import service as incidents
from truceline.incidents.clustering import cluster_claims
from truceline.incidents.geography import BorderGeography
from truceline.incidents.models import Incident, IncidentMember, ReclusterMark
from truceline.incidents.neighbourhood import NARROW_PRECISIONS, DaysToLoad, Neighbourhood
from truceline.incidents.rules import build_incident, build_incidents
from truceline.incidents.service import ANALYST_MARK
from truceline.incidents.similarity import ClusterParams
from truceline.incidents.values import Cluster, IncidentValue, SourceInfo
from truceline.ledger.models import LedgerEntryRow
from truceline.ledger.service import batched_appends, lock_for_writing
from truceline.pipeline.claims import ClaimValue
from truceline.scenarios.geography import get_geography
from truceline.scenarios.schema import Scenario
from truceline.workflows.incidents import (
    ClaimPool,
    chunks,
    claim_value,
    is_analyst_decision,
    list_current_rows,
    load_pool,
)

log = logging.getLogger(__name__)

DEFAULT_PARAMS = ClusterParams()
_FEW = 1000  # new incident versions above which a run reads every stored incident id once


@dataclass
class ReclusterResult:
    created: list[str] = field(default_factory=list)  # new incident versions
    retired: list[str] = field(default_factory=list)  # incidents superseded by a new version or retired
    unchanged: int = 0
    is_full: bool = True
    considered: int = 0  # claims clustered (incremental: the seeds' neighbourhood, not the archive)


def recluster(
    session: Session,
    *,
    scenario: Scenario,
    author: str,
    now: datetime,
    params: ClusterParams = DEFAULT_PARAMS,
    is_full: bool = False,
    known_claims: Mapping[str, ClaimValue] | None = None,
) -> ReclusterResult:
    """Bring the incidents up to date with the current claims; incremental unless `is_full` or none exist.

    Idempotent: an incident whose member set is unchanged is left alone, so a second run writes nothing.
    `known_claims`: claims the caller has just stored (`store_events`), which a full run need not read
    back (see `load_pool`).
    """
    lock_for_writing(session)  # a second recluster at the same time waits, then reads what this one wrote
    size = _ledger_size(session)  # first: every entry below it is committed, so every later read sees it
    since = session.scalar(select(func.max(ReclusterMark.ledger_size)))
    geography = get_geography(scenario)
    if is_full or session.scalar(select(Incident.id).limit(1)) is None:
        result = _recluster_full(
            session, geography=geography, author=author, now=now, params=params, known_claims=known_claims
        )
    else:
        # No mark yet (a database older than the marks): the ledger is read from its start, once.
        result = _recluster_around_changes(
            session, since=since or 0, geography=geography, author=author, now=now, params=params
        )
    if since is None or size > since:
        mark = {"ledger_size": size, "created_at": now, "created_by": author}
        session.connection().execute(insert(ReclusterMark), [mark])
    log.info(
        "recluster (%s): %d claims, %d incidents created, %d retired, %d unchanged",
        "full" if result.is_full else "incremental",
        result.considered,
        len(result.created),
        len(result.retired),
        result.unchanged,
    )
    return result


def _ledger_size(session: Session) -> int:
    last = session.scalar(select(func.max(LedgerEntryRow.seq)))
    return 0 if last is None else last + 1


def _recluster_full(
    session: Session,
    *,
    geography: BorderGeography,
    author: str,
    now: datetime,
    params: ClusterParams,
    known_claims: Mapping[str, ClaimValue] | None,
) -> ReclusterResult:
    pool = load_pool(session, known_claims=known_claims)
    current = list_current_rows(session)
    wanted, taken = _analyst_versions([row for row in current if is_analyst_decision(row)], pool, geography)
    free = [claim for claim_id, claim in sorted(pool.claims.items()) if claim_id not in taken]
    clusters = cluster_claims(free, sources=pool.sources, params=params)
    wanted += build_incidents(clusters, sources=pool.sources, geography=geography)
    with batched_appends(session):
        result = _store_versions(session, current, wanted, pool=pool, author=author, now=now)
    result.considered = len(pool.claims)
    return result


def _analyst_versions(
    rows: Iterable[Incident], pool: ClaimPool, geography: BorderGeography
) -> tuple[list[IncidentValue], set[str]]:
    """Analysts' incidents rebuilt on their current claims (corrections followed); the claims they take."""
    wanted: list[IncidentValue] = []
    taken: set[str] = set()
    for row in rows:
        members = [c for c in pool.members(row.claim_ids) if c.id not in taken]
        taken.update(c.id for c in members)
        if members:
            value = build_incident(Cluster.of(members), sources=pool.sources, geography=geography)
            analyst = tuple(str(r) for r in row.reasons if str(r).startswith(ANALYST_MARK))
            wanted.append(dataclasses.replace(value, reasons=analyst + value.reasons))
    return wanted, taken


class _Homes:
    """The current incidents holding claims, looked up by index (`incident_members`) as the run needs them,
    and which of those incidents are analysts'."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._of: dict[str, list[str]] = {}
        self._is_analysts: dict[str, bool] = {}

    def look_up(self, claim_ids: Iterable[str]) -> None:
        wanted = sorted({c for c in claim_ids if c not in self._of})
        newer = aliased(Incident)
        for chunk in chunks(wanted):
            self._of.update((claim_id, []) for claim_id in chunk)
            query = select(IncidentMember.claim_id, IncidentMember.incident_id).where(
                IncidentMember.claim_id.in_(chunk),
                ~exists().where(newer.supersedes_id == IncidentMember.incident_id),
            )
            for claim_id, incident_id in self._session.execute(query):
                self._of[claim_id].append(incident_id)
        unknown = sorted({i for c in wanted for i in self._of[c]} - self._is_analysts.keys())
        for chunk in chunks(unknown):
            query = select(Incident.id, Incident.reasons).where(Incident.id.in_(chunk))
            self._is_analysts.update(
                (incident_id, any(str(r).startswith(ANALYST_MARK) for r in reasons))
                for incident_id, reasons in self._session.execute(query)
            )

    def of(self, claim_id: str) -> list[str]:
        """The current incidents holding the claim (looked up before): most claims have one, new ones none."""
        return self._of[claim_id]

    def is_analysts(self, claim_id: str) -> bool:
        return any(self._is_analysts.get(incident_id, False) for incident_id in self._of[claim_id])


@dataclass
class _Changes:
    """What the claims did since the last recluster's mark, read from the ledger entries after it."""

    arriving: list[str]  # current claims in no current incident (new ones, corrections)
    leaving: list[str]  # members of current incidents that are no longer current (corrected or rejected)
    touched: dict[str, Incident]  # the current incidents that lost a claim
    taken: set[str]  # corrections of analysts' members: they stay in the analyst's incident, as in a full run

    @classmethod
    def read(cls, session: Session, homes: _Homes, *, since: int) -> _Changes:
        recent = _records_since(session, since)
        new_claims: dict[str, str | None] = {}  # id -> the claim it corrects
        for chunk in chunks(sorted(set(recent[Claim.ledger_kind()]))):
            rows = session.execute(select(Claim.id, Claim.supersedes_id).where(Claim.id.in_(chunk)))
            new_claims.update((claim_id, supersedes_id) for claim_id, supersedes_id in rows)
        candidates = set(new_claims) | {c for c in new_claims.values() if c}
        for chunk in chunks(sorted(set(recent[ClaimReview.ledger_kind()]))):
            rejected = select(ClaimReview.claim_id).where(
                ClaimReview.id.in_(chunk), ClaimReview.decision == "rejected"
            )
            candidates.update(session.scalars(rejected))
        # Members of the incident versions written since: any of them no longer current is leaving too.
        for chunk in chunks(sorted(set(recent[Incident.ledger_kind()]))):
            for claim_ids in session.scalars(select(Incident.claim_ids).where(Incident.id.in_(chunk))):
                candidates.update(str(c) for c in claim_ids)
        homes.look_up(candidates)
        current = _current_among(session, candidates)
        touched_ids = {i for c in candidates if c not in current for i in homes.of(c)}
        touched = {row.id: row for row in _incident_rows(session, sorted(touched_ids))}
        members = {str(c) for row in touched.values() for c in row.claim_ids}
        homes.look_up(members)
        current |= _current_among(session, members - candidates)
        leaving = sorted((members | {c for c in candidates if homes.of(c)}) - current)
        kept_by_analyst = [
            c for c in leaving if any(i in touched and is_analyst_decision(touched[i]) for i in homes.of(c))
        ]
        taken = _current_among(session, _latest_corrections(session, kept_by_analyst))
        arriving = sorted(c for c in new_claims if c in current and not homes.of(c) and c not in taken)
        return cls(arriving=arriving, leaving=leaving, touched=touched, taken=taken)


def _recluster_around_changes(
    session: Session,
    *,
    since: int,
    geography: BorderGeography,
    author: str,
    now: datetime,
    params: ClusterParams,
) -> ReclusterResult:
    homes = _Homes(session)
    changes = _Changes.read(session, homes, since=since)
    analyst_ids = {i for i, row in changes.touched.items() if is_analyst_decision(row)}
    touched = set(changes.touched)
    # Members of an incident that lost a claim, the lost claim too: the walk must cover its old component.
    regrouped = (row for row in changes.touched.values() if row.id not in analyst_ids)
    seeds = changes.arriving + sorted({str(c) for row in regrouped for c in row.claim_ids})
    hood = Neighbourhood(params=params)
    _add_claims(session, hood, _claims_by_id(session, seeds))
    hood.seed(c for c in seeds if c in hood)  # a member id with no claim row is dropped, as in full
    while missing := hood.missing_reaches():
        # Only current claims are loaded (indexed anti-joins); analysts' claims stay out, as in a full run.
        found = [row for row in _current_claims_by_dates(session, missing) if row.id not in hood]
        homes.look_up(row.id for row in found)
        free = [row for row in found if row.id not in changes.taken and not homes.is_analysts(row.id)]
        _add_claims(session, hood, free)
        hood.mark_loaded(missing)
    clusters = hood.link(leaving=changes.leaving)
    homes.look_up(hood.claim_ids())
    touched |= {i for c in hood.claim_ids() for i in homes.of(c)}
    rows = _incident_rows(session, sorted(touched))
    analyst_ids |= {row.id for row in rows if is_analyst_decision(row)}
    by_members = {frozenset(str(c) for c in row.claim_ids): row for row in rows}
    kept = [by_members[key] for cluster in clusters if (key := frozenset(cluster.claim_ids)) in by_members]
    changed = [c for c in clusters if frozenset(c.claim_ids) not in by_members]
    rows = [row for row in rows if row not in kept]
    members = [c for cluster in changed for c in cluster.claim_ids]
    members += [str(c) for row in rows for c in row.claim_ids]
    pool = load_pool(session, claim_ids=members)
    wanted, _ = _analyst_versions([row for row in rows if row.id in analyst_ids], pool, geography)
    wanted += build_incidents(changed, sources=pool.sources, geography=geography)
    with batched_appends(session):
        result = _store_versions(session, rows, wanted, pool=pool, author=author, now=now)
    result.unchanged += len(kept)
    result.is_full = False
    result.considered = len(hood)
    return result


def _records_since(session: Session, since: int) -> dict[str, list[str]]:
    """Ids of the claims, claim reviews and incident versions whose ledger entries have seq ≥ `since`."""
    kinds = (Claim.ledger_kind(), ClaimReview.ledger_kind(), Incident.ledger_kind())
    found: dict[str, list[str]] = {kind: [] for kind in kinds}
    query = select(LedgerEntryRow.kind, LedgerEntryRow.record_id).where(
        LedgerEntryRow.seq >= since, LedgerEntryRow.kind.in_(kinds)
    )
    for kind, record_id in session.execute(query):
        found[kind].append(record_id)
    return found


def _is_current_claim() -> ColumnElement[bool]:
    """A WHERE condition on Claim: no correction supersedes it and no review rejected it (both indexed)."""
    newer = aliased(Claim)
    rejected = exists().where(ClaimReview.claim_id == Claim.id, ClaimReview.decision == "rejected")
    return ~exists().where(newer.supersedes_id == Claim.id) & ~rejected


def _current_among(session: Session, claim_ids: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(sorted(set(claim_ids))):
        found.update(session.scalars(select(Claim.id).where(Claim.id.in_(chunk), _is_current_claim())))
    return found


def _latest_corrections(session: Session, claim_ids: Sequence[str]) -> set[str]:
    """The last claim of each one's chain of corrections (the claim itself when none corrects it)."""
    successor: dict[str, str] = {}
    seen = set(claim_ids)
    frontier = sorted(seen)
    while frontier:
        found: list[str] = []
        for chunk in chunks(frontier):
            query = select(Claim.id, Claim.supersedes_id).where(Claim.supersedes_id.in_(chunk))
            for claim_id, supersedes_id in session.execute(query):
                successor.setdefault(str(supersedes_id), claim_id)
                if claim_id not in seen:
                    seen.add(claim_id)
                    found.append(claim_id)
        frontier = sorted(found)
    latest: set[str] = set()
    for claim_id in claim_ids:
        visited = {claim_id}
        while claim_id in successor and successor[claim_id] not in visited:
            claim_id = successor[claim_id]
            visited.add(claim_id)
        latest.add(claim_id)
    return latest


def _add_claims(session: Session, hood: Neighbourhood, rows: Iterable[Row[Any]]) -> None:
    found = [row for row in rows if row.id not in hood]
    urls: dict[str, str] = {}
    for chunk in chunks(sorted({row.document_id for row in found if row.document_id})):
        query = select(Document.id, Document.url).where(Document.id.in_(chunk))
        urls.update((document_id, url) for document_id, url in session.execute(query))
    # Clustering reads only the document's address from the source (two copies of one URL are one report);
    # a claim without one (an imported event, a document without a URL) needs no source.
    sources = {
        row.id: SourceInfo(outlet="", url=url) for row in found if (url := urls.get(row.document_id or ""))
    }
    hood.add((claim_value(row) for row in found), sources=sources)


def _claims_by_id(session: Session, claim_ids: Sequence[str]) -> list[Row[Any]]:
    """The claims as rows of `VALUE_COLUMNS` (what a claim value is made of; no ORM object per claim)."""
    found: list[Row[Any]] = []
    for chunk in chunks(sorted(set(claim_ids))):
        found.extend(session.execute(select(*VALUE_COLUMNS).where(Claim.id.in_(chunk))))
    return found


def _current_claims_by_dates(session: Session, loads: Iterable[DaysToLoad]) -> list[Row[Any]]:
    """The current claims the loads name, as rows of `VALUE_COLUMNS`."""
    found: list[Row[Any]] = []
    lowest, highest = date.min.toordinal(), date.max.toordinal()
    is_current = _is_current_claim()  # built once: building it costs more than running a range's query
    dated = select(*VALUE_COLUMNS).where(Claim.event_date.between(bindparam("first"), bindparam("last")))
    dated = dated.where(is_current)
    # `neighbourhood.is_wide_dated`: a date standing for more than a week's slack.
    wide_dated = dated.where(
        Claim.time_precision.is_not(None), Claim.time_precision.not_in(NARROW_PRECISIONS)
    )
    for load in loads:
        if load.days is None:
            found.extend(
                session.execute(select(*VALUE_COLUMNS).where(Claim.event_date.is_(None), is_current))
            )
            continue
        first = date.fromordinal(min(max(load.days[0], lowest), highest))
        last = date.fromordinal(min(max(load.days[1], lowest), highest))
        found.extend(
            session.execute(wide_dated if load.is_wide_only else dated, {"first": first, "last": last})
        )
    return found


def _incident_rows(session: Session, incident_ids: Sequence[str]) -> list[Incident]:
    found: dict[str, Incident] = {}
    for chunk in chunks(incident_ids):
        found.update((row.id, row) for row in session.scalars(select(Incident).where(Incident.id.in_(chunk))))
    return [found[incident_id] for incident_id in incident_ids if incident_id in found]


def _store_versions(
    session: Session,
    current: Sequence[Incident],
    wanted: Sequence[IncidentValue],
    *,
    pool: ClaimPool,
    author: str,
    now: datetime,
) -> ReclusterResult:
    result = ReclusterResult()
    by_members = {frozenset(str(c) for c in row.claim_ids): row for row in current}
    home: dict[str, list[Incident]] = {}  # current claim id -> current incidents holding it (or its original)
    home_members: dict[str, list[str]] = {}  # incident id -> its claims, corrections followed
    for row in current:
        home_members[row.id] = sorted({pool.follow(str(c)) or str(c) for c in row.claim_ids})
        for claim_id in home_members[row.id]:
            home.setdefault(claim_id, []).append(row)
    kept: set[str] = set()
    # Many new versions (a full run): every stored id read once, new ids chosen without a query each;
    # a few (an incremental run): a lookup each, rather than reading a million ids.
    taken = set(session.scalars(select(Incident.id))) if len(wanted) > _FEW else None
    succeeded: dict[str, list[str]] = {}
    belongs: dict[str, str] = {}  # claim id -> the new incident version holding it
    created: list[Incident] = []
    for value in wanted:
        same = by_members.get(frozenset(value.claim_ids))
        if same is not None:
            kept.add(same.id)
            result.unchanged += 1
            continue
        overlap: dict[str, int] = {}
        for claim_id in value.claim_ids:
            for row in home.get(claim_id, []):
                overlap[row.id] = overlap.get(row.id, 0) + 1
        # The version it continues is the old incident sharing most of its claims (ties: smallest id).
        previous = min(overlap, key=lambda i: (-overlap[i], i)) if overlap else None
        if previous is not None:
            note = _change_note(previous, before=home_members[previous], after=value.claim_ids)
            value = dataclasses.replace(value, reasons=(*value.reasons, note))
        stored = incidents.create_incident(
            session,
            value,
            supersedes_id=previous,
            author=author,
            now=now,
            incident_id=incidents.free_incident_id(session, value.id, taken=taken),
            with_members=False,
        )
        created.append(stored)
        if taken is not None:
            taken.add(stored.id)
        result.created.append(stored.id)
        belongs.update((claim_id, stored.id) for claim_id in value.claim_ids)
        if previous is not None:
            succeeded.setdefault(previous, []).append(stored.id)
    incidents.add_incident_members(session, created)
    for row in current:
        if row.id in kept:
            continue
        result.retired.append(row.id)
        if row.id in succeeded:
            continue
        moved = sorted({belongs[c] for c in home_members[row.id] if c in belongs})
        reason = (
            f"recluster: its claims now belong to {', '.join(moved)}"
            if moved
            else "recluster: its claims were corrected or rejected; none is current"
        )
        incidents.retire_incident(session, row, reason=reason, author=author, now=now)
    return result


def _change_note(previous_id: str, *, before: Iterable[str], after: Iterable[str]) -> str:
    old, new = set(before), set(after)
    added, removed = sorted(new - old), sorted(old - new)
    parts = [f"added {', '.join(added)}" if added else "", f"removed {', '.join(removed)}" if removed else ""]
    changes = "; ".join(p for p in parts if p) or "claims corrected"
    return f"recluster: supersedes {previous_id} ({changes})"
