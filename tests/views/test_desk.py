"""The desk: incident points, weekly counts against the baseline, the escalation index, timeline, map data."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.builders import NOW
from tests.cases.world import (
    a_world,
    adopt_a_finding,
    decide_over_five_days,
    file_a_complaint,
    open_investigation,
)
from truceline.claims.models import Claim
from truceline.db.versions import base_id
from truceline.errors import InvalidInput
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record
from truceline.runtime import Runtime
from truceline.scenarios import Scenario, load_scenario
from truceline.talks.service import load_talks_rounds
from truceline.users.rules import Principal, Role
from truceline.views import ceasefire, desk, documents, filters, incident_index, incidents, maps, timeline
from truceline.wording import Allegation, allegation_words
from truceline.workflows import verification as flow

MEDIATOR = Principal(user_id="u-m", username="m", role=Role.MEDIATOR)
PUBLIC = Principal.anonymous()


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("af-pk-2025")


def add_incident(
    session: Session,
    incident_id: str,
    day: date,
    *,
    actor1: str = "Military Forces of Pakistan",
    event_type: str = "Battles",
    process_type: str | None = None,
    killed: int = 0,
    lat: float | None = 34.1,
    lon: float | None = 71.1,
    precision: int = 1,
    supersedes: str | None = None,
    claims: int = 1,
    title: str | None = None,
) -> Incident:
    claim_ids = []
    for n in range(claims):
        claim = Claim(
            id=f"{incident_id}-c{n}",
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
            location={"name": "Torkham", "lat": lat, "lon": lon, "geo_precision": precision},
            fatalities={"best": killed},
            injuries=None,
            evidence={"text": "made up"},
            confidence=0.8,
            extractor="test/1",
        )
        add_record(session, claim, author="test", now=NOW)
        claim_ids.append(claim.id)
    incident = Incident(
        id=incident_id,
        created_at=NOW,
        created_by="test",
        supersedes_id=supersedes,
        title=title or f"Incident {incident_id}",
        event_type=event_type,
        sub_event_type="Armed clash",
        process_type=process_type,
        date_start=day,
        date_end=day,
        actors=[actor1, "Taliban (Afghanistan)"],
        location={"name": "Torkham", "lat": lat, "lon": lon, "geo_precision": precision, "radius_km": 5.0},
        fatalities={"best": killed, "low": killed, "high": killed + 2},
        claim_ids=claim_ids,
        independent_sources=1,
        corroboration=0.4,
        reasons=[],
    )
    add_record(session, incident, author="test", now=NOW)
    return incident


def test_points_are_current_incidents_with_who_the_claims_say_acted(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-pk", date(2025, 11, 1))
        add_incident(session, "i-af", date(2025, 11, 2), actor1="Taliban (Afghanistan)")
        add_incident(session, "i-ttp", date(2025, 11, 3), actor1="TTP")
        add_incident(session, "i-old", date(2025, 11, 4))
        add_incident(session, "i-new", date(2025, 11, 4), supersedes="i-old")
    with runtime.sessions() as session:
        points = {p.id: p for p in incidents.incident_points(session, runtime.scenario)}
    assert set(points) == {"i-pk", "i-af", "i-ttp", "i-new"}
    alleged = (points["i-pk"].alleged_party, points["i-af"].alleged_party, points["i-ttp"].alleged_party)
    assert alleged == ("PK", "AF", None)
    assert points["i-pk"].allegations == (Allegation(against="PK", by=None, by_party=None),)
    assert points["i-ttp"].allegations == ()  # an armed group is no party: nobody is alleged against
    assert points["i-pk"].status == "reported" and points["i-pk"].responsible_party is None
    assert (points["i-pk"].fatalities_low, points["i-pk"].fatalities_high) == (0, 2)


def test_the_point_list_is_recomputed_when_the_ledger_grows(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
    with runtime.sessions() as session:
        assert [p.id for p in incidents.incident_points(session, runtime.scenario)] == ["i-1"]
    with runtime.transaction() as session:
        add_incident(session, "i-2", date(2025, 11, 2))
    with runtime.sessions() as session:
        assert [p.id for p in incidents.incident_points(session, runtime.scenario)] == ["i-2", "i-1"]


def adopt_violation(runtime: Runtime) -> tuple[str, str]:
    """The world's incident inc-1 goes through a complaint, a case and an adopted finding against PK."""
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    return case_id, adopt_a_finding(world, case_id, now=NOW + timedelta(days=1))


def test_cases_and_adopted_findings_give_the_status_even_after_a_merge(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    open_investigation(world, complaint.id)
    with runtime.sessions() as session:
        point = next(p for p in incidents.incident_points(session, runtime.scenario) if p.id == "inc-1")
    assert point.status == "under_verification"
    with runtime.transaction() as session:  # a later version of inc-1 (as a merge makes) inherits the case
        add_incident(session, "inc-1-v2", date(2025, 10, 25), supersedes="inc-1")
    with runtime.sessions() as session:
        points = {p.id: p for p in incidents.incident_points(session, runtime.scenario)}
    assert "inc-1" not in points
    assert points["inc-1-v2"].status == "under_verification"


def test_an_adopted_finding_confirms_the_violation_and_resets_the_day_count(runtime: Runtime) -> None:
    adopt_violation(runtime)
    with runtime.sessions() as session:
        point = next(p for p in incidents.incident_points(session, runtime.scenario) if p.id == "inc-1")
        status = ceasefire.ceasefire_status(session, runtime.scenario, today=date(2025, 11, 4))
    assert (point.status, point.responsible_party) == ("violation_confirmed", "PK")
    assert status.last_confirmed == date(2025, 10, 25)
    assert status.days_since_last_confirmed == 10
    week = next(w for w in status.weeks if w.week_start == date(2025, 10, 20))
    assert week.confirmed == {"PK": 1, "AF": 0}


def test_a_verdict_reaches_parties_and_the_public_only_once_published(runtime: Runtime) -> None:
    _, finding_id = adopt_violation(runtime)
    party = Principal(user_id="u-p", username="liaison-pk", role=Role.PARTY, party="PK")
    today = date(2025, 11, 4)

    def seen_by(principal: Principal) -> tuple[str, int | None]:
        with runtime.sessions() as session:
            point = next(
                p for p in incidents.incident_points(session, runtime.scenario, principal) if p.id == "inc-1"
            )
            status = ceasefire.ceasefire_status(session, runtime.scenario, today=today, principal=principal)
        return point.status, status.days_since_last_confirmed

    assert seen_by(MEDIATOR) == ("violation_confirmed", 10)
    assert seen_by(party) == ("under_verification", 16) == seen_by(PUBLIC)  # days since the ceasefire
    with runtime.transaction() as session:
        flow.publish_finding(session, principal=MEDIATOR, finding_id=finding_id, now=NOW + timedelta(days=2))
    assert seen_by(party) == ("violation_confirmed", 10) == seen_by(PUBLIC)


def test_weekly_counts_and_the_pre_ceasefire_baseline(runtime: Runtime) -> None:
    # The default scenario's ceasefire starts on 2025-10-19 (a Sunday) with an 8-week baseline.
    with runtime.transaction() as session:
        for n in range(4):  # four PK incidents in the baseline weeks, one AF
            add_incident(session, f"b-pk-{n}", date(2025, 9, 1) + timedelta(days=7 * n))
        add_incident(session, "b-af", date(2025, 9, 3), actor1="Taliban (Afghanistan)")
        add_incident(session, "after-af", date(2025, 10, 28), actor1="Taliban (Afghanistan)")
        add_incident(session, "talk", date(2025, 10, 29), event_type="Strategic developments")
        add_incident(session, "too-old", date(2025, 6, 1))
    with runtime.sessions() as session:
        status = ceasefire.ceasefire_status(session, runtime.scenario, today=date(2025, 11, 2))
    assert status.baseline == {"PK": 0.5, "AF": 0.12}
    assert status.start == date(2025, 10, 19)
    assert status.days_since_last_confirmed == 14  # none confirmed: days since the ceasefire
    assert status.weeks[0].week_start == date(2025, 8, 18)  # 8 weeks before the ceasefire's week
    week = {w.week_start: w for w in status.weeks}
    assert week[date(2025, 10, 27)].reported == {"PK": 0, "AF": 1}  # the non-violent one is not counted
    assert sum(sum(w.reported.values()) for w in status.weeks) == 6


def test_the_escalation_index_shows_each_part_with_its_weight(runtime: Runtime) -> None:
    at = date(2025, 12, 20)
    with runtime.transaction() as session:
        load_talks_rounds(session, runtime.scenario.talks_rounds, author="test", now=NOW)
        add_incident(session, "e-1", at, killed=20)
        add_incident(session, "e-2", at - timedelta(days=2), killed=5)
        add_incident(
            session, "threat", at, event_type="Strategic developments", process_type="threat_or_warning"
        )
        add_incident(session, "outside", at - timedelta(days=8), killed=100)
    with runtime.sessions() as session:
        index = ceasefire.escalation(session, runtime.scenario, at=at)
    parts = {p.name: p for p in index.parts}
    assert parts["severity"].value == pytest.approx(2 / 10)
    assert parts["fatalities"].value == pytest.approx(25 / 50)
    assert parts["threats"].value == pytest.approx(1 / 5)
    # The last talks round on record (Istanbul, 7 Nov) ended without agreement: talks count as stalled.
    assert parts["talks"].value == 0.75 and "without agreement" in parts["talks"].detail
    weights = runtime.scenario.escalation
    assert (parts["severity"].weight, parts["talks"].weight) == (weights.severity, weights.talks)
    expected = sum(p.weight * p.value for p in index.parts) / sum(p.weight for p in index.parts) * 100
    assert index.score == pytest.approx(round(expected, 1))
    assert (index.window_start, index.window_end) == (at - timedelta(days=6), at)
    assert index.level == 1 + sum(index.score >= bound for bound in (20, 40, 60, 80))


def test_escalation_rises_with_violence(runtime: Runtime) -> None:
    at = date(2026, 3, 1)
    with runtime.sessions() as session:
        calm = ceasefire.escalation(session, runtime.scenario, at=at)
    with runtime.transaction() as session:
        for n in range(10):
            add_incident(session, f"x-{n}", at, killed=10)
    with runtime.sessions() as session:
        heated = ceasefire.escalation(session, runtime.scenario, at=at)
    assert calm.level < heated.level
    assert heated.label in ("High", "Critical")


def test_filters_and_their_bad_input() -> None:
    flt = filters.parse_filter(date_from="2025-11-01", date_to="2025-11-30", party="PK", status="reported")
    assert flt.query() == {"from": "2025-11-01", "to": "2025-11-30", "party": "PK", "status": "reported"}
    with pytest.raises(InvalidInput, match="from: expected a date"):
        filters.parse_filter(date_from="yesterday")
    with pytest.raises(InvalidInput, match="expected 'from' on or before 'to'"):
        filters.parse_filter(date_from="2025-12-01", date_to="2025-11-01")
    with pytest.raises(InvalidInput, match="status: expected one of"):
        filters.parse_filter(status="guilty")
    with pytest.raises(InvalidInput, match="bbox"):
        maps.parse_bbox("1,2,3")


def test_filtering_points(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "a", date(2025, 11, 1))
        add_incident(session, "b", date(2025, 11, 10), actor1="Taliban (Afghanistan)", event_type="Riots")
    with runtime.sessions() as session:
        points = incidents.incident_points(session, runtime.scenario)

    def ids(**query: str) -> list[str]:
        return [p.id for p in filters.filter_incidents(points, filters.parse_filter(**query))]

    assert ids(date_from="2025-11-05") == ["b"]
    assert ids(date_to="2025-11-05") == ["a"]
    assert ids(party="AF") == ["b"]
    assert ids(kind="Riots") == ["b"]
    assert ids(status="violation_confirmed") == []


def a_point(
    n: int, lat: float, lon: float, *, geo_precision: int = 1, radius_km: float | None = None
) -> incidents.IncidentPoint:
    return incident_index.IncidentPoint(
        id=f"p{n}",
        date_start=date(2025, 11, 1),
        date_end=None,
        lat=lat,
        lon=lon,
        where=incident_index.Place(None, None, None, geo_precision, radius_km),
        what=incident_index.What("Battles", "Armed clash", None, "PK", (), ()),
        figures=incident_index.Figures(1, 1, 1, 1, 0.5),
        verdict=("reported", None, None),
        own_title=f"P{n}",
    )


def test_map_data_clusters_many_incidents_at_low_zoom_and_keeps_every_one(scenario: Scenario) -> None:
    points = [a_point(n, 34.0 + (n % 20) * 0.01, 70.0 + (n // 20) * 0.5) for n in range(400)]
    points.append(a_point(999, None, None))  # type: ignore[arg-type]
    low = maps.map_geojson(points, scenario, zoom=5)
    assert low["properties"] == {"incidents": 400, "unlocated": 1, "clustered": True}
    assert len(low["features"]) < 100
    assert sum(f["properties"].get("count", 1) for f in low["features"]) == 400
    high = maps.map_geojson(points, scenario, zoom=12)
    assert len(high["features"]) == 400 and not high["properties"]["clustered"]
    inside = maps.map_geojson(points, scenario, zoom=12, bbox=maps.parse_bbox("69.9,33.9,70.1,34.5"))
    assert inside["properties"]["incidents"] == 20


def test_map_data_draws_precision_as_an_area(scenario: Scenario) -> None:
    town, province = a_point(1, 34.0, 70.0), a_point(2, 34.0, 70.0, geo_precision=3)
    centroid = a_point(3, 34.0, 70.0, geo_precision=2, radius_km=41.5)
    features = maps.map_geojson([town, province, centroid], scenario, zoom=7)["features"]
    radii = {f["properties"]["id"]: f["properties"]["radius_km"] for f in features}
    assert radii == {"p1": 2.0, "p2": 100.0, "p3": 41.5}
    assert features[0]["geometry"]["coordinates"] == [70.0, 34.0]  # GeoJSON order: lon, lat


def test_the_timeline_shows_each_principal_what_it_may_see(runtime: Runtime) -> None:
    adopt_violation(runtime)
    with runtime.transaction() as session:
        load_talks_rounds(session, runtime.scenario.talks_rounds, author="test", now=NOW)
        add_incident(session, "agreed", date(2025, 10, 19), process_type="ceasefire_agreed")
    with runtime.sessions() as session:
        for_mediator = timeline.timeline(session, runtime.scenario, MEDIATOR)
        for_public = timeline.timeline(session, runtime.scenario, PUBLIC)
        november = timeline.timeline(
            session, runtime.scenario, MEDIATOR, date_from=date(2025, 11, 1), date_to=date(2025, 11, 30)
        )
    kinds = {item.kind for item in for_mediator}
    assert kinds == {"incident", "talks", "ceasefire", "finding"}
    assert {i.title for i in for_mediator if i.kind == "ceasefire"} >= {
        "Ceasefire takes effect",
        "Incident agreed",
    }
    assert not any(i.kind == "incident" for i in for_public)
    assert not any(i.kind == "finding" for i in for_public)  # adopted but not published
    assert all(date(2025, 11, 1) <= i.day <= date(2025, 11, 30) for i in november)
    assert [i.day for i in for_mediator] == sorted((i.day for i in for_mediator), reverse=True)


def test_the_desk_view_gathers_deadlines_and_the_intake_queue(runtime: Runtime) -> None:
    world = a_world(runtime)
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    later = NOW + timedelta(days=30)
    with runtime.sessions() as session:
        view = desk.desk_view(session, runtime.scenario, world["mediator-qatar"], now=later)
        party_view = desk.desk_view(session, runtime.scenario, world["liaison-pk"], now=later)
        public_view = desk.desk_view(session, runtime.scenario, PUBLIC, now=later)
    due = {d.id: d for d in view.deadlines or []}
    assert due[case_id].overdue and due[complaint.id].overdue
    assert due[complaint.id].kind == "reply"
    assert view.intake_queue == 1  # the world's one claim awaits review
    assert party_view.intake_queue is None and public_view.deadlines is None
    assert {d.id for d in party_view.deadlines or []} == {case_id, complaint.id}
    assert view.today == later.date() and view.ledger_size > 0


def test_an_empty_database_has_a_calm_desk(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        view = desk.desk_view(session, runtime.scenario, PUBLIC, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert view.counts["incidents"] == 0
    assert view.escalation.level == 1


def test_writes_that_do_not_touch_incidents_keep_the_computed_points(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
    with runtime.sessions() as session:
        first = incidents.incident_points(session, runtime.scenario)
    with runtime.transaction() as session:  # a claim alone (not clustered yet) changes no incident
        add_record(session, Claim(**_claim_fields("lone")), author="test", now=NOW)
    with runtime.sessions() as session:
        assert incidents.incident_points(session, runtime.scenario) is first
    with runtime.transaction() as session:
        add_incident(session, "i-2", date(2025, 11, 2))
    with runtime.sessions() as session:
        assert [p.id for p in incidents.incident_points(session, runtime.scenario)] == ["i-2", "i-1"]


def _claim_fields(claim_id: str) -> dict[str, Any]:
    return {
        "id": claim_id,
        "created_at": NOW,
        "created_by": "test",
        "document_id": None,
        "source_id": None,
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "process_type": None,
        "event_date": date(2025, 11, 3),
        "time_precision": 1,
        "actor1": None,
        "actor2": None,
        "alleged": False,
        "claimant": None,
        "location": {},
        "fatalities": {},
        "injuries": None,
        "evidence": {},
        "confidence": 0.5,
        "extractor": "test/1",
    }


def test_very_many_incidents_in_view_are_clustered_even_zoomed_in(scenario: Scenario) -> None:
    points = [a_point(n, 34.0 + (n % 50) * 0.001, 70.0 + (n // 50) * 0.001) for n in range(2500)]
    data = maps.map_geojson(points, scenario, zoom=14)
    assert data["properties"]["clustered"] and data["properties"]["incidents"] == 2500
    assert sum(f["properties"].get("count", 1) for f in data["features"]) == 2500


def day(n: int) -> datetime:
    """`n` days after the world is set up (1 November 2025, 09:30 UTC)."""
    return NOW + timedelta(days=n)


def test_the_desk_of_each_past_day_shows_the_record_as_it_stood_at_its_end(runtime: Runtime) -> None:
    world = a_world(runtime)  # incident inc-1 is recorded on day 0
    decided = decide_over_five_days(world)

    def desk_on(n: int, principal: Principal) -> desk.DeskView:
        with runtime.sessions() as session:
            as_of = filters.end_of_day(day(n).date())
            return desk.desk_view(session, runtime.scenario, principal, now=day(30), as_of=as_of)

    mediator, party = world["mediator-qatar"], world["liaison-pk"]
    filed, adopted, published = desk_on(1, mediator), desk_on(3, mediator), desk_on(5, PUBLIC)
    assert desk_on(0, mediator).counts["reported"] == 1 and desk_on(0, mediator).deadlines == []
    assert filed.counts["under_verification"] == 1 and filed.counts["violation_confirmed"] == 0
    assert {d.id for d in filed.deadlines or []} == {decided.complaint, base_id(decided.case)}
    assert adopted.counts["violation_confirmed"] == 1
    assert adopted.ceasefire.last_confirmed == date(2025, 10, 25)
    # Adopted but not yet published: the parties and the public still see it under verification that day.
    for principal in (party, PUBLIC):
        assert desk_on(3, principal).counts["under_verification"] == 1
        assert desk_on(3, principal).ceasefire.last_confirmed is None
    assert published.counts["violation_confirmed"] == 1
    assert published.ceasefire.last_confirmed == date(2025, 10, 25)
    sizes = [desk_on(n, mediator).ledger_size for n in (0, 1, 3, 5)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 4
    assert filed.as_of == filters.end_of_day(date(2025, 11, 2)) and filed.today == date(2025, 11, 2)


def test_a_past_day_never_shows_a_later_verdict_on_the_map_timeline_or_points(runtime: Runtime) -> None:
    decide_over_five_days(a_world(runtime))
    before = filters.end_of_day(day(2).date())
    with runtime.sessions() as session:
        [point] = incidents.incident_points(session, runtime.scenario, MEDIATOR, as_of=before)
        [now_point] = incidents.incident_points(session, runtime.scenario, MEDIATOR)
        then = timeline.timeline(session, runtime.scenario, PUBLIC, as_of=before)
        later = timeline.timeline(session, runtime.scenario, PUBLIC)
    assert (point.status, point.responsible_party) == ("under_verification", None)
    assert (now_point.status, now_point.responsible_party) == ("violation_confirmed", "PK")
    assert not any(i.kind == "finding" for i in then)
    assert [i.title for i in later if i.kind == "finding"] == [
        "Finding: violation confirmed — Pakistan, its own forces"
    ]


def revised(incident: Incident, new_id: str, **changes: Any) -> Incident:
    """A later version of the incident (as a merge or correction makes), with `changes`."""
    columns = {c.key: getattr(incident, c.key) for c in Incident.__mapper__.column_attrs}
    return Incident(**{**columns, "id": new_id, "supersedes_id": incident.id, **changes})


def test_claims_allege_and_only_a_finding_names_the_responsible_party(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:  # a report says Afghan forces fired, and Pakistan alleges it too
        reported = add_incident(session, "i-1", date(2025, 10, 26), actor1="Taliban (Afghanistan)")
        pakistan_says = {
            "actor1": "Taliban (Afghanistan)",
            "alleged": True,
            "claimant": "Government of Pakistan",
        }
        add_record(session, Claim(**{**_claim_fields("i-1-pk"), **pakistan_says}), author="test", now=NOW)
        both = revised(reported, "i-1-v2", claim_ids=["i-1-c0", "i-1-pk"])
        add_record(session, both, author="test", now=NOW)
    complaint = file_a_complaint(world, now=day(1))
    case_id = open_investigation(world, complaint.id, now=day(1))
    # The finding on inc-1 names Afghanistan (as host), whatever that incident's claims allege (Pakistan).
    adopt_a_finding(world, case_id, now=day(2), responsible_party="AF", responsibility="host")
    with runtime.sessions() as session:
        points = {p.id: p for p in incidents.incident_points(session, runtime.scenario)}
    assert points["i-1-v2"].responsible_party is None
    assert [allegation_words(runtime.scenario, a) for a in points["i-1-v2"].allegations] == [
        "alleged by Pakistan against Afghanistan",
        "alleged by the reports against Afghanistan",
    ]
    assert points["inc-1"].alleged_party == "PK" and points["inc-1"].responsible_party == "AF"


def test_an_unknown_toll_is_unknown_not_zero(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        incident = add_incident(session, "i-1", date(2025, 11, 1))
        add_record(session, revised(incident, "i-2", fatalities={}), author="test", now=NOW)
    with runtime.sessions() as session:
        [point] = incidents.incident_points(session, runtime.scenario)
        index = ceasefire.escalation(session, runtime.scenario, at=date(2025, 11, 1))
    assert (point.fatalities_best, point.fatalities_low, point.fatalities_high) == (None, None, None)
    [feature] = maps.map_geojson([point], runtime.scenario, zoom=12)["features"]
    assert feature["properties"]["fatalities_words"] == "unknown"
    fatalities = next(p for p in index.parts if p.name == "fatalities")
    assert "1 incident(s) with an unknown toll" in fatalities.detail


def test_the_desk_counts_follow_every_write_though_they_are_kept_between_requests(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
    with runtime.sessions() as session:
        before = desk.desk_view(session, runtime.scenario, PUBLIC, now=NOW)
        again = desk.desk_view(session, runtime.scenario, PUBLIC, now=NOW)
    with runtime.transaction() as session:  # a claim alone changes the claim count, not the incidents
        add_record(session, Claim(**_claim_fields("lone")), author="test", now=NOW)
    with runtime.sessions() as session:
        after_claim = desk.desk_view(session, runtime.scenario, PUBLIC, now=NOW)
    with runtime.transaction() as session:
        add_incident(session, "i-2", date(2025, 11, 2))
    with runtime.sessions() as session:
        after_incident = desk.desk_view(session, runtime.scenario, PUBLIC, now=NOW)
    assert (before.counts["claims"], before.counts["incidents"]) == (1, 1)
    assert again.counts == before.counts
    assert (after_claim.counts["claims"], after_claim.counts["incidents"]) == (2, 1)
    assert (after_incident.counts["claims"], after_incident.counts["incidents"]) == (3, 2)


def test_map_data_and_filtered_lists_follow_a_new_incident(runtime: Runtime) -> None:
    flt = filters.IncidentFilter(party="PK")
    seen = []
    for incident_id, day in (("i-1", date(2025, 11, 1)), ("i-2", date(2025, 11, 2))):
        with runtime.transaction() as session:
            add_incident(session, incident_id, day)
        with runtime.sessions() as session:
            points = incidents.incident_points(session, runtime.scenario)
            geojson = maps.cached_map_geojson(points, runtime.scenario, flt=flt, zoom=12)
            assert maps.cached_map_geojson(points, runtime.scenario, flt=flt, zoom=12) is geojson  # kept
            listed = filters.filtered_incidents(points, flt)
        seen.append(([f["properties"]["id"] for f in geojson["features"]], [p.id for p in listed]))
    assert seen == [(["i-1"], ["i-1"]), (["i-2", "i-1"], ["i-2", "i-1"])]


def test_kept_counts_and_timelines_follow_every_write(runtime: Runtime) -> None:
    seen = []
    for incident_id, day in (("i-1", date(2025, 11, 1)), ("i-2", date(2025, 11, 2))):
        with runtime.transaction() as session:
            add_incident(session, incident_id, day)
        with runtime.sessions() as session:
            items = timeline.timeline(session, runtime.scenario, MEDIATOR)
            assert timeline.timeline(session, runtime.scenario, MEDIATOR) is items  # kept
            seen.append((documents.count_claims(session), [i.url for i in items if i.kind == "incident"]))
    assert seen == [(1, ["/incidents/i-1"]), (2, ["/incidents/i-2", "/incidents/i-1"])]


def test_many_requests_after_a_write_make_the_desk_summary_once(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 clients asking for the dashboard right after a write: one recount, the others wait for it (each
    made its own, at once, and the dashboard's p95 at 1M claims was the time of 20 recounts)."""
    a_world(runtime)
    made: list[int] = []
    make = desk._make_summary

    def slow_make(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        time.sleep(0.3)  # long enough for every other request to arrive while it runs
        return make(*args, **kwargs)

    monkeypatch.setattr(desk, "_make_summary", slow_make)
    start = threading.Barrier(8)
    views: list[desk.DeskView] = []

    def ask() -> None:
        with runtime.sessions() as session:
            start.wait()
            views.append(desk.desk_view(session, runtime.scenario, PUBLIC, now=NOW + timedelta(days=3)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(views) == 8 and made == [1]
    assert len({id(view.ceasefire) for view in views}) == 1  # every one got the summary the first made
