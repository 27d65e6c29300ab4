"""Each list downloads as CSV and GeoJSON under its page's policy: the right rows per role, no formulas."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.builders import NOW, add_one_of_each, one_of_each_record
from tests.web.conftest import AsUser
from truceline.cases.models import Finding
from truceline.claims.models import Claim
from truceline.complaints.models import Complaint
from truceline.documents.models import Document
from truceline.errors import PermissionDenied
from truceline.incidents.models import Incident
from truceline.ledger.service import add_record, tree_size
from truceline.reports import downloads, exports
from truceline.runtime import Runtime
from truceline.users.rules import Principal, Role
from truceline.views import incidents as incident_view
from truceline.views.review import list_review_queue

FORMULA = '=HYPERLINK("https://evil.example","open")'
AT_FORMULA = "@SUM(A1:A9)"
RESTRICTED = ("documents", "claims", "incidents", "complaints", "cases", "notifications", "ledger")


@dataclass
class Planted:
    af_complaint: str
    pk_complaint: str
    outside_complaint: str
    party_case: str
    incident_case: str


def _plant(client: TestClient, runtime: Runtime, as_user: AsUser) -> Planted:
    """The builders' record of each kind, then complaints by each side, two cases and a published finding."""
    with runtime.transaction() as session:
        add_one_of_each(session)  # cmp-1 (AF against PK), case-1 on it, fnd-1 proposed, ntf-1 by PK
        # Filed between two parties this scenario does not know, so that it involves neither PK nor AF.
        outside = Complaint(
            id="cmp-outside",
            created_at=NOW,
            created_by="test",
            supersedes_id=None,
            complainant_party="XA",
            accused_party="XB",
            incident_id="inc-1",
            claim_ids=[],
            clause_ids=["C1"],
            summary="A dispute between two other parties",
            signature=None,
        )
        add_record(session, outside, author="test", now=NOW)
        published = Finding(
            id="fnd-pub",
            created_at=NOW,
            created_by="test",
            supersedes_id=None,
            case_id="case-1",
            verdict="violation_confirmed",
            responsible_party="PK",
            responsibility="forces",
            clause_ids=["C1"],
            confidence="likely",
            rationale="Crater and two witnesses.",
            status="published",
        )
        add_record(session, published, author="test", now=NOW)
    complaint = {"incident_id": "inc-1", "clause_ids": ["C1"]}
    af = client.post(
        "/api/complaints",
        json={**complaint, "accused_party": "PK", "summary": FORMULA},
        headers=as_user("liaison-af"),
    )
    pk = client.post(
        "/api/complaints",
        json={**complaint, "accused_party": "AF", "summary": AT_FORMULA},
        headers=as_user("liaison-pk"),
    )
    assert af.status_code == 201 and pk.status_code == 201, (af.text, pk.text)
    party_case = client.post(
        "/api/cases",
        json={"title": "Shelling", "complaint_ids": [af.json()["complaint"]["id"]], "monitors": ["monitor"]},
        headers=as_user("mediator-qatar"),
    )
    incident_case = client.post(
        "/api/cases",
        json={"title": "Seen in the news only", "incident_ids": ["inc-1"]},
        headers=as_user("mediator-qatar"),
    )
    assert party_case.status_code == 201 and incident_case.status_code == 201, incident_case.text
    return Planted(
        af_complaint=af.json()["complaint"]["id"],
        pk_complaint=pk.json()["complaint"]["id"],
        outside_complaint="cmp-outside",
        party_case=party_case.json()["id"],
        incident_case=incident_case.json()["id"],
    )


def _csv(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, str]]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def _geojson(client: TestClient, url: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code, response.text[:200])
    assert response.headers["content-type"] == "application/geo+json"
    parsed: dict[str, Any] = json.loads(response.content.decode("utf-8"))
    return parsed


def _ids(rows: list[dict[str, str]]) -> set[str]:
    return {row["id"] for row in rows}


def test_every_list_downloads_as_csv_and_geojson_with_the_rows_a_mediator_sees(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    planted = _plant(client, runtime, as_user)
    mediator = as_user("mediator-qatar")
    with runtime.sessions() as session:
        expected_counts = {
            "documents": session.scalar(select(func.count()).select_from(Document)),
            "claims": len(list_review_queue(session, limit=100_000)),
            "incidents": len(incident_view.incident_points(session, runtime.scenario)),
            "ledger": tree_size(session),
        }
    assert expected_counts["claims"] > 0 and expected_counts["incidents"] > 0
    for spec in exports.EXPORT_LISTS:
        rows = _csv(client, f"/exports/{spec.name}.csv", mediator)
        collection = _geojson(client, f"/exports/{spec.name}.geojson", mediator)
        header = next(csv.reader(io.StringIO(client.get(f"/exports/{spec.name}.csv", headers=mediator).text)))
        assert tuple(header) == spec.column_names, spec.name
        assert collection["type"] == "FeatureCollection"
        features = collection["features"]
        assert len(features) == len(rows), spec.name
        key = spec.column_names[0]
        assert [str(f["id"]) for f in features] == [row[key] for row in rows], spec.name
        assert all(tuple(f["properties"]) == spec.column_names for f in features), spec.name
        if spec.name in expected_counts:
            assert len(rows) == expected_counts[spec.name], spec.name

    complaints = {row["id"]: row for row in _csv(client, "/exports/complaints.csv", mediator)}
    assert set(complaints) == {
        "cmp-1",
        planted.af_complaint,
        planted.pk_complaint,
        planted.outside_complaint,
    }
    assert complaints["cmp-1"]["complainant_party"] == "AF" and complaints["cmp-1"]["claim_ids"] == "doc-1-c1"
    assert _ids(_csv(client, "/exports/cases.csv", mediator)) >= {planted.party_case, planted.incident_case}
    findings = _csv(client, "/exports/findings.csv", mediator)
    assert [(f["id"], f["verdict"], f["responsible_party"]) for f in findings] == [
        ("fnd-pub", "violation_confirmed", "PK")
    ]  # as on /findings: the published finding only, not the proposed fnd-1

    notice = _geojson(client, "/exports/notifications.geojson", mediator)["features"]
    assert [(f["id"], f["geometry"]) for f in notice] == [
        ("ntf-1", {"type": "Point", "coordinates": [71.08, 34.11]})
    ]
    assert notice[0]["properties"]["radius_km"] == 5 and notice[0]["properties"]["lat"] == 34.11

    # Claims: a location with coordinates is a Point, longitude first (RFC 7946), flattened like the CSV.
    claims = _geojson(client, "/exports/claims.geojson", mediator)["features"]
    located = [f for f in claims if f["geometry"] is not None]
    assert located, "the demo claims have coordinates"
    for feature in located:
        props = feature["properties"]
        assert feature["geometry"]["coordinates"] == [props["lon"], props["lat"]]
        assert {"place", "geo_precision", "fatalities_best", "fatalities_low", "fatalities_high"} <= set(
            props
        )
    with runtime.sessions() as session:
        queued = {c.id for c in session.scalars(select(Claim))} - {"doc-1-c1"}  # doc-1-c1 was reviewed
    assert {f["id"] for f in claims} == queued

    ledger = _csv(client, "/exports/ledger.csv", mediator)
    assert [int(row["seq"]) for row in ledger] == list(range(len(ledger)))

    response = client.get("/exports/complaints.csv", headers=mediator)
    today = datetime.now(UTC).date().isoformat()
    assert response.headers["content-disposition"] == f"attachment; filename=truceline-complaints-{today}.csv"
    geo = client.get("/exports/incidents.geojson", headers=mediator)
    assert geo.headers["content-disposition"] == f"attachment; filename=truceline-incidents-{today}.geojson"


def test_a_party_downloads_only_what_involves_its_side(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    planted = _plant(client, runtime, as_user)
    for party in ("liaison-pk", "liaison-af"):
        headers = as_user(party)
        complaints = _ids(_csv(client, "/exports/complaints.csv", headers))
        assert complaints == {"cmp-1", planted.af_complaint, planted.pk_complaint}, party
        geo = _geojson(client, "/exports/complaints.geojson", headers)
        assert {f["id"] for f in geo["features"]} == complaints, party
        cases = _ids(_csv(client, "/exports/cases.csv", headers))
        assert planted.party_case in cases and planted.incident_case not in cases, party
        assert [f["id"] for f in _csv(client, "/exports/findings.csv", headers)] == ["fnd-pub"]
    # A notice is the filing party's own: PK's is not AF's to download.
    assert _ids(_csv(client, "/exports/notifications.csv", as_user("liaison-pk"))) == {"ntf-1"}
    assert _ids(_csv(client, "/exports/notifications.csv", as_user("liaison-af"))) == set()
    # A monitor reads complaints of cases assigned to it, which a complaint alone does not show: none.
    assert _csv(client, "/exports/complaints.csv", as_user("monitor")) == []

    # A party reads no claims and a monitor no ledger entries: refused before any record is read.
    with runtime.sessions() as session:
        refusals = (
            ("claims", Principal("u", "liaison-pk", Role.PARTY, "PK")),
            ("ledger", Principal("u", "monitor", Role.MONITOR)),
        )
        for name, asking in refusals:
            spec = exports.LISTS_BY_NAME[name]
            with pytest.raises(PermissionDenied, match=f"may not {spec.action.value}$"):
                exports.export_rows(spec, exports.ExportQuery(session, runtime.scenario, asking, {}))
    refused = client.get("/exports/claims.csv", headers=as_user("liaison-pk"), follow_redirects=False)
    assert refused.status_code in (303, 403) and "Torkham" not in refused.text


def test_the_public_is_sent_to_sign_in_for_restricted_lists_and_downloads_published_findings(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    _plant(client, runtime, as_user)
    for name in RESTRICTED:
        for fmt in ("csv", "geojson"):
            response = client.get(f"/exports/{name}.{fmt}", follow_redirects=False)
            assert response.status_code == 303, (name, fmt, response.status_code)
            assert response.headers["location"] == f"/login?next=/exports/{name}.{fmt}"
            assert "Torkham" not in response.text and "HYPERLINK" not in response.text
    findings = _csv(client, "/exports/findings.csv", {})
    assert [(f["id"], f["rationale"]) for f in findings] == [("fnd-pub", "Crater and two witnesses.")]


def test_cells_a_spreadsheet_would_run_are_neutralised_in_csv_and_kept_as_text_in_geojson(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    planted = _plant(client, runtime, as_user)
    mediator = as_user("mediator-qatar")
    rows = {row["id"]: row for row in _csv(client, "/exports/complaints.csv", mediator)}
    assert rows[planted.af_complaint]["summary"] == "'" + FORMULA
    assert rows[planted.pk_complaint]["summary"] == "'" + AT_FORMULA
    assert rows["cmp-1"]["summary"] == "Cross-border fire"
    features = _geojson(client, "/exports/complaints.geojson", mediator)["features"]
    summaries = {f["id"]: f["properties"]["summary"] for f in features}
    assert summaries[planted.af_complaint] == FORMULA  # JSON runs no formulas: the text stays the party's


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        (" =not at the start", " =not at the start"),
        (-71.5, "-71.5"),  # our own numbers are numbers, not text
        (3, "3"),
        (True, "true"),
        (None, ""),
    ],
)
def test_csv_cells_starting_a_formula_get_an_apostrophe(value: exports.Cell, expected: str) -> None:
    assert downloads.csv_cell(value) == expected


def test_values_flatten_to_cells() -> None:
    assert exports.cell(["C1", "C2"]) == "C1; C2"
    assert exports.cell(datetime(2025, 11, 1, 9, 30, tzinfo=UTC)) == "2025-11-01T09:30:00Z"
    assert exports.cell(float("nan")) is None
    assert exports.point(34.1, 71.2) == {"type": "Point", "coordinates": [71.2, 34.1]}
    assert (
        exports.point(None, 71.2) is None
        and exports.point(95, 71.2) is None
        and exports.point(True, 1) is None
    )


def _incident(incident_id: str, **changes: Any) -> Incident:
    base = next(r for r in one_of_each_record() if isinstance(r, Incident))
    columns = {a.key: getattr(base, a.key) for a in Incident.__mapper__.column_attrs}
    return Incident(**(columns | {"id": incident_id} | changes))


def test_an_unknown_list_or_format_is_a_404_and_incidents_keep_the_page_filters(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    mediator = as_user("mediator-qatar")
    unknown = client.get("/exports/passwords.csv", headers=mediator)
    assert unknown.status_code == 404 and "export list &#39;passwords&#39; not found" in unknown.text
    wrong = client.get("/exports/complaints.xlsx", headers=mediator)
    assert (
        wrong.status_code == 404 and "export format (csv or geojson) &#39;xlsx&#39; not found" in wrong.text
    )

    chaman = {"name": "Chaman", "lat": 30.92, "lon": 66.45, "geo_precision": 1}
    with runtime.transaction() as session:
        add_one_of_each(session)  # inc-1: a battle, in case-1
        adopted = next(r for r in one_of_each_record() if isinstance(r, Finding))
        columns = {a.key: getattr(adopted, a.key) for a in Finding.__mapper__.column_attrs}
        for record in (
            Finding(**(columns | {"id": "fnd-1.v2", "supersedes_id": "fnd-1", "status": "adopted"})),
            _incident("inc-2", event_type="Explosions/Remote violence", sub_event_type="Shelling"),
            _incident("inc-3", location=chaman),
        ):
            add_record(session, record, author="test", now=NOW)
        statuses = {p.id: p.status for p in incident_view.incident_points(session, runtime.scenario)}
    assert statuses == {"inc-1": "violation_confirmed", "inc-2": "reported", "inc-3": "reported"}
    # The verdict is adopted, not yet published: a party sees the incident still under verification.
    party_rows = {r["id"]: r["status"] for r in _csv(client, "/exports/incidents.csv", as_user("liaison-pk"))}
    assert party_rows == statuses | {"inc-1": "under_verification"}
    rows = _csv(client, "/exports/incidents.csv?kind=Battles&status=reported&page=3", mediator)
    assert [(r["id"], r["place"], r["lat"], r["lon"]) for r in rows] == [
        ("inc-3", "Chaman", "30.92", "66.45")
    ]
    geo = _geojson(client, "/exports/incidents.geojson?kind=Battles&status=reported", mediator)
    assert [f["geometry"] for f in geo["features"]] == [{"type": "Point", "coordinates": [66.45, 30.92]}]
    assert _ids(_csv(client, "/exports/incidents.csv?kind=Battles", mediator)) == {"inc-1", "inc-3"}
    none = _csv(client, "/exports/incidents.csv?from=2099-01-01", mediator)
    assert none == []
    bad = client.get("/exports/incidents.csv?status=sideways", headers=mediator)
    assert bad.status_code == 422 and "status: expected one of" in bad.text


def test_list_pages_link_their_downloads_keeping_filters_but_not_the_page(
    client: TestClient, runtime: Runtime, as_user: AsUser
) -> None:
    mediator = as_user("mediator-qatar")
    pages = {
        "/documents": "documents",
        "/review": "claims",
        "/complaints": "complaints",
        "/cases": "cases",
        "/findings": "findings",
        "/notifications": "notifications",
        "/ledger": "ledger",
    }
    for page, name in pages.items():
        html = client.get(page, headers=mediator).text
        assert f'href="/exports/{name}.csv"' in html and f'href="/exports/{name}.geojson"' in html, page
    html = client.get("/documents?page=1&lang=en&x=%3Cb%3E", headers=mediator).text
    assert 'href="/exports/documents.csv?lang=en&amp;x=%3Cb%3E"' in html
    # The public sees no entries on /ledger, and no link to download them.
    assert "/exports/ledger" not in client.get("/ledger").text
