"""The incident index caught up after writes equals one built afresh, and keeps what did not change."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.builders import NOW
from tests.cases.world import (
    a_world,
    adopt_a_finding,
    file_a_complaint,
    open_investigation,
    publish_a_finding,
)
from tests.views.test_desk import MEDIATOR, PUBLIC, add_incident, revised
from truceline.cases.schemas import CaseCreate
from truceline.db.versions import base_id
from truceline.incidents.models import Incident
from truceline.incidents.rules import DateRange, incident_title
from truceline.incidents.values import IncidentPlace
from truceline.ledger.service import add_record
from truceline.runtime import Runtime
from truceline.users.rules import Principal
from truceline.views import incident_index, incidents
from truceline.views.incident_index import IncidentPoint
from truceline.workflows import verification as flow


def kept_and_fresh(runtime: Runtime, principal: Principal) -> tuple[list[IncidentPoint], list[IncidentPoint]]:
    """The kept index (caught up from the entries since it was made) and one built from nothing."""
    with runtime.sessions() as session:
        kept = incidents.incident_points(session, runtime.scenario, principal)
        fresh = incident_index.build_index(
            session, runtime.scenario, published_only=not incidents.sees_every_verdict(principal), as_of=None
        )
    return list(kept), list(fresh.points)


def test_the_index_caught_up_after_new_merged_and_retired_incidents_equals_a_rebuild(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        for n in range(1, 6):
            add_incident(session, f"i-{n}", date(2025, 11, n), claims=2)
        add_incident(session, "i-undated-old", date(2025, 11, 9))
    with runtime.sessions() as session:
        before = incidents.incident_points(session, runtime.scenario)
    with runtime.transaction() as session:
        add_incident(session, "i-6", date(2025, 11, 3), actor1="Taliban (Afghanistan)")  # new, mid-list
        two = session.get(Incident, "i-2")
        three = session.get(Incident, "i-3")
        old = session.get(Incident, "i-undated-old")
        assert two is not None and three is not None and old is not None
        # i-2 and i-3 merged into a new version of i-2; i-3 retired; an incident moved to no date
        merged = revised(two, "i-2-v2", claim_ids=[*two.claim_ids, *three.claim_ids], title="Merged")
        add_record(session, merged, author="test", now=NOW)
        add_record(session, revised(three, "i-3-r", claim_ids=[]), author="test", now=NOW)
        add_record(session, revised(old, "i-undated", date_start=None, date_end=None), author="test", now=NOW)
    kept, fresh = kept_and_fresh(runtime, MEDIATOR)
    assert kept == fresh
    assert [p.id for p in kept] == ["i-5", "i-4", "i-6", "i-2-v2", "i-1", "i-undated"]
    unchanged = {p.id: p for p in before if p.id in {"i-1", "i-4", "i-5"}}
    assert all(unchanged[p.id] is p for p in kept if p.id in unchanged)  # caught up, not built again


def test_the_index_caught_up_after_complaints_cases_and_findings_equals_a_rebuild(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
    for principal in (MEDIATOR, PUBLIC):
        kept_and_fresh(runtime, principal)  # both views kept
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    for principal in (MEDIATOR, PUBLIC):
        kept, fresh = kept_and_fresh(runtime, principal)
        assert kept == fresh
        assert next(p for p in kept if p.id == "inc-1").status == "under_verification"
    finding_id = adopt_a_finding(world, case_id, now=NOW + timedelta(days=1))
    with runtime.transaction() as session:  # a later version of the incident takes the verdict with it
        incident = session.get(Incident, "inc-1")
        assert incident is not None
        add_record(session, revised(incident, "inc-1-v2"), author="test", now=NOW)
    statuses = {}
    for principal in (MEDIATOR, PUBLIC):
        kept, fresh = kept_and_fresh(runtime, principal)
        assert kept == fresh
        statuses[principal.role] = next(p for p in kept if p.id == "inc-1-v2").status
    assert statuses == {MEDIATOR.role: "violation_confirmed", PUBLIC.role: "under_verification"}
    publish_a_finding(world, finding_id, now=NOW + timedelta(days=2))
    kept, fresh = kept_and_fresh(runtime, PUBLIC)
    assert kept == fresh
    assert next(p for p in kept if p.id == "inc-1-v2").status == "violation_confirmed"


def test_catching_up_on_the_same_rows_twice_changes_nothing(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-1", date(2025, 11, 1))
        add_incident(session, "i-2", date(2025, 11, 2))
    with runtime.sessions() as session:
        index = incident_index.build_index(session, runtime.scenario, published_only=False, as_of=None)
        assert [p.id for p in index.points] == ["i-2", "i-1"]
    with runtime.transaction() as session:
        one = session.get(Incident, "i-1")
        assert one is not None
        add_record(session, revised(one, "i-1-v2", date_start=date(2025, 11, 3)), author="test", now=NOW)
    with runtime.sessions() as session:
        # an index made after the write (a write can land between reading the head and the rows) caught up
        # again from before it
        again = incident_index.build_index(session, runtime.scenario, published_only=False, as_of=None)
        for start in (index, again):
            caught_up = incident_index.update_index(
                session, runtime.scenario, start, published_only=False, changed_incidents=["i-1-v2"]
            )
            assert caught_up.points == again.points
    assert [p.id for p in again.points] == ["i-1-v2", "i-2"]


def test_the_incident_page_finds_its_point_in_the_index(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        for n in range(1, 8):
            add_incident(session, f"i-{n}", date(2025, 11, n % 3 + 1))
        add_incident(session, "i-undated", date(2025, 11, 1))
        undated = session.get(Incident, "i-undated")
        assert undated is not None
        add_record(session, revised(undated, "i-undated-v2", date_start=None), author="test", now=NOW)
    with runtime.sessions() as session:
        points = incidents.incident_points(session, runtime.scenario)
        ids = session.scalars(select(Incident.id)).all()
        for incident_id in ids:
            incident = session.get(Incident, incident_id)
            assert incident is not None
            found = incident_index.find_point(points, incident_id=incident.id, date_start=incident.date_start)
            expected = next((p for p in points if p.id == incident.id), None)
            assert found is expected
    assert {p.id for p in points} == {f"i-{n}" for n in range(1, 8)} | {"i-undated-v2"}


def test_the_incident_page_lists_the_cases_on_it_and_on_its_complaints_only(runtime: Runtime) -> None:
    world = a_world(runtime)
    with runtime.transaction() as session:
        add_incident(session, "i-other", date(2025, 11, 1))
    on_complaint = open_investigation(world, file_a_complaint(world).id)
    with runtime.transaction() as session:
        on_other = flow.open_case(
            session,
            principal=world["mediator-qatar"],
            case_in=CaseCreate(title="On another incident", incident_ids=["i-other"]),
            now=NOW,
        )
    with runtime.sessions() as session:
        mediator = world["mediator-qatar"]
        pages = {
            incident_id: incidents.incident_view(session, runtime.scenario, mediator, incident_id=incident_id)
            for incident_id in ("inc-1", "i-other")
        }
        public = incidents.incident_view(session, runtime.scenario, PUBLIC, incident_id="inc-1")
    assert [base_id(c.id) for c in pages["inc-1"].cases] == [on_complaint]
    assert [c.id for c in pages["i-other"].cases] == [on_other.id]
    assert public.cases == []


def a_point_at(
    place: incident_index.Place, what: incident_index.What, start: date | None, end: date | None
) -> IncidentPoint:
    return IncidentPoint(
        id="i-1",
        date_start=start,
        date_end=end,
        lat=None,
        lon=None,
        where=place,
        what=what,
        figures=incident_index.Figures(None, None, None, 1, 0.4),
        verdict=incident_index.NO_VERDICT,
    )


def test_a_points_usual_title_is_the_title_incident_title_gives() -> None:
    places = [
        incident_index.Place("Kabul", "Kabul", "AF", 1, None),
        incident_index.Place(None, "Kunar", "AF", 2, 25.0),
        incident_index.Place(None, None, "PK", 3, None),
        incident_index.Place(None, None, None, None, None),
    ]
    kinds = [
        incident_index.What("Battles", "Armed clash", None, None, (), ()),
        incident_index.What("Strategic developments", "Agreement", "ceasefire_agreed", None, (), ()),
        incident_index.What("Battles", "", None, None, (), ()),
    ]
    days = [(None, None), (date(2025, 10, 9), None), (date(2025, 10, 9), date(2025, 10, 9))]
    days.append((date(2025, 10, 18), date(2025, 10, 19)))
    for place in places:
        for what in kinds:
            for start, end in days:
                expected = incident_title(
                    event_type=what.event_type,
                    sub_event_type=what.sub_event_type,
                    process_type=what.process_type,
                    place=IncidentPlace(place.name, place.country, place.admin1, None, None, None, None),
                    dates=DateRange(start, end, None),
                )
                assert a_point_at(place, what, start, end).title == expected


def test_a_point_keeps_its_own_title_only_when_it_is_not_the_usual_one(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        add_incident(session, "i-usual", date(2025, 11, 1), title="Armed clash — Torkham, 2025-11-01")
        add_incident(session, "i-own", date(2025, 11, 2), title="A title of its own")
    with runtime.sessions() as session:
        points = {p.id: p for p in incidents.incident_points(session, runtime.scenario)}
    assert points["i-usual"].own_title is None
    assert points["i-usual"].title == "Armed clash — Torkham, 2025-11-01"
    assert points["i-own"].own_title == points["i-own"].title == "A title of its own"
