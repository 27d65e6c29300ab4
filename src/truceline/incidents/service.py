"""Incident use cases: read, store versions and retire; clustering, merge and split are in the workflow.

Incident rows are never edited. A changed incident is a new row whose `supersedes_id` names the version it
replaces; an incident that ends without a successor of its own (merged into another, or every claim
withdrawn) is closed by a *retirement* row: a row with no member claims that supersedes it and says why.
Current incidents are the rows with member claims that no other row supersedes.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from truceline.errors import InvalidInput, NotFound
from truceline.incidents import values
from truceline.incidents.models import Incident, IncidentMember
from truceline.incidents.rules import canonical_actors, canonical_dates
from truceline.ledger.service import add_record
from truceline.pipeline.claims import ClaimValue, Fatalities

_MAX_ID_CHARS = 80  # Record.id is String(80)
ANALYST_MARK = "analyst decision: "  # opens a reason of an incident an analyst merged or split


def get_incident(session: Session, incident_id: str) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


def _is_current() -> ColumnElement[bool]:
    newer = aliased(Incident)
    superseded = exists().where(newer.supersedes_id == Incident.id)
    # json_array_length exists under this name in both SQLite (JSON1) and PostgreSQL (json type).
    return ~superseded & (func.json_array_length(Incident.claim_ids) > 0)


def list_current_incidents(session: Session, *, limit: int = 50, offset: int = 0) -> list[Incident]:
    """Incidents no later version supersedes (retirement rows excluded), latest first."""
    query = (
        select(Incident)
        .where(_is_current())
        .order_by(Incident.date_start.desc().nulls_last(), Incident.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def count_current_incidents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident).where(_is_current())) or 0


def find_successor_ids(session: Session, incident_id: str) -> list[str]:
    """Ids of the rows that supersede this incident (none while it is current)."""
    query = select(Incident.id).where(Incident.supersedes_id == incident_id).order_by(Incident.id)
    return list(session.scalars(query))


def get_current_incident(session: Session, incident_id: str) -> Incident:
    """The incident, or NotFound; InvalidInput when a later version or a retirement supersedes it."""
    incident = get_incident(session, incident_id)
    successors = find_successor_ids(session, incident.id)
    if successors:
        raise InvalidInput(
            f"incident {incident.id!r}: expected a current incident, found one superseded by "
            f"{', '.join(successors)}"
        )
    if not incident.claim_ids:
        raise InvalidInput(
            f"incident {incident.id!r}: expected a current incident, found a retirement record"
        )
    return incident


def free_incident_id(session: Session, base: str, *, taken: AbstractSet[str] | None = None) -> str:
    """`base`, or `base-v2`, `base-v3`... when a row (e.g. a version undone by a later split) holds it;
    `taken`, when given, is every incident id stored or being stored (no query is made)."""
    candidate, n = base, 1
    while (candidate in taken) if taken is not None else (session.get(Incident, candidate) is not None):
        n += 1
        candidate = f"{base}-v{n}"
    return candidate


def create_incident(
    session: Session,
    value: values.IncidentValue,
    *,
    supersedes_id: str | None,
    author: str,
    now: datetime,
    incident_id: str | None = None,
    with_members: bool = True,
) -> Incident:
    """Store one incident version with its ledger entry (the id defaults to the first free `value.id`).

    Its member rows are written at once, unless `with_members` is false: then the caller writes them with
    `add_incident_members` (one INSERT for many versions) before anything reads them."""
    incident = Incident(
        id=incident_id or free_incident_id(session, value.id),
        created_at=now,
        created_by=author,
        supersedes_id=supersedes_id,
        title=value.title,
        event_type=value.event_type,
        sub_event_type=value.sub_event_type,
        process_type=value.process_type,
        date_start=value.date_start,
        date_end=value.date_end,
        actors=list(value.actors),
        location=value.location.to_json(),
        fatalities=value.fatalities.to_json(),
        claim_ids=list(value.claim_ids),
        independent_sources=value.independent_sources,
        corroboration=value.corroboration,
        reasons=list(value.reasons),
    )
    add_record(session, incident, author=author, now=now)
    if with_members:
        add_incident_members(session, [incident])
    return incident


def add_incident_members(session: Session, stored: Sequence[Incident]) -> None:
    """The member rows of stored incident versions, in one INSERT: recluster finds a claim's incident by
    index (incidents/models.py)."""
    members = [
        {"claim_id": claim_id, "incident_id": incident.id}
        for incident in stored
        for claim_id in dict.fromkeys(incident.claim_ids)
    ]
    if members:
        session.connection().execute(insert(IncidentMember), members)


def retire_incident(
    session: Session, incident: Incident, *, reason: str, author: str, now: datetime
) -> Incident:
    """Close a current incident that has no successor of its own: a claimless row superseding it, with why."""
    retirement = Incident(
        id=free_incident_id(session, f"{incident.id[: _MAX_ID_CHARS - 12]}-retired"),
        created_at=now,
        created_by=author,
        supersedes_id=incident.id,
        title=f"{incident.title} (retired)",
        event_type=incident.event_type,
        sub_event_type=incident.sub_event_type,
        process_type=incident.process_type,
        date_start=incident.date_start,
        date_end=incident.date_end,
        actors=list(incident.actors),
        location=dict(incident.location),
        fatalities=dict(incident.fatalities),
        claim_ids=[],
        independent_sources=0,
        corroboration=0.0,
        reasons=[reason],
    )
    add_record(session, retirement, author=author, now=now)
    return retirement


def to_incident_value(incident: Incident, *, members: Sequence[ClaimValue] = ()) -> values.IncidentValue:
    """A stored incident as the pure value (for export and linking).

    actor1, actor2 and time precision are not columns: they are recomputed from the member claims when
    given, otherwise the two most named actors stand in and the precision is unknown.
    """
    if members:
        actor1, actor2, _ = canonical_actors(members)
        time_precision = canonical_dates(members).time_precision
    else:
        named = [str(a) for a in incident.actors]
        actor1 = named[0] if named else None
        actor2 = named[1] if len(named) > 1 else None
        time_precision = None
    place = incident.location or {}
    return values.IncidentValue(
        id=incident.id,
        title=incident.title,
        event_type=incident.event_type,
        sub_event_type=incident.sub_event_type,
        process_type=incident.process_type,
        date_start=incident.date_start,
        date_end=incident.date_end,
        time_precision=time_precision,
        actor1=actor1,
        actor2=actor2,
        actors=tuple(str(a) for a in incident.actors),
        location=values.IncidentPlace(
            name=place.get("name"),
            country=place.get("country"),
            admin1=place.get("admin1"),
            lat=place.get("lat"),
            lon=place.get("lon"),
            geo_precision=place.get("geo_precision"),
            radius_km=place.get("radius_km"),
            is_centroid=bool(place.get("is_centroid", False)),
            border_side=place.get("border_side"),
            km_to_border=place.get("km_to_border"),
        ),
        fatalities=Fatalities.from_json(incident.fatalities or {}),
        claim_ids=tuple(str(c) for c in incident.claim_ids),
        independent_sources=incident.independent_sources,
        corroboration=incident.corroboration,
        reasons=tuple(str(r) for r in incident.reasons),
    )
