"""Incidents over the stored claims: recluster, analysts' merges and splits, ACLED / UCDP GED import, links.

Every act writes new incident versions (and retirement rows, see `incidents.service`) with their ledger
entries in the caller's transaction; nothing is edited or deleted. An analyst's merge or split marks its
incidents with `ANALYST_MARK` in `reasons`: recluster never regroups their claims, it only follows a member
claim to its correction or drops it when rejected. Undoing an analyst's act is another merge or split.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from truceline.claims.models import Claim, ClaimReview
from truceline.claims.service import LINK_COLUMNS, VALUE_COLUMNS, ClaimColumns, create_claim, to_claim_value
from truceline.documents.models import Document
from truceline.errors import InvalidInput
from truceline.incidents import interop
from truceline.incidents import service as incidents
from truceline.incidents.clustering import split_cluster
from truceline.incidents.geography import BorderGeography
from truceline.incidents.models import Incident
from truceline.incidents.rules import build_incident
from truceline.incidents.service import ANALYST_MARK
from truceline.incidents.similarity import DATASET_OF_EXTRACTOR
from truceline.incidents.values import Cluster, IncidentValue, Reliability, SourceInfo
from truceline.intake.files import read_capped
from truceline.ledger.service import add_record, batched_appends
from truceline.pipeline.claims import ClaimValue
from truceline.scenarios.geography import get_geography
from truceline.scenarios.schema import Scenario
from truceline.sources.models import Source

log = logging.getLogger(__name__)

EventFormat = Literal["acled", "ged"]
CHUNK = 500  # ids per IN (...) query: well under SQLite's bound-parameter limit
_CLAIM_SUFFIX = re.compile(r"-c\d+(-r\d+)*$")  # `<document>-c<n>`, corrections `-r<n>` (claims.rules)
# A dataset export is larger than a report: 100,000 ACLED rows are about 40 MB (intake caps a file at 20 MB).
MAX_EVENTS_BYTES = 200_000_000
_LINK_WINDOW_DAYS = 30  # imported events further than this from an incident's dates cannot link to it


@dataclass(frozen=True, slots=True)
class EventSource:
    """A dataset whose events are imported as claims, and the Source row that stands for it."""

    source_id: str
    name: str
    url: str
    document_prefix: str


EVENT_SOURCES: dict[str, EventSource] = {
    "acled": EventSource("src-acled", "ACLED", "https://acleddata.com", "ACLED"),
    "ged": EventSource("src-ucdp-ged", "UCDP GED", "https://ucdp.uu.se", "UCDP-GED"),
}
IMPORTED_EXTRACTORS = tuple(DATASET_OF_EXTRACTOR)


@dataclass
class ClaimPool:
    """Current claims (corrections followed, rejections dropped) and where each came from."""

    claims: dict[str, ClaimValue]
    sources: dict[str, SourceInfo]
    successor: dict[str, str]  # claim id -> the correction that supersedes it

    def follow(self, claim_id: str) -> str | None:
        """The current claim standing for `claim_id` (its latest correction), None if rejected."""
        seen = {claim_id}
        while claim_id in self.successor:
            claim_id = self.successor[claim_id]
            if claim_id in seen:
                break
            seen.add(claim_id)
        return claim_id if claim_id in self.claims else None

    def members(self, claim_ids: Iterable[object]) -> list[ClaimValue]:
        found: dict[str, ClaimValue] = {}
        for claim_id in claim_ids:
            current = self.follow(str(claim_id))
            if current is not None:
                found[current] = self.claims[current]
        return list(found.values())


def merge_incidents(
    session: Session,
    *,
    incident_ids: Sequence[str],
    author: str,
    now: datetime,
    note: str = "",
    scenario: Scenario | None = None,
) -> Incident:
    """One incident from several current ones: it supersedes the first, the others are retired into it."""
    distinct = list(dict.fromkeys(incident_ids))
    if len(distinct) < 2:
        raise InvalidInput(f"merge: expected at least two distinct incident ids, got {len(distinct)}")
    rows = [incidents.get_current_incident(session, incident_id) for incident_id in distinct]
    pool = load_pool(session, claim_ids=[str(c) for row in rows for c in row.claim_ids])
    members = pool.members(c for row in rows for c in row.claim_ids)
    if not members:
        raise InvalidInput(f"merge: expected claims in {', '.join(distinct)}, found none still current")
    why = f"{ANALYST_MARK}merge of {', '.join(distinct)} by {author}" + (f": {note}" if note else "")
    value = build_incident(Cluster.of(members), sources=pool.sources, geography=_geography(scenario))
    merged = incidents.create_incident(
        session,
        dataclasses.replace(value, reasons=(why, *value.reasons)),
        supersedes_id=rows[0].id,
        author=author,
        now=now,
    )
    for row in rows[1:]:
        reason = f"merged into {merged.id} by {author}" + (f": {note}" if note else "")
        incidents.retire_incident(session, row, reason=reason, author=author, now=now)
    return merged


def split_incident(
    session: Session,
    *,
    incident_id: str,
    claim_ids: Sequence[str],
    author: str,
    now: datetime,
    note: str = "",
    scenario: Scenario | None = None,
) -> tuple[Incident, Incident]:
    """Two incidents from one: the named claims and the rest; both supersede the original."""
    row = incidents.get_current_incident(session, incident_id)
    stored = [str(c) for c in row.claim_ids]
    unknown = sorted(set(claim_ids) - set(stored))
    if unknown:
        raise InvalidInput(
            f"split: expected claims of {row.id} ({', '.join(stored)}), found {', '.join(unknown)}"
        )
    pool = load_pool(session, claim_ids=stored)
    members = pool.members(stored)
    named = {current for c in claim_ids if (current := pool.follow(c)) is not None}
    taken, rest = split_cluster(Cluster.of(members), named)
    geography = _geography(scenario)
    parts = []
    for number, part in enumerate((taken, rest), start=1):
        which = "the claims named" if number == 1 else "the other claims"
        why = (
            f"{ANALYST_MARK}split of {row.id} by {author}: part {number} of 2, {which} "
            f"({', '.join(part.claim_ids)})" + (f": {note}" if note else "")
        )
        value = build_incident(part, sources=pool.sources, geography=geography)
        parts.append(
            incidents.create_incident(
                session,
                dataclasses.replace(value, reasons=(why, *value.reasons)),
                supersedes_id=row.id,
                author=author,
                now=now,
            )
        )
    return parts[0], parts[1]


def read_events(path: Path, *, fmt: str, actor_aliases: Mapping[str, str] | None = None) -> list[ClaimValue]:
    """Parse an ACLED or UCDP GED CSV file into claims; InvalidInput names the file, row and column."""
    if fmt not in EVENT_SOURCES:
        raise InvalidInput(f"format: expected one of {', '.join(EVENT_SOURCES)}, found {fmt!r}")
    try:
        text = read_capped(path, max_bytes=MAX_EVENTS_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{path}: expected a UTF-8 CSV file, found undecodable bytes ({exc.reason})"
        ) from exc
    prefix = EVENT_SOURCES[fmt].document_prefix
    lines = text.splitlines(keepends=True)
    try:
        if fmt == "acled":
            return interop.parse_acled_csv(lines, source=prefix)
        return interop.parse_ged_csv(lines, source=prefix, actor_aliases=actor_aliases)
    except InvalidInput as exc:
        raise InvalidInput(f"{path.name}: {exc}") from exc


def import_events(
    session: Session,
    *,
    path: Path,
    fmt: EventFormat,
    author: str,
    now: datetime,
    actor_aliases: Mapping[str, str] | None = None,
) -> int:
    """Store the file's events as claims of the ACLED / UCDP GED source; returns how many were new.

    The whole file is parsed before anything is written; events already stored are skipped, so importing
    the same file twice adds nothing.
    """
    return len(store_events(session, path=path, fmt=fmt, author=author, now=now, actor_aliases=actor_aliases))


def store_events(
    session: Session,
    *,
    path: Path,
    fmt: EventFormat,
    author: str,
    now: datetime,
    actor_aliases: Mapping[str, str] | None = None,
) -> dict[str, ClaimValue]:
    """`import_events`, returning the new claims by id, each as `claim_value` reads it back: what
    `recluster(known_claims=...)` takes instead of reading them again."""
    events = read_events(path, fmt=fmt, actor_aliases=actor_aliases)
    source = _ensure_event_source(session, EVENT_SOURCES[fmt], author=author, now=now)
    stored = _existing_claim_ids(session, [event.id for event in events])
    added: dict[str, ClaimValue] = {}
    with batched_appends(session):
        for event in events:
            if event.id in stored:
                continue
            stored.add(event.id)
            # Imported events have no stored document: the link to their dataset is the source.
            create_claim(session, event, author=author, now=now, source_id=source.id, document_id=None)
            # As `claim_value` reads it back: the document id from the claim id (the event's own, unless
            # the id is not of the form `<document>-c<n>`).
            document_id = _CLAIM_SUFFIX.sub("", event.id)
            same = event.document_id == document_id
            added[event.id] = event if same else dataclasses.replace(event, document_id=document_id)
    return added


def link_to_events(session: Session, *, incident_id: str, min_score: float = 0.5) -> list[interop.Link]:
    """Imported ACLED / GED events describing the same happening as the incident, with disagreements."""
    row = incidents.get_incident(session, incident_id)
    members = load_pool(session, claim_ids=[str(c) for c in row.claim_ids]).members(row.claim_ids)
    incident = incidents.to_incident_value(row, members=members)
    query = select(Claim).where(Claim.extractor.in_(IMPORTED_EXTRACTORS), Claim.id.not_in(incident.claim_ids))
    if incident.date_start is not None:
        window = timedelta(days=_LINK_WINDOW_DAYS)
        end = incident.date_end or incident.date_start
        query = query.where(Claim.event_date.between(incident.date_start - window, end + window))
    events = [claim_value(claim) for claim in session.scalars(query)]
    return interop.link_events(incident, events, min_score=min_score)


def iter_current_incidents(
    session: Session, *, page_size: int = 500
) -> Iterator[tuple[Incident, IncidentValue]]:
    """Every current incident, as its row and as the pure value (actor1/actor2 from its member claims)."""
    offset = 0
    while True:
        rows = incidents.list_current_incidents(session, limit=page_size, offset=offset)
        if not rows:
            return
        pool = load_pool(session, claim_ids=[str(c) for row in rows for c in row.claim_ids])
        for row in rows:
            yield row, incidents.to_incident_value(row, members=pool.members(row.claim_ids))
        offset += page_size


def is_analyst_decision(row: Incident) -> bool:
    return any(str(reason).startswith(ANALYST_MARK) for reason in row.reasons)


def list_current_rows(session: Session) -> list[Incident]:
    rows: list[Incident] = []
    while page := incidents.list_current_incidents(session, limit=CHUNK, offset=len(rows)):
        rows.extend(page)
    return rows


def _geography(scenario: Scenario | None) -> BorderGeography | None:
    return get_geography(scenario) if scenario is not None else None


def claim_value(claim: ClaimColumns) -> ClaimValue:
    if claim.document_id:
        return to_claim_value(claim)
    # Imported events have no stored document; each event is its own report (`ACLED-<id>`). Clustering
    # keeps two events of one dataset apart by their extractor (similarity.DATASET_OF_EXTRACTOR).
    return to_claim_value(claim, document_id=_CLAIM_SUFFIX.sub("", claim.id))


def load_pool(
    session: Session,
    *,
    claim_ids: Sequence[str] | None = None,
    known_claims: Mapping[str, ClaimValue] | None = None,
) -> ClaimPool:
    """Every current claim (or those named and their corrections) with the SourceInfo of each.

    `known_claims` (with every claim): claims the caller has just stored, each as `claim_value` reads it
    back (`store_events`); only their links (`supersedes_id`, source, document) are read again."""
    known = known_claims or {}
    rejecting = select(ClaimReview.claim_id).where(ClaimReview.decision == "rejected")
    rejected: set[str] = set()
    if claim_ids is None:
        rows = _every_claim(session, known)
        rejected.update(session.scalars(rejecting))  # a few rows: cheaper than asking about each claim
    else:
        rows = _claims_with_corrections(session, claim_ids)
        for chunk in chunks([row.id for row in rows]):
            rejected.update(session.scalars(rejecting.where(ClaimReview.claim_id.in_(chunk))))
    superseded = {row.supersedes_id for row in rows if row.supersedes_id}
    live = [row for row in rows if row.id not in superseded and row.id not in rejected]
    documents: dict[str, Document] = {}
    for chunk in chunks(sorted({row.document_id for row in live if row.document_id})):
        documents.update((d.id, d) for d in session.scalars(select(Document).where(Document.id.in_(chunk))))
    stored_sources = list(session.scalars(select(Source)))
    by_id = {s.id: s for s in stored_sources}
    by_name = {s.name: s for s in stored_sources}
    claims: dict[str, ClaimValue] = {}
    sources: dict[str, SourceInfo] = {}
    for row in live:
        document = documents.get(row.document_id or "")
        source_id = row.source_id or (document.source_id if document else None)
        source = by_id.get(source_id or "") or (by_name.get(document.outlet) if document else None)
        outlet = document.outlet if document and document.outlet else (source.name if source else "unknown")
        claims[row.id] = known[row.id] if row.id in known else claim_value(row)
        sources[row.id] = SourceInfo(
            outlet=outlet,
            url=document.url if document else "",
            text=document.text if document else None,
            reliability=_reliability(source.reliability if source else "F"),
        )
    successor = {row.supersedes_id: row.id for row in rows if row.supersedes_id}
    return ClaimPool(claims=claims, sources=sources, successor=successor)


def _every_claim(session: Session, known: Mapping[str, ClaimValue]) -> list[Row[Any]]:
    """Every claim as a row of `VALUE_COLUMNS` (no ORM object per claim), in the table's order; a known
    claim as a row of its links only."""
    if not known:
        return list(session.execute(select(*VALUE_COLUMNS)))
    links: list[Row[Any]] = list(session.execute(select(*LINK_COLUMNS)))
    unknown = [row.id for row in links if row.id not in known]
    full: dict[str, Row[Any]] = {}
    for chunk in chunks(unknown):
        full.update(
            (row.id, row) for row in session.execute(select(*VALUE_COLUMNS).where(Claim.id.in_(chunk)))
        )
    return [row if row.id in known else full[row.id] for row in links]


def _claims_with_corrections(session: Session, claim_ids: Sequence[str]) -> list[Row[Any]]:
    found: dict[str, Row[Any]] = {}
    frontier = sorted(set(claim_ids))
    for chunk in chunks(frontier):
        found.update((c.id, c) for c in session.execute(select(*VALUE_COLUMNS).where(Claim.id.in_(chunk))))
    while frontier:
        corrections: list[Row[Any]] = []
        for chunk in chunks(frontier):
            corrections.extend(session.execute(select(*VALUE_COLUMNS).where(Claim.supersedes_id.in_(chunk))))
        frontier = sorted(c.id for c in corrections if c.id not in found)
        found.update((c.id, c) for c in corrections)
    return list(found.values())


def _reliability(grade: str) -> Reliability:
    try:
        return Reliability(grade.upper())
    except ValueError:
        return Reliability.F


def _existing_claim_ids(session: Session, claim_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(sorted(set(claim_ids))):
        found.update(session.scalars(select(Claim.id).where(Claim.id.in_(chunk))))
    return found


def _ensure_event_source(
    session: Session, event_source: EventSource, *, author: str, now: datetime
) -> Source:
    existing = session.scalar(select(Source).where(Source.name == event_source.name))
    if existing is not None:
        return existing
    source = Source(
        id=event_source.source_id,
        created_at=now,
        created_by=author,
        supersedes_id=None,
        name=event_source.name,
        kind="dataset",
        url=event_source.url,
        reliability=Reliability.B.value,
        language="en",
    )
    add_record(session, source, author=author, now=now)
    return source


def chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
