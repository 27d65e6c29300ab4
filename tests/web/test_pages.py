import dataclasses
import re

from fastapi.testclient import TestClient

from tests.builders import NOW, a_source_document
from tests.web.conftest import AsUser
from truceline.runtime import Runtime
from truceline.web.app import create_app
from truceline.workflows.ingest import ingest_documents


def test_dashboard_shows_counts_and_talks_rounds(client: TestClient) -> None:
    html = client.get("/").text
    count = re.search(r'id="count-documents">(\d+)<', html)
    assert count is not None and int(count.group(1)) >= 6
    assert "Istanbul" in html and "Doha" in html


def test_documents_list_and_page(client: TestClient, as_user: AsUser) -> None:
    assert "Open War" in client.get("/documents", headers=as_user("analyst")).text
    page = client.get("/documents/seed-istanbul-talks", headers=as_user("analyst")).text
    assert "Content hash" in page and "Ledger entry" in page


def test_ledger_page_shows_the_signed_checkpoint(client: TestClient) -> None:
    html = client.get("/ledger").text
    assert "— truceline.local/af-pk-2025" in html


def test_map_page_uses_only_vendored_assets(client: TestClient) -> None:
    html = client.get("/map").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert "data-tiles" not in html  # map.js adds a tile layer only when the page names one


def test_an_online_tile_layer_is_added_only_by_configuration(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(
        update={"map_tiles": "https://tiles.example.org/{z}/{x}/{y}.png", "map_tiles_attribution": "Example"}
    )
    with TestClient(create_app(dataclasses.replace(runtime, settings=settings))) as online:
        html = online.get("/map").text
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-tiles-attribution="Example"' in html


def test_user_supplied_text_is_escaped(client: TestClient, runtime: Runtime, as_user: AsUser) -> None:
    payload = '<script>alert("x")</script>'
    doc = a_source_document(text=f"Report {payload}", id="xss", title=payload, outlet=payload)
    with runtime.transaction() as session:
        ingest_documents(session, [doc], author="test", now=NOW)
    for url in ("/documents", "/documents/xss"):
        html = client.get(url, headers=as_user("analyst")).text
        assert payload not in html
        assert "&lt;script&gt;" in html


def test_an_unknown_document_page_is_a_404(client: TestClient, as_user: AsUser) -> None:
    response = client.get("/documents/nope", headers=as_user("analyst"))
    assert response.status_code == 404 and "not found" in response.text


def test_an_anonymous_visitor_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/documents", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def _csrf(client: TestClient) -> str:
    client.get("/login")
    return client.cookies["truceline_csrf"]


def test_signing_in_with_the_form_opens_the_analysts_pages(client: TestClient) -> None:
    token = _csrf(client)
    form = {"username": "analyst", "password": "truceline-demo", "csrf_token": token}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/review").status_code == 200
    assert "analyst (analyst)" in client.get("/").text


def test_a_wrong_password_is_refused_with_one_message(client: TestClient) -> None:
    form = {"username": "analyst", "password": "not-the-password", "csrf_token": _csrf(client)}
    response = client.post("/login", data=form)
    assert response.status_code == 401 and "invalid username or password" in response.text


def test_a_form_without_the_csrf_token_is_refused(client: TestClient) -> None:
    _csrf(client)
    form = {"username": "analyst", "password": "truceline-demo", "csrf_token": "wrong"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 403 and "CSRF" in response.text


def _signed_in_as_mediator(client: TestClient) -> str:
    token = _csrf(client)
    form = {"username": "mediator-qatar", "password": "truceline-demo", "csrf_token": token}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303
    return token


def test_a_multipart_form_may_send_the_csrf_token_in_the_header(client: TestClient) -> None:
    token = _signed_in_as_mediator(client)
    upload = {"file": ("note.txt", b"crater 3 m wide", "text/plain")}
    refused = client.post("/cases/no-such-case/evidence", files=upload, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    wrong = client.post(
        "/cases/no-such-case/evidence",
        files=upload,
        headers={"X-CSRF-Token": "wrong"},
        follow_redirects=False,
    )
    assert wrong.status_code == 403 and "CSRF" in wrong.text
    # Past the CSRF check the request reaches the case lookup: the unknown case is what refuses it.
    passed = client.post(
        "/cases/no-such-case/evidence", files=upload, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert passed.status_code == 404, passed.text[:300]


def test_an_urlencoded_form_may_send_the_csrf_token_in_the_header(client: TestClient) -> None:
    token = _signed_in_as_mediator(client)
    response = client.post(
        "/logout", data={"unrelated": "x"}, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert response.status_code == 303


def test_an_analyst_corrects_a_claim_through_the_review_page(client: TestClient, runtime: Runtime) -> None:
    token = _csrf(client)
    client.post("/login", data={"username": "analyst", "password": "truceline-demo", "csrf_token": token})
    queue = client.get("/api/review/queue").json()
    claim_id = queue[0]["id"]
    form = {"decision": "corrected", "fatalities_best": "7", "note": "<b>x</b>", "csrf_token": token}
    response = client.post(f"/review/{claim_id}", data=form, follow_redirects=False)
    assert response.status_code == 303
    corrected = client.get(f"/api/claims/{claim_id}-r1").json()
    assert corrected["supersedes_id"] == claim_id and corrected["fatalities"]["best"] == 7
    assert claim_id not in {c["id"] for c in client.get("/api/review/queue").json()}
