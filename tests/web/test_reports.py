"""Report pages: the period form, the report as HTML and as a PDF, each as the principal may see it."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pypdf
from fastapi.testclient import TestClient

from tests.builders import NOW
from tests.cases.world import (
    a_world,
    adopt_a_finding,
    file_a_complaint,
    open_investigation,
    publish_a_finding,
)
from tests.reports.test_compliance import adopt_a_violation, publish
from tests.web.conftest import AsUser, WorldClient
from truceline.runtime import Runtime
from truceline.users.service import issue_token
from truceline.views.ceasefire import week_start
from truceline.views.incidents import incident_points
from truceline.web.app import create_app
from truceline.workflows.reclustering import recluster

ADOPTION_WEEK = "from=2025-10-27&to=2025-11-02"


def _last_week_with_incidents(runtime: Runtime) -> tuple[date, date]:
    """Cluster the demo's claims into incidents (as `init --demo` does); the last complete week with one."""
    with runtime.transaction() as session:
        recluster(session, scenario=runtime.scenario, author="test", now=NOW)
    with runtime.sessions() as session:
        days = [p.date_start for p in incident_points(session, runtime.scenario) if p.date_start]
    today = datetime.now(UTC).date()
    monday = week_start(max(d for d in days if d < week_start(today)))
    return monday, monday + timedelta(days=6)


def test_the_reports_page_opens_on_the_last_complete_week_with_incidents(
    client: TestClient, runtime: Runtime
) -> None:
    monday, sunday = _last_week_with_incidents(runtime)  # the demo's reports are of October/November 2025
    html = client.get("/reports").text
    assert f'id="r-from" name="from" value="{monday}"' in html
    assert "The last complete week that has incidents on record" in html
    assert f'id="r-to" name="to" value="{sunday}"' in html
    assert '<label for="r-from">' in html and '<label for="r-to">' in html
    assert "Last week" in html and "Last 30 days" in html and "ceasefire" in html
    assert 'formaction="/reports/report.pdf"' in html


def test_the_public_reads_the_public_report_of_the_last_week_with_incidents(
    client: TestClient, runtime: Runtime
) -> None:
    monday, sunday = _last_week_with_incidents(runtime)
    response = client.get("/reports/view")
    assert response.status_code == 200
    html = response.text
    assert f"{monday} to {sunday}" in html and 'id="period-note"' in html
    assert "Public: aggregate statistics and published findings" in html
    assert 'id="stats-by-party"' in html and 'id="escalation-parts"' in html
    assert 'id="incidents"' not in html and 'class="map"' not in html and 'id="complaints"' not in html


def test_a_signed_in_party_gets_the_incidents_and_the_map(client: TestClient, as_user: AsUser) -> None:
    html = client.get("/reports/view?from=2025-10-13&to=2025-11-16", headers=as_user("liaison-pk")).text
    assert 'id="incidents"' in html and 'class="map"' in html and 'id="complaints"' in html
    assert "Spin Boldak" in html  # a demo incident of the period


def test_a_bad_period_gets_a_one_line_4xx(client: TestClient) -> None:
    cases = {
        "from=2025-11-09&to=2025-11-01": "expected 'from' on or before 'to'",
        "from=last-week": "from: expected a date as YYYY-MM-DD",
        "from=2024-01-01&to=2025-12-31": "expected at most 366 days",
    }
    for query, message in cases.items():
        for path in ("/reports/view", "/reports/report.pdf"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 422, (path, query)
            assert message in unescape(response.text)
            assert "Traceback" not in response.text


def _tokens(runtime: Runtime, names: list[str]) -> dict[str, dict[str, str]]:
    with runtime.transaction() as session:
        return {
            name: {
                "Authorization": "Bearer "
                + issue_token(session, username=name, author="test", now=datetime.now(UTC))
            }
            for name in names
        }


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_an_adopted_finding_is_in_the_mediators_report_and_pdf_and_reaches_others_once_published(
    runtime: Runtime,
) -> None:
    world = a_world(runtime)
    _, finding_id = adopt_a_violation(world)
    headers = _tokens(runtime, ["mediator-qatar", "liaison-af"])
    with TestClient(create_app(runtime)) as client:
        html = client.get(f"/reports/view?{ADOPTION_WEEK}", headers=headers["mediator-qatar"]).text
        assert f'href="/findings/{finding_id}"' in html and "Formal notice" in html
        assert 'href="/reports/report.pdf?from=2025-10-27&amp;to=2025-11-02"' in html

        pdf = client.get(f"/reports/report.pdf?{ADOPTION_WEEK}", headers=headers["mediator-qatar"])
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["content-disposition"] == (
            'attachment; filename="truceline-report-2025-10-27-2025-11-02.pdf"'
        )
        assert pdf.content.startswith(b"%PDF")
        text = _pdf_text(pdf.content)
        assert "2025-10-27 to 2025-11-02" in text and finding_id in text
        assert re.search(r"Page 1 of \d", text)

        for who in (headers["liaison-af"], {}):
            assert finding_id not in client.get(f"/reports/view?{ADOPTION_WEEK}", headers=who).text
        publish(world, finding_id, now=datetime(2025, 11, 2, 18, 0, tzinfo=UTC))
        for who in (headers["liaison-af"], {}):
            assert (
                f'href="/findings/{finding_id}"'
                in client.get(f"/reports/view?{ADOPTION_WEEK}", headers=who).text
            )


def test_a_report_as_of_a_past_day_holds_only_what_the_ledger_held_then(world_client: WorldClient) -> None:
    world, client = world_client.world, world_client.client
    complaint = file_a_complaint(world)
    case_id = open_investigation(world, complaint.id)
    finding_id = adopt_a_finding(world, case_id, now=NOW + timedelta(days=1))
    publish_a_finding(world, finding_id, now=NOW + timedelta(days=3))
    period = "from=2025-10-27&to=2025-11-09"
    then = client.get(f"/reports/view?{period}&at=2025-11-03").text
    later = client.get(f"/reports/view?{period}&at=2025-11-04").text
    assert "the end of 2025-11-03" in then and "No finding was published in the period." in then
    assert f"/findings/{finding_id}" not in then
    assert f"/findings/{finding_id}" in later and "1 finding published in the period" in later
    pdf_link = re.search(r'href="(/reports/report\.pdf\?[^"]+)"', then)
    assert pdf_link is not None and "at=2025-11-03" in unescape(pdf_link.group(1))
    assert client.get(f"/reports/view?{period}&at=never").status_code == 422
