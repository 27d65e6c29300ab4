"""Dashboard, map data, timeline and incident pages over the demo data, per role."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.builders import NOW
from tests.cases.world import (
    adopt_a_finding,
    decide_over_five_days,
    file_a_complaint,
    open_investigation,
    publish_a_finding,
)
from tests.web.conftest import AsUser, WorldClient
from truceline.runtime import Runtime
from truceline.views import incidents
from truceline.workflows.reclustering import recluster


@pytest.fixture
def client(client: TestClient, runtime: Runtime) -> Iterator[TestClient]:
    """The demo data with its claims clustered into incidents, as `truceline init --demo` leaves it."""
    with runtime.transaction() as session:
        recluster(session, scenario=runtime.scenario, author="test", now=NOW)
    yield client


def demo_points(runtime: Runtime) -> list[incidents.IncidentPoint]:
    with runtime.sessions() as session:
        return incidents.incident_points(session, runtime.scenario)


def test_the_public_dashboard_shows_status_and_each_part_of_the_escalation_index(client: TestClient) -> None:
    page = client.get("/?at=2025-11-08")
    assert page.status_code == 200
    for label in ("Incident severity", "Fatalities", "Threats and ultimatums", "Talks status"):
        assert label in page.text
    assert "0.35" in page.text and "without agreement" in page.text
    assert 'id="days-since">20<' in page.text  # 2025-10-19 to 2025-11-08, no confirmed violation
    assert "Open cases and deadlines" not in page.text and "claims awaiting review" not in page.text


def test_a_mediator_s_dashboard_adds_deadlines_and_the_intake_queue(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    page = client.get("/", headers=as_user("mediator-qatar"))
    queue = re.search(r'id="intake-queue">(\d+)<', page.text)
    assert queue is not None and int(queue.group(1)) == len(desk_claims(client, as_user))
    assert "Open cases and deadlines" in page.text


def desk_claims(client: TestClient, as_user: AsUser) -> list[object]:
    queue = client.get("/api/review/queue?limit=500", headers=as_user("analyst"))
    assert queue.status_code == 200
    return list(queue.json())


def test_a_bad_as_of_date_is_a_clear_4xx(client: TestClient) -> None:
    page = client.get("/?at=someday")
    assert page.status_code == 422
    assert "at: expected a date as YYYY-MM-DD" in page.text


def test_the_incident_list_filters_and_refuses_the_public(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    points = demo_points(runtime)
    assert points
    everything = client.get("/incidents", headers=as_user("liaison-pk"))
    assert everything.status_code == 200
    assert f"Incidents <small>({len(points)})</small>" in everything.text
    by_pk = client.get("/incidents?party=PK", headers=as_user("liaison-pk"))
    expected = [p for p in points if "PK" in (p.alleged_party, p.responsible_party)]
    assert f"Incidents <small>({len(expected)})</small>" in by_pk.text
    assert client.get("/incidents?to=2025-13-01", headers=as_user("analyst")).status_code == 422
    refused = client.get("/incidents", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_an_incident_page_puts_claims_side_by_side_with_their_sources(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    point = next(p for p in demo_points(runtime) if p.lat is not None)
    page = client.get(f"/incidents/{point.id}", headers=as_user("analyst"))
    assert page.status_code == 200
    assert "Pakistan&#39;s account" in page.text and "Afghanistan&#39;s account" in page.text
    assert "Independent reporting" in page.text
    assert 'class="evidence"' in page.text and "/documents/" in page.text
    assert client.get("/incidents/no-such-incident", headers=as_user("analyst")).status_code == 404


def test_map_data_is_geojson_with_filters_for_those_who_may_read_incidents(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    points = demo_points(runtime)
    data = client.get("/api/map/incidents", headers=as_user("monitor")).json()
    assert data["type"] == "FeatureCollection"
    located = [p for p in points if p.lat is not None]
    assert {f["properties"]["id"] for f in data["features"]} == {p.id for p in located}
    assert data["properties"]["unlocated"] == len(points) - len(located)
    reported = client.get("/api/map/incidents?status=violation_confirmed", headers=as_user("monitor")).json()
    assert reported["features"] == []
    assert client.get("/api/map/incidents").status_code == 403
    assert client.get("/api/map/incidents?zoom=99", headers=as_user("monitor")).status_code == 422


def test_the_map_page_passes_its_filters_to_the_incident_layer(client: TestClient, as_user: AsUser) -> None:
    page = client.get("/map?party=AF&status=reported", headers=as_user("analyst"))
    assert 'data-incidents="/api/map/incidents?party=AF&amp;status=reported"' in page.text
    assert 'for="f-party"' in page.text
    public = client.get("/map")
    assert public.status_code == 200 and "data-incidents" not in public.text


def test_the_timeline_shows_talks_to_everyone_and_incidents_to_those_who_may_read_them(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    public = client.get("/timeline")
    assert "Istanbul talks (first round)" in public.text and "Ceasefire takes effect" in public.text
    assert "/incidents/" not in public.text
    analyst = client.get("/timeline", headers=as_user("analyst"))
    assert all(f"/incidents/{p.id}" in analyst.text for p in demo_points(runtime) if p.date_start)
    only_talks = client.get("/timeline?kind=talks", headers=as_user("analyst"))
    assert "/incidents/" not in only_talks.text and "Doha talks" in only_talks.text
    everything = client.get("/api/timeline").json()
    assert client.get("/api/timeline?limit=2&offset=1").json() == everything[1:3]
    as_json = client.get("/api/timeline?from=2025-10-18&to=2025-10-19").json()
    assert {item["title"] for item in as_json} >= {"Doha talks", "Ceasefire takes effect"}


def test_the_desk_api_reports_status_escalation_and_counts(client: TestClient, as_user: AsUser) -> None:
    body = client.get("/api/desk", headers=as_user("mediator-qatar")).json()
    assert {p["name"] for p in body["escalation"]["parts"]} == {"severity", "fatalities", "threats", "talks"}
    assert body["ceasefire"]["start"] == "2025-10-19"
    assert body["intake_queue"] >= 0 and isinstance(body["deadlines"], list)
    assert client.get("/api/desk").json()["deadlines"] is None


def test_the_dashboard_on_three_past_days_shows_each_day_as_it_stood(world_client: WorldClient) -> None:
    world, client = world_client.world, world_client.client
    decide_over_five_days(world)

    def counts(day: str, who: str | None = None) -> tuple[int, int]:
        headers = world_client.as_(who) if who else {}
        page = client.get(f"/?at={day}", headers=headers)
        assert page.status_code == 200 and f"at the end of {day}" in page.text
        found = re.search(r"(\d+) confirmed violations · (\d+) under verification", page.text)
        assert found is not None, page.text
        return int(found.group(1)), int(found.group(2))

    assert counts("2025-11-01", "mediator-qatar") == (0, 0)
    assert counts("2025-11-02", "mediator-qatar") == (0, 1)
    assert counts("2025-11-04", "mediator-qatar") == (1, 0)
    assert counts("2025-11-04") == (0, 1)  # adopted, not yet published: the public sees it under verification
    assert counts("2025-11-06") == (1, 0)
    assert (
        "Reply due from Pakistan"
        in client.get("/?at=2025-11-02", headers=world_client.as_("mediator-qatar")).text
    )
    assert (
        "Reply due from" not in client.get("/?at=2025-11-01", headers=world_client.as_("mediator-qatar")).text
    )
    api = client.get("/api/desk?at=2025-11-04").json()
    assert api["counts"]["under_verification"] == 1 and api["as_of"].startswith("2025-11-04T23:59:59")


def test_incidents_map_and_timeline_of_a_past_day_hold_no_later_verdict(world_client: WorldClient) -> None:
    world, client = world_client.world, world_client.client
    finding_id = decide_over_five_days(world).finding
    pk = world_client.as_("liaison-pk")

    then = client.get("/incidents?at=2025-11-03", headers=pk)
    assert "As the record stood at the end of 2025-11-03" in then.text
    assert 'status-badge under_verification"' in then.text
    assert 'status-badge violation_confirmed"' not in then.text
    now = client.get("/incidents", headers=pk)
    assert 'status-badge violation_confirmed"' in now.text

    def on_map(query: str) -> int:  # the world's incident has no coordinates: it is counted, not drawn
        return int(client.get(f"/api/map/incidents?{query}", headers=pk).json()["properties"]["unlocated"])

    assert on_map("at=2025-11-03&status=under_verification") == 1
    assert on_map("at=2025-11-03&status=violation_confirmed") == 0
    assert on_map("status=violation_confirmed") == 1
    map_page = client.get("/map?at=2025-11-03", headers=pk)
    assert 'data-incidents="/api/map/incidents?at=2025-11-03"' in map_page.text
    timeline = client.get("/api/timeline?at=2025-11-05").json()
    assert not [i for i in timeline if i["kind"] == "finding"]
    assert [i for i in client.get("/api/timeline?at=2025-11-06").json() if i["kind"] == "finding"]
    assert client.get("/findings?at=2025-11-05").text.count("/findings/" + finding_id) == 0
    assert "/findings/" + finding_id in client.get("/findings?at=2025-11-06").text
    assert client.get("/incidents?at=someday", headers=pk).status_code == 422


def test_the_incident_list_names_a_responsible_party_only_by_a_finding(world_client: WorldClient) -> None:
    """The world's incident rests on a report that Pakistani forces fired; the finding names Afghanistan."""
    world, client = world_client.world, world_client.client
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    finding_id = adopt_a_finding(world, case_id, responsible_party="AF", responsibility="host")

    mediator = client.get("/incidents", headers=world_client.as_("mediator-qatar")).text
    row = re.search(r"<tr>\s*<td>2025-10-25</td>.*?</tr>", mediator, re.S)
    assert row is not None
    assert "alleged by the reports against Pakistan" in row.group(0)
    assert '<td class="responsible">Afghanistan</td>' in row.group(0)
    assert "Attributed" not in mediator
    party = client.get("/incidents", headers=world_client.as_("liaison-pk")).text  # not published yet
    assert '<td class="responsible"><span class="muted">no finding</span></td>' in party
    publish_a_finding(world, finding_id)
    party = client.get("/incidents", headers=world_client.as_("liaison-pk")).text
    assert '<td class="responsible">Afghanistan</td>' in party
    page = client.get("/incidents/inc-1", headers=world_client.as_("liaison-pk")).text
    assert "Afghanistan, by the finding of case" in page and "alleged by the reports against Pakistan" in page
