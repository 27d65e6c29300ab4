"""The Atom feed and the public page of published findings: published only, escaped, valid Atom 1.0."""

from __future__ import annotations

from typing import Any

import feedparser
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.builders import NOW, add_one_of_each, one_of_each_record
from truceline.cases.models import Finding
from truceline.ledger.service import add_record
from truceline.reports import atom
from truceline.runtime import Runtime

PAYLOAD = '<script>alert("rationale")</script>"\'><img src=x onerror=alert(1)> & more'
SECRET = "Not yet public: the monitors are still arguing."


def _finding(finding_id: str, **changes: Any) -> Finding:
    base = next(r for r in one_of_each_record() if isinstance(r, Finding))
    columns = {a.key: getattr(base, a.key) for a in Finding.__mapper__.column_attrs}
    return Finding(**(columns | {"id": finding_id} | changes))


def _plant(runtime: Runtime) -> None:
    """case-1 with a proposed finding (fnd-1), an adopted one, and one published with a hostile rationale."""
    with runtime.transaction() as session:
        add_one_of_each(session)
        for record in (
            _finding("fnd-2", status="adopted", rationale=SECRET),
            # A control character XML may not hold: dropped, or the whole feed would not parse.
            _finding("fnd-3", status="published", rationale=PAYLOAD + "\x01"),
        ):
            add_record(session, record, author="test", now=NOW)


def _feed(client: TestClient, headers: dict[str, str] | None = None) -> tuple[Any, str]:
    response = client.get("/findings.atom", headers=headers or {})
    assert response.status_code == 200, response.text[:200]
    assert response.headers["content-type"] == "application/atom+xml"
    parsed = feedparser.parse(response.text)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, response.text


def test_the_feed_is_valid_atom_with_published_findings_only_and_escapes_rationales(
    client: TestClient, runtime: Runtime, as_user: Any
) -> None:
    empty, _ = _feed(client)
    assert empty.entries == [] and empty.feed.id == "tag:truceline.local,2025:af-pk-2025/findings"

    _plant(runtime)
    for headers in ({}, as_user("mediator-qatar"), as_user("liaison-af")):
        parsed, text = _feed(client, headers)
        assert SECRET not in text and "Two independent sources." not in text  # adopted, proposed
        assert "<script>" not in text and "<img" not in text
        (entry,) = parsed.entries
        assert entry.id == "tag:truceline.local,2025:af-pk-2025/findings/fnd-3"
        assert entry.title == "Violation confirmed: Pakistan (case case-1)"
        assert entry.summary == PAYLOAD  # feedparser unescapes: the text is exactly the rationale
        assert entry.link == "http://testserver/findings/fnd-3"
        assert [t.term for t in entry.tags] == ["violation_confirmed"]
        assert entry.updated == "2025-11-01T09:30:00Z"
    feed = parsed.feed
    assert feed.updated == "2025-11-01T09:30:00Z" and feed.author
    links = {link.rel: link.href for link in feed.links}
    assert links == {"self": "http://testserver/findings.atom", "alternate": "http://testserver/findings"}


def test_the_public_findings_page_shows_published_findings_links_each_and_announces_the_feed(
    client: TestClient, runtime: Runtime
) -> None:
    _plant(runtime)
    html = client.get("/findings").text  # the anonymous public
    assert str(escape(PAYLOAD)) in html and "<script>alert" not in html
    assert SECRET not in html and "Two independent sources." not in html
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/findings.atom"' in html
    assert 'href="/findings/fnd-3"' in html
    assert client.get("/findings/fnd-3").status_code == 200
    assert 'href="/exports/findings.csv"' in html


def test_tags_come_from_the_log_origin_and_text_drops_what_xml_forbids() -> None:
    assert atom.tag_prefix("truceline.local/af-pk-2025") == "tag:truceline.local,2025:af-pk-2025"
    assert atom.tag_prefix("Log.Example.org") == "tag:log.example.org,2025:"
    assert atom.tag_prefix("<bad>/x y") == "tag:bad,2025:x%20y"
    assert atom.xml_text("a\x00b\x0bc\td\ufffee") == "abc\tde"
