"""Incremental recluster gives the incidents a full one gives, while clustering only the claims nearby."""

from __future__ import annotations

import random
from datetime import date, timedelta

from alembic import command
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from tests.builders import NOW, a_source_document
from tests.incidents.builders import make_claim
from truceline.audit import verify_database
from truceline.claims.service import create_claim
from truceline.db.migrate import alembic_config
from truceline.documents.service import create_document
from truceline.incidents.models import Incident, IncidentMember, ReclusterMark
from truceline.incidents.service import list_current_incidents
from truceline.ledger.service import tree_size
from truceline.pipeline.claims import ClaimValue
from truceline.runtime import Runtime
from truceline.workflows.incidents import merge_incidents
from truceline.workflows.reclustering import ReclusterResult, recluster
from truceline.workflows.review import review_claim

# Invented happenings along the border (rounded GeoNames points of real towns, CC BY 4.0).
PLACES = {
    "Chaman": (30.92, 66.45),
    "Spin Boldak": (31.01, 66.40),
    "Torkham": (34.10, 71.09),
    "Angoor Adda": (32.32, 69.35),
    "Kurram": (33.73, 70.10),
    "Bajaur": (34.78, 71.50),
}
OUTLETS = ("dawn", "tolo", "ariana", "geo", "express")
TYPES = (("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"))


def happenings(seed: int = 7, *, count: int = 60) -> list[ClaimValue]:
    """`count` happenings over a year, each reported 1–3 times; some a week-precise, some province-level,
    some undated; reports differ in toll, day and wording as real reports do."""
    rng = random.Random(seed)
    claims = []
    for number in range(count):
        place = rng.choice(sorted(PLACES))
        event_type, sub_event_type = rng.choice(TYPES)
        day = date(2025, 9, 1) + timedelta(days=rng.randrange(365))
        toll = rng.choice([None, 0, 1, 2, 3, 5])
        for report in range(rng.randint(1, 3)):
            outlet = OUTLETS[(number + report) % len(OUTLETS)]
            lat, lon = PLACES[place]
            claims.append(
                make_claim(
                    f"{outlet}-{number}-c1",
                    event_type=event_type,
                    sub_event_type=sub_event_type,
                    day=None if number % 17 == 0 else day + timedelta(days=rng.choice([0, 0, 1])),
                    time_precision=2 if rng.random() < 0.15 else 1,
                    place=(lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02)),
                    place_name=place,
                    geo_precision=3 if rng.random() < 0.1 else 1,
                    best=toll if rng.random() < 0.8 else None,
                    evidence=f"{outlet} reports fighting at {place}; {toll or 'no'} dead, officials said.",
                )
            )
    return claims


def _store(session: Session, claims: list[ClaimValue]) -> None:
    for claim in claims:
        outlet = claim.id.split("-")[0]
        document = a_source_document(
            text=claim.evidence.text,
            id=claim.document_id,
            outlet=outlet,
            url=f"https://{outlet}.example/{claim.document_id}",
        )
        create_document(session, document, author="test", now=NOW)
        create_claim(session, claim, author="test", now=NOW)


def _recluster(runtime: Runtime, *, is_full: bool = False) -> ReclusterResult:
    with runtime.transaction() as session:
        return recluster(session, scenario=runtime.scenario, author="test", now=NOW, is_full=is_full)


def _current(runtime: Runtime) -> set[frozenset[str]]:
    with runtime.sessions() as session:
        return {frozenset(row.claim_ids) for row in list_current_incidents(session, limit=10_000)}


def _split(
    claims: list[ClaimValue], *, every: int, since: date = date(2025, 9, 1)
) -> tuple[list[ClaimValue], list[ClaimValue]]:
    """(the archive, the late reports): every `every`-th report of a happening since `since` (or undated)
    arrives after the first recluster."""
    late = [
        c for n, c in enumerate(claims) if not n % every and (c.event_date is None or c.event_date >= since)
    ]
    return [c for c in claims if c not in late], late


def _clustered_archive(runtime: Runtime, claims: list[ClaimValue], *, every: int) -> list[ClaimValue]:
    """Store and cluster the archive of `claims`; returns the late reports, not stored yet."""
    archive, late = _split(claims, every=every)
    with runtime.transaction() as session:
        _store(session, archive)
    _recluster(runtime)
    return late


def test_incremental_recluster_after_a_full_one_gives_the_full_answer(runtime: Runtime) -> None:
    archive, late = _split(happenings(count=80), every=3, since=date(2026, 6, 1))
    with runtime.transaction() as session:
        _store(session, archive)
    assert _recluster(runtime).is_full  # no incidents yet: the first run is a full one
    with runtime.transaction() as session:
        _store(session, late)
    incremental = _recluster(runtime)
    assert not incremental.is_full and incremental.created
    assert 0 < incremental.considered < len(archive) + len(late)
    after_incremental = _current(runtime)
    full = _recluster(runtime, is_full=True)
    assert (full.created, full.retired) == ([], [])  # the full answer was already stored
    assert _current(runtime) == after_incremental
    with runtime.sessions() as session:
        verify_database(session, log_verifier=runtime.log_verifier)


def test_incremental_recluster_follows_corrections_and_rejections_like_a_full_one(runtime: Runtime) -> None:
    late = _clustered_archive(runtime, happenings(seed=11), every=7)
    grouped = sorted(_current(runtime), key=lambda members: (-len(members), sorted(members)))
    joined, other = sorted(grouped[0]), sorted(grouped[1])
    with runtime.transaction() as session:
        _store(session, late)
        review_claim(session, claim_id=joined[0], decision="rejected", author="analyst:a", now=NOW)
        review_claim(
            session,
            claim_id=other[0],
            decision="corrected",
            changes={"event_date": "2026-03-01"},
            author="analyst:a",
            now=NOW,
        )
    assert not _recluster(runtime).is_full
    after_incremental = _current(runtime)
    assert not any(joined[0] in members for members in after_incremental)
    full = _recluster(runtime, is_full=True)
    assert (full.created, full.retired) == ([], [])
    assert _current(runtime) == after_incremental


def test_incremental_recluster_keeps_an_analysts_grouping(runtime: Runtime) -> None:
    late = _clustered_archive(runtime, happenings(seed=3, count=30), every=4)
    with runtime.sessions() as session:
        first, second = (row.id for row in list_current_incidents(session, limit=2))
    with runtime.transaction() as session:
        merged = merge_incidents(session, incident_ids=[first, second], author="analyst:a", now=NOW)
        merged_members = frozenset(merged.claim_ids)
        _store(session, late)
    _recluster(runtime)
    assert merged_members in _current(runtime)
    assert _recluster(runtime, is_full=True).created == []


def test_a_second_incremental_recluster_writes_nothing(runtime: Runtime) -> None:
    late = _clustered_archive(runtime, happenings(seed=5, count=20), every=3)
    with runtime.transaction() as session:
        _store(session, late)
    _recluster(runtime)
    again = _recluster(runtime)
    assert (again.created, again.retired, again.considered) == ([], [], 0)


def _members_of_current(runtime: Runtime) -> set[frozenset[str]]:
    """The current incidents as `incident_members` rows give them (what recluster looks claims up in)."""
    newer = aliased(Incident)
    query = select(IncidentMember.incident_id, IncidentMember.claim_id).where(
        ~exists().where(newer.supersedes_id == IncidentMember.incident_id)
    )
    by_incident: dict[str, set[str]] = {}
    with runtime.sessions() as session:
        for incident_id, claim_id in session.execute(query):
            by_incident.setdefault(incident_id, set()).add(claim_id)
    return {frozenset(members) for members in by_incident.values()}


def _incremental_then_full(runtime: Runtime) -> set[frozenset[str]]:
    """Run an incremental recluster, check a full one then writes nothing; the incidents after both."""
    assert not _recluster(runtime).is_full
    after_incremental = _current(runtime)
    assert _members_of_current(runtime) == after_incremental
    full = _recluster(runtime, is_full=True)
    assert (full.created, full.retired) == ([], [])
    assert _current(runtime) == after_incremental
    return after_incremental


def test_a_rejection_alone_since_the_last_run_takes_the_claim_out_of_its_incident(runtime: Runtime) -> None:
    _clustered_archive(runtime, happenings(seed=13, count=40), every=1_000)
    _recluster(runtime)  # its mark is past the incident versions of the first run: only the review tells
    grouped = max(_current(runtime), key=lambda members: (len(members), sorted(members)))
    rejected = sorted(grouped)[0]
    assert len(grouped) > 1
    with runtime.transaction() as session:
        review_claim(session, claim_id=rejected, decision="rejected", author="analyst:a", now=NOW)
    after = _incremental_then_full(runtime)
    assert not any(rejected in members for members in after)
    assert grouped - {rejected} <= set().union(*after)


def test_corrections_since_the_last_run_follow_a_chain_and_stay_in_an_analysts_incident(
    runtime: Runtime,
) -> None:
    _clustered_archive(runtime, happenings(seed=3, count=30), every=1_000)
    with runtime.sessions() as session:
        first, second = (row.id for row in list_current_incidents(session, limit=2))
    with runtime.transaction() as session:
        merged = merge_incidents(session, incident_ids=[first, second], author="analyst:a", now=NOW)
        corrected = sorted(merged.claim_ids)[0]
    _recluster(runtime)
    with runtime.transaction() as session:
        once = review_claim(
            session,
            claim_id=corrected,
            decision="corrected",
            changes={"event_date": "2026-03-01"},
            author="analyst:a",
            now=NOW,
        )
        assert once.correction_id is not None
        twice = review_claim(
            session,
            claim_id=once.correction_id,
            decision="corrected",
            changes={"event_date": "2026-03-02"},
            author="analyst:a",
            now=NOW,
        )
        latest = twice.correction_id
    after = _incremental_then_full(runtime)
    holding = [members for members in after if latest in members]
    assert holding == [frozenset(merged.claim_ids) - {corrected} | {latest}]


def test_claims_stored_in_the_same_transaction_as_a_recluster_are_clustered_by_it_or_by_the_next(
    runtime: Runtime,
) -> None:
    late = _clustered_archive(runtime, happenings(seed=5, count=30), every=3)
    before, after = late[: len(late) // 2], late[len(late) // 2 :]
    with runtime.transaction() as session:
        _store(session, before)
        recluster(session, scenario=runtime.scenario, author="test", now=NOW)
        _store(session, after)
    clustered = set().union(*_current(runtime))
    assert {c.id for c in before} <= clustered
    assert not {c.id for c in after} & clustered
    _incremental_then_full(runtime)
    assert {c.id for c in late} <= set().union(*_current(runtime))


def test_each_run_marks_the_ledger_size_it_started_from_and_the_next_reads_on_from_there(
    runtime: Runtime,
) -> None:
    late = _clustered_archive(runtime, happenings(seed=5, count=20), every=3)
    with runtime.sessions() as session:
        first_mark = session.scalar(select(func.max(ReclusterMark.ledger_size)))
        size_after_first = tree_size(session)
    assert first_mark is not None and 0 < first_mark < size_after_first  # its own entries come after
    with runtime.transaction() as session:
        _store(session, late)
        size_before_second = tree_size(session)
    assert _recluster(runtime).considered >= len(late)
    with runtime.sessions() as session:
        assert session.scalar(select(func.max(ReclusterMark.ledger_size))) == size_before_second


def test_a_database_migrated_from_before_the_marks_reclusters_incrementally_to_the_full_answer(
    runtime: Runtime,
) -> None:
    late = _clustered_archive(runtime, happenings(seed=11, count=40), every=4)
    before = _current(runtime)
    config = alembic_config()
    with runtime.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
        command.upgrade(config, "head")
    assert _members_of_current(runtime) == before  # filled from every stored version
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReclusterMark)) == 0
    with runtime.transaction() as session:
        _store(session, late)
    _incremental_then_full(runtime)
