import re

from fastapi.testclient import TestClient

from tests.builders import NOW, a_source_document
from truceline.runtime import Runtime
from truceline.workflows.ingest import ingest_documents


def test_dashboard_shows_counts_and_talks_rounds(client: TestClient) -> None:
    html = client.get("/").text
    count = re.search(r'id="count-documents">(\d+)<', html)
    assert count is not None and int(count.group(1)) >= 6
    assert "Istanbul" in html and "Doha" in html


def test_documents_list_and_page(client: TestClient) -> None:
    assert "Open War" in client.get("/documents").text
    page = client.get("/documents/seed-istanbul-talks").text
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
    assert "tilelayer" not in client.get("/static/js/map.js").text.lower()


def test_user_supplied_text_is_escaped(client: TestClient, runtime: Runtime) -> None:
    payload = '<script>alert("x")</script>'
    doc = a_source_document(text=f"Report {payload}", id="xss", title=payload, outlet=payload)
    with runtime.transaction() as session:
        ingest_documents(session, [doc], author="test", now=NOW)
    for url in ("/documents", "/documents/xss"):
        html = client.get(url).text
        assert payload not in html
        assert "&lt;script&gt;" in html


def test_an_unknown_document_page_is_a_404(client: TestClient) -> None:
    assert client.get("/documents/nope").status_code == 404
