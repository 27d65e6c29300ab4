"""Recluster: the current claims grouped into incidents, and what changed stored as new versions.

Two ways to the same answer (docs/incidents.md, "Recluster"):
- *full*: every current claim is loaded and clustered (`cluster_claims`);
- *incremental* (the default once incidents exist): the claims that are in no current incident (new, or
  corrections) and the members of incidents that lost a claim (corrected or rejected) are the seeds; only
  the claims whose dates can reach them are loaded, a `Neighbourhood` walks the seeds' components until
  they are closed, and only those components are linked again. A cluster never leaves its component, so
  the incidents it writes are those a full recluster would write.
Either way an incident whose member set is unchanged is left alone, a changed one is a new row naming the
version it supersedes, and an incident left without claims is retired; every row is a ledger entry,
written through `batched_appends`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim, ClaimReview
from truceline.documents.models import Document
from truceline.incidents import service as incidents
from truceline.incidents.clustering import cluster_claims
from truceline.incidents.geography import BorderGeography
from truceline.incidents.models import Incident
from truceline.incidents.neighbourhood import DayRange, Neighbourhood
from truceline.incidents.rules import build_incident, build_incidents
from truceline.incidents.service import ANALYST_MARK
from truceline.incidents.similarity import ClusterParams
from truceline.incidents.values import Cluster, IncidentValue, SourceInfo
from truceline.ledger.service import batched_appends
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
) -> ReclusterResult:
    """Bring the incidents up to date with the current claims; incremental unless `is_full` or none exist.

    Idempotent: an incident whose member set is unchanged is left alone, so a second run writes nothing.
    """
    memberships = incidents.list_current_memberships(session)
    if is_full or not memberships:
        result = _recluster_full(
            session, geography=get_geography(scenario), author=author, now=now, params=params
        )
    else:
        result = _recluster_around_changes(
            session, memberships, geography=get_geography(scenario), author=author, now=now, params=params
        )
    log.info(
        "recluster (%s): %d claims, %d incidents created, %d retired, %d unchanged",
        "full" if result.is_full else "incremental",
        result.considered,
        len(result.created),
        len(result.retired),
        result.unchanged,
    )
    return result


def _recluster_full(
    session: Session, *, geography: BorderGeography, author: str, now: datetime, params: ClusterParams
) -> ReclusterResult:
    pool = load_pool(session)
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


@dataclass
class _ClaimIndex:
    """Every claim id, and which are current (not superseded, not rejected): ids only, no bodies."""

    current: set[str]
    successor: dict[str, str]

    @classmethod
    def scan(cls, session: Session) -> _ClaimIndex:
        successor: dict[str, str] = {}
        ids: set[str] = set()
        for claim_id, supersedes_id in session.execute(select(Claim.id, Claim.supersedes_id)):
            ids.add(claim_id)
            if supersedes_id:
                successor[supersedes_id] = claim_id
        rejected = set(
            session.scalars(select(ClaimReview.claim_id).where(ClaimReview.decision == "rejected"))
        )
        return cls(current=ids - set(successor) - rejected, successor=successor)

    def follow(self, claim_id: str) -> str | None:
        seen = {claim_id}
        while claim_id in self.successor and self.successor[claim_id] not in seen:
            claim_id = self.successor[claim_id]
            seen.add(claim_id)
        return claim_id if claim_id in self.current else None


def _recluster_around_changes(
    session: Session,
    memberships: Sequence[tuple[str, list[str], bool]],
    *,
    geography: BorderGeography,
    author: str,
    now: datetime,
    params: ClusterParams,
) -> ReclusterResult:
    index = _ClaimIndex.scan(session)
    home: dict[str, str] = {}  # member claim id -> its current incident
    analyst_ids: set[str] = set()
    for incident_id, claim_ids, is_analyst in memberships:
        home.update((claim_id, incident_id) for claim_id in claim_ids)
        if is_analyst:
            analyst_ids.add(incident_id)
    leaving = sorted(claim_id for claim_id in home if claim_id not in index.current)
    touched = {home[claim_id] for claim_id in leaving}
    taken = {claim_id for claim_id, incident_id in home.items() if incident_id in analyst_ids}
    # A correction of an analyst's member stays in the analyst's incident, as in a full recluster.
    taken.update(f for c in leaving if home[c] in analyst_ids and (f := index.follow(c)) is not None)
    arriving = sorted(index.current - home.keys() - taken)
    # Members of an incident that lost a claim, the lost claim too: the walk must cover its old component.
    seeds = arriving + sorted(c for c in home if home[c] in touched and home[c] not in analyst_ids)
    hood = Neighbourhood(params=params)
    _add_claims(session, hood, _claims_by_id(session, seeds), admit=None)
    hood.seed(c for c in seeds if c in hood)  # a member id with no claim row is dropped, as in full
    free = index.current - taken  # loaded by date, only the free current claims join
    while missing := hood.missing_reaches():
        _add_claims(session, hood, _claims_by_dates(session, missing), admit=free)
        hood.mark_loaded(missing)
    clusters = hood.link(leaving=leaving)
    touched |= {home[c] for c in hood.claim_ids() if c in home}
    rows = _incident_rows(session, sorted(touched))
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


def _add_claims(
    session: Session, hood: Neighbourhood, rows: Iterable[Claim], *, admit: set[str] | None
) -> None:
    found = [row for row in rows if (admit is None or row.id in admit) and row.id not in hood]
    urls: dict[str, str] = {}
    for chunk in chunks(sorted({row.document_id for row in found if row.document_id})):
        query = select(Document.id, Document.url).where(Document.id.in_(chunk))
        urls.update((document_id, url) for document_id, url in session.execute(query))
    # Clustering reads only the document's address from the source (two copies of one URL are one report).
    sources = {row.id: SourceInfo(outlet="", url=urls.get(row.document_id or "", "")) for row in found}
    hood.add((claim_value(row) for row in found), sources=sources)


def _claims_by_id(session: Session, claim_ids: Sequence[str]) -> list[Claim]:
    found: list[Claim] = []
    for chunk in chunks(sorted(set(claim_ids))):
        found.extend(session.scalars(select(Claim).where(Claim.id.in_(chunk))))
    return found


def _claims_by_dates(session: Session, ranges: Iterable[DayRange | None]) -> list[Claim]:
    found: list[Claim] = []
    lowest, highest = date.min.toordinal(), date.max.toordinal()
    for span in ranges:
        if span is None:
            query = select(Claim).where(Claim.event_date.is_(None))
        else:
            first = date.fromordinal(min(max(span[0], lowest), highest))
            last = date.fromordinal(min(max(span[1], lowest), highest))
            query = select(Claim).where(Claim.event_date.between(first, last))
        found.extend(session.scalars(query))
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
        reasons = value.reasons
        if previous is not None:
            reasons = (*reasons, _change_note(previous, before=home_members[previous], after=value.claim_ids))
        stored = incidents.create_incident(
            session,
            dataclasses.replace(value, reasons=reasons),
            supersedes_id=previous,
            author=author,
            now=now,
            incident_id=incidents.free_incident_id(session, value.id, taken=taken),
        )
        if taken is not None:
            taken.add(stored.id)
        result.created.append(stored.id)
        belongs.update((claim_id, stored.id) for claim_id in value.claim_ids)
        if previous is not None:
            succeeded.setdefault(previous, []).append(stored.id)
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
