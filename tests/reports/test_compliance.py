"""The compliance report: its numbers are the records', and what it holds follows the principal's rights."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from tests.builders import NOW
from tests.cases.world import World, a_world, adopt_a_finding, file_a_complaint, open_investigation
from truceline.claims.models import Claim
from truceline.complaints.models import Complaint
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record
from truceline.reports import compliance
from truceline.runtime import Runtime
from truceline.users.rules import Principal, Role
from truceline.workflows import verification as flow

MEDIATOR = Principal(user_id="u-m", username="m", role=Role.MEDIATOR)
PUBLIC = Principal.anonymous()
WEEK = (date(2025, 11, 3), date(2025, 11, 9))
GENERATED = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)


def add_incident(
    session: Session,
    incident_id: str,
    day: date,
    *,
    actor1: str = "Military Forces of Pakistan",
    event_type: str = "Battles",
    process_type: str | None = None,
    killed: int = 0,
    killed_high: int | None = None,
    place: str = "Torkham",
    lat: float | None = 34.11,
    lon: float | None = 71.08,
    precision: int = 1,
) -> Incident:
    """One incident resting on one claim whose actor1 decides the party it is alleged against."""
    location = {"name": place, "lat": lat, "lon": lon, "geo_precision": precision}
    claim = Claim(
        id=f"{incident_id}-c0",
        created_at=NOW,
        created_by="test",
        document_id=None,
        source_id=None,
        event_type=event_type,
        sub_event_type="Armed clash",
        process_type=process_type,
        event_date=day,
        time_precision=1,
        actor1=actor1,
        actor2=None,
        alleged=False,
        claimant=None,
        location=location,
        fatalities={"best": killed},
        injuries=None,
        evidence={"text": "made up"},
        confidence=0.8,
        extractor="test/1",
    )
    add_record(session, claim, author="test", now=NOW)
    high = killed if killed_high is None else killed_high
    incident = Incident(
        id=incident_id,
        created_at=NOW,
        created_by="test",
        supersedes_id=None,
        title=f"Incident {incident_id}",
        event_type=event_type,
        sub_event_type="Armed clash",
        process_type=process_type,
        date_start=day,
        date_end=day,
        actors=[actor1],
        location=location,
        fatalities={"best": killed, "low": killed, "high": high},
        claim_ids=[claim.id],
        independent_sources=2,
        corroboration=0.5,
        reasons=[],
    )
    add_record(session, incident, author="test", now=NOW)
    return incident


def add_week_of_incidents(session: Session) -> None:
    """In 3–9 Nov 2025: 3 by Pakistan's forces, 2 by Afghanistan's, 1 by the TTP, 1 threat; 1 outside."""
    add_incident(session, "pk-1", date(2025, 11, 3), killed=2, killed_high=4)
    add_incident(session, "pk-2", date(2025, 11, 5), killed=3)
    add_incident(session, "pk-3", date(2025, 11, 9), event_type="Explosions/Remote violence")
    add_incident(session, "af-1", date(2025, 11, 4), actor1="Taliban (Afghanistan)", killed=1)
    add_incident(session, "af-2", date(2025, 11, 6), actor1="Taliban (Afghanistan)")
    add_incident(session, "ttp-1", date(2025, 11, 7), actor1="TTP", killed=6, killed_high=11)
    add_incident(
        session,
        "threat-1",
        date(2025, 11, 8),
        event_type="Strategic developments",
        process_type="threat_or_warning",
    )
    add_incident(session, "before", date(2025, 11, 2), killed=50)


def build(runtime: Runtime, principal: Principal, period: tuple[date, date] = WEEK) -> compliance.Report:
    with runtime.sessions() as session:
        return compliance.build_report(
            session,
            runtime.scenario,
            principal,
            date_from=period[0],
            date_to=period[1],
            generated_at=GENERATED,
        )


def test_the_report_counts_what_the_records_hold(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_week_of_incidents(session)
    report = build(runtime, MEDIATOR)
    stats = report.statistics
    assert (stats.violent, stats.other) == (6, 1)
    assert (stats.fatalities_low, stats.fatalities_high) == (12, 19)
    rows = {row.label: row for row in stats.by_party}
    assert (rows["Pakistan"].violent, rows["Afghanistan"].violent, rows["No party named"].violent) == (
        3,
        2,
        1,
    )
    assert rows["Pakistan"].fatalities == "5–7"
    assert report.summary[0] == (
        "Between 3 and 9 November 2025, the mechanism recorded 6 incidents involving violence (3 alleged "
        "against Pakistan's forces, 2 against Afghanistan's, 1 with no party named) and 1 other reported "
        "development (1 threat or warning)."
    )
    assert "Fatalities reported: 12–19." in report.summary
    assert report.incidents is not None
    assert {i.id for i in report.incidents} == {"pk-1", "pk-2", "pk-3", "af-1", "af-2", "ttp-1", "threat-1"}
    first = next(i for i in report.incidents if i.id == "pk-1")
    assert (first.alleged, first.fatalities, first.status, first.sources) == (
        "alleged by the reports against Pakistan",
        "2–4",
        "reported",
        2,
    )
    # The chart runs from 8 weeks before the period; the period's week holds the period's violent incidents.
    assert report.weeks[0].week_start == date(2025, 9, 8)
    week = next(w for w in report.weeks if w.week_start == date(2025, 11, 3))
    assert week.reported == {"PK": 3, "AF": 2}
    assert report.period_label == "3–9 November 2025"
    assert report.illustrative_notice is not None and report.illustrative_notice.startswith("ILLUSTRATIVE")


def adopt_a_violation(world: World) -> tuple[str, str]:
    """AF complains about inc-1 (25 Oct) on 1 Nov; the case's finding against PK is adopted on 2 Nov."""
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    return complaint.id, adopt_a_finding(world, case_id, now=NOW + timedelta(days=1))


def publish(world: World, finding_id: str, *, now: datetime) -> None:
    with world.runtime.transaction() as session:
        flow.publish_finding(session, principal=world["mediator-qatar"], finding_id=finding_id, now=now)


ADOPTION_WEEK = (date(2025, 10, 27), date(2025, 11, 2))


def test_an_adopted_finding_appears_with_its_verdict_confidence_and_penalty(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint_id, finding_id = adopt_a_violation(world)
    report = build(runtime, world["mediator-qatar"], ADOPTION_WEEK)
    [row] = report.findings
    assert (row.id, row.verdict, row.responsible) == (
        finding_id,
        "violation confirmed",
        "Pakistan (its forces)",
    )
    assert row.confidence == "likely (55–80%)"
    assert row.penalty == "Step 1 of 5 of the penalty schedule: Formal notice"
    assert (row.adopted_on, row.published_on) == (date(2025, 11, 2), None)
    assert (
        "1 finding adopted or published in the period: 1 violation confirmed (1 by Pakistan)."
        in report.summary
    )
    assert report.complaints is not None
    [complaint] = report.complaints
    assert (complaint.id, complaint.complainant, complaint.reply_state) == (
        complaint_id,
        "Afghanistan",
        "awaiting",
    )
    assert "Complaints: 1 filed (1 by Afghanistan); 0 replies received; 0 replies overdue." in report.summary
    # The confirmed incident (25 Oct) resets the ceasefire day count as of the end of the period.
    assert report.ceasefire.last_confirmed == date(2025, 10, 25)
    assert report.ceasefire.days_since_last_confirmed == 8
    confirmed_week = next(w for w in report.weeks if w.week_start == date(2025, 10, 20))
    assert confirmed_week.confirmed == {"PK": 1, "AF": 0}

    next_week = build(runtime, world["mediator-qatar"], WEEK)
    assert next_week.findings == []  # adopted in the week before
    assert next_week.complaints is not None
    [still_open] = next_week.complaints  # unanswered: it stays in every report, now overdue
    assert still_open.is_overdue
    assert "Complaints: 0 filed; 0 replies received; 1 reply overdue." in next_week.summary


def test_parties_and_the_public_see_a_verdict_only_once_it_is_published(runtime: Runtime) -> None:
    world = a_world(runtime)
    _, finding_id = adopt_a_violation(world)
    with runtime.transaction() as session:  # a complaint between AF and a third party: none of PK's business
        add_record(
            session,
            Complaint(
                id="cmp-elsewhere",
                created_at=NOW,
                created_by="test",
                supersedes_id=None,
                complainant_party="AF",
                accused_party="XX",
                incident_id=None,
                claim_ids=[],
                clause_ids=["C1"],
                summary="Not about Pakistan.",
                signature=None,
            ),
            author="test",
            now=NOW,
        )
    for principal in (world["liaison-pk"], world["liaison-af"], PUBLIC):
        report = build(runtime, principal, ADOPTION_WEEK)
        assert report.findings == []
        assert "No finding was published in the period." in report.summary
        assert report.ceasefire.last_confirmed is None
        assert all(sum(w.confirmed.values()) == 0 for w in report.weeks)
    pk = build(runtime, world["liaison-pk"], ADOPTION_WEEK)
    assert pk.complaints is not None and "cmp-elsewhere" not in {c.id for c in pk.complaints}
    af = build(runtime, world["liaison-af"], ADOPTION_WEEK)
    assert af.complaints is not None and "cmp-elsewhere" in {c.id for c in af.complaints}
    mediator = build(runtime, world["mediator-qatar"], ADOPTION_WEEK)
    assert mediator.complaints is not None and len(mediator.complaints) == 2
    public = build(runtime, PUBLIC, ADOPTION_WEEK)
    assert (public.complaints, public.incidents, public.map_svg) == (None, None, None)
    assert public.statistics.by_party  # aggregate statistics stay public

    publish(world, finding_id, now=datetime(2025, 11, 2, 18, 0, tzinfo=UTC))
    for principal, penalty in (
        (world["liaison-pk"], "Step 1 of 5 of the penalty schedule: Formal notice"),
        (world["liaison-af"], None),
    ):
        [row] = build(runtime, principal, ADOPTION_WEEK).findings
        assert (row.id, row.status, row.penalty) == (finding_id, "published", penalty)
        assert row.case_id is not None  # both parties are involved in the case
    [public_row] = build(runtime, PUBLIC, ADOPTION_WEEK).findings
    assert (public_row.id, public_row.penalty, public_row.case_id) == (finding_id, None, None)
    assert build(runtime, PUBLIC, ADOPTION_WEEK).ceasefire.last_confirmed == date(2025, 10, 25)


def test_the_map_draws_each_located_incident_with_its_precision(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "town", date(2025, 11, 3), precision=1)
        add_incident(session, "district", date(2025, 11, 4), lat=32.6, lon=69.3, precision=2)
        add_incident(session, "province", date(2025, 11, 5), lat=30.5, lon=66.5, precision=3)
        add_incident(session, "nowhere", date(2025, 11, 6), lat=None, lon=None)
        add_incident(session, "far", date(2025, 11, 7), place="Istanbul", lat=41.01, lon=28.95)
    report = build(runtime, MEDIATOR)
    assert report.map_svg is not None
    circles = re.findall(
        r'<circle class="incident precision-(\d)" data-id="([^"]+)"[^>]*r="([\d.]+)"', report.map_svg
    )
    assert sorted(c[1] for c in circles) == ["district", "province", "town"]
    radius = {c[1]: float(c[2]) for c in circles}
    assert radius["town"] < radius["district"] < radius["province"]
    assert "1 located outside the map area (Istanbul)" in report.map_note
    assert "1 without a location" in report.map_note
    assert len(report.map_svg) < 150_000
