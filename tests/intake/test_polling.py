"""Polling feeds: only new items, and one failing feed never stops the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.intake.feeds import rss
from tests.intake.servers import Route, serve
from truceline.errors import InvalidInput
from truceline.intake.polling import FeedPoller

FIRST = ("a", "Clash at Torkham", "<p>Forces exchanged fire near Torkham on Saturday, officials said.</p>")
SECOND = ("b", "Crossing closed", "<p>The Chaman crossing stayed closed on Sunday, traders said.</p>")
THIRD = ("c", "Talks resume", "<p>Delegations met in Doha on Monday to discuss the truce.</p>")


def feed_route(*items: tuple[str, str, str]) -> Route:
    return Route(body=rss(list(items)), content_type="application/rss+xml")


def test_polling_again_yields_only_new_items() -> None:
    with serve({"/feed": feed_route(FIRST, SECOND)}) as server:
        poller = FeedPoller()
        first = poller.poll([server.url("/feed")])
        server.routes["/feed"] = feed_route(THIRD, FIRST, SECOND)
        second = poller.poll([server.url("/feed")])
        third = poller.poll([server.url("/feed")])
    assert [document.title for document in first.new_documents] == ["Clash at Torkham", "Crossing closed"]
    assert [document.title for document in second.new_documents] == ["Talks resume"]
    assert (third.new_documents, third.errors) == ([], [])


def test_the_state_file_carries_seen_items_to_the_next_poller(tmp_path: Path) -> None:
    state = tmp_path / "seen.json"
    with serve({"/feed": feed_route(FIRST)}) as server:
        assert len(FeedPoller(state_path=state).poll([server.url("/feed")]).new_documents) == 1
        server.routes["/feed"] = feed_route(FIRST, SECOND)
        later = FeedPoller(state_path=state).poll([server.url("/feed")])
        assert json.loads(state.read_text())["seen"] == {
            server.url("/feed"): ["tag:example.org,2025:a", "tag:example.org,2025:b"]
        }
    assert [document.title for document in later.new_documents] == ["Crossing closed"]


def test_a_damaged_state_file_is_refused_rather_than_reset(tmp_path: Path) -> None:
    state = tmp_path / "seen.json"
    state.write_text("{not json")
    with pytest.raises(InvalidInput, match=r"seen\.json: expected feed poller state"):
        FeedPoller(state_path=state)


def test_feeds_that_time_out_404_or_return_garbage_become_errors_and_the_others_still_run() -> None:
    routes = {
        "/slow": Route(body=rss([FIRST]), delay_s=1.0),
        "/garbage": Route(body=b"\x00\x01 not a feed", content_type="application/rss+xml"),
        "/page": Route(body=b"<html><body><p>A web page, not a feed.</p></body></html>"),
        "/good": feed_route(SECOND),
    }
    with serve(routes) as server:
        urls = [server.url(path) for path in ("/slow", "/missing", "/garbage", "/page", "/good")]
        result = FeedPoller(timeout_s=0.2).poll(urls)
    assert [document.title for document in result.new_documents] == ["Crossing closed"]
    assert len(result.errors) == 4
    slow, missing, garbage, page = result.errors
    assert slow.endswith("/slow: no answer within 0.2 s")
    assert "/missing: expected a 2xx answer, found HTTP 404" in missing
    assert "/garbage: expected an RSS or Atom feed" in garbage
    assert "/page: expected an RSS or Atom feed" in page


def test_a_failed_feed_is_polled_in_full_once_it_recovers() -> None:
    with serve({"/feed": Route(status=503, body=b"busy")}) as server:
        poller = FeedPoller()
        assert len(poller.poll([server.url("/feed")]).errors) == 1
        server.routes["/feed"] = feed_route(FIRST, SECOND)
        assert len(poller.poll([server.url("/feed")]).new_documents) == 2
