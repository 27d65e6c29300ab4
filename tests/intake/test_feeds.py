"""Parsing RSS and Atom feeds into items and documents."""

from __future__ import annotations

from datetime import date

import pytest

from tests.intake.feeds import rss
from truceline.errors import InvalidInput
from truceline.intake.feeds import FeedItem, documents_from_feed, parse_feed

REPORT = "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said."

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Border Monitor</title>
  <id>urn:test:feed</id>
  <updated>2025-11-03T08:00:00Z</updated>
  <entry>
    <id>urn:test:entry:7</id>
    <title>Talks resume in Istanbul</title>
    <link href="/reports/7"/>
    <published>2025-11-03T07:15:00+04:30</published>
    <updated>2025-11-03T09:00:00Z</updated>
    <content type="html">&lt;p&gt;Delegations from both sides met in Istanbul on Monday.&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_parse_feed_reads_rss_items_with_html_stripped() -> None:
    data = rss([("r1", "Clash at Torkham", f"<p>{REPORT}</p><script>alert(1)</script>")])
    assert parse_feed(data, feed_url="https://example.org/feed") == [
        FeedItem(
            id="tag:example.org,2025:r1",
            link="https://example.org/r1",
            title="Clash at Torkham",
            published=date(2025, 10, 25),
            text=REPORT,
        )
    ]


def test_parse_feed_reads_atom_entries_and_resolves_relative_links() -> None:
    [item] = parse_feed(ATOM, feed_url="https://monitor.example.org/atom.xml")
    assert item.id == "urn:test:entry:7"
    assert item.link == "https://monitor.example.org/reports/7"
    assert item.published == date(2025, 11, 3)  # 07:15 at +04:30 is 02:45 UTC, the same day
    assert item.text == "Delegations from both sides met in Istanbul on Monday."


def test_documents_from_feed_takes_the_outlet_from_the_feed_title() -> None:
    [document] = documents_from_feed(ATOM, feed_url="https://monitor.example.org/atom.xml")
    assert (document.outlet, document.title, document.url) == (
        "Border Monitor",
        "Talks resume in Istanbul",
        "https://monitor.example.org/reports/7",
    )


def test_documents_from_feed_falls_back_to_the_title_for_items_without_a_summary() -> None:
    [document] = documents_from_feed(rss([("r1", "Border closed at Chaman on Sunday", "")]), feed_url="")
    assert document.text == "Border closed at Chaman on Sunday"


def test_an_item_without_a_date_takes_the_callers_date() -> None:
    data = rss([("r1", "t", REPORT)]).replace(b"<pubDate>Sat, 25 Oct 2025 14:30:00 +0000</pubDate>", b"")
    [document] = documents_from_feed(data, feed_url="", published=date(2025, 12, 1))
    assert document.published == date(2025, 12, 1)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"this is not a feed at all",
        b"<html><body><p>A web page</p></body></html>",
        b"\x00\x01\x02garbage\xff",
        b'{"items": []}',
    ],
)
def test_parse_feed_refuses_garbage(data: bytes) -> None:
    with pytest.raises(InvalidInput, match=r"^https://example.org/feed: expected an RSS or Atom feed, found"):
        parse_feed(data, feed_url="https://example.org/feed")


def test_parse_feed_never_treats_the_data_as_a_file_name() -> None:
    # feedparser opens a string argument as a path or URL; a hostile body must not make it read a local file.
    with pytest.raises(InvalidInput):
        parse_feed(b"/etc/hostname", feed_url="https://example.org/feed")
