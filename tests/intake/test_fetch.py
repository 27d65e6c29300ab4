"""Fetching URLs with hard limits, against a real server on 127.0.0.1."""

from __future__ import annotations

from datetime import date

import pytest

from tests.intake.feeds import rss
from tests.intake.pdfs import build_pdf
from tests.intake.servers import Route, serve
from truceline.errors import FetchError, InvalidInput
from truceline.intake.fetch import document_from_url, fetch_url

REPORT = "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said."
PAGE = (
    "<!DOCTYPE html><html><head><title>Clash</title></head>"
    f"<body><article><p>{REPORT}</p></article></body></html>"
)


def test_fetch_url_returns_status_type_and_body() -> None:
    with serve({"/page": Route(body=PAGE.encode())}) as server:
        page = fetch_url(server.url("/page"))
    assert (page.status, page.media_type, page.body) == (200, "text/html", PAGE.encode())
    assert page.content_type == "text/html; charset=utf-8"


def test_fetch_url_follows_a_few_redirects_and_reports_where_they_ended() -> None:
    routes = {
        "/old": Route(status=301, headers={"Location": "/newer"}),
        "/newer": Route(status=302, headers={"Location": "/page"}),
        "/page": Route(body=PAGE.encode()),
    }
    with serve(routes) as server:
        page = fetch_url(server.url("/old"))
        assert (page.url, page.final_url) == (server.url("/old"), server.url("/page"))


def test_fetch_url_gives_up_on_a_url_that_redirects_forever() -> None:
    with (
        serve({"/loop": Route(status=302, headers={"Location": "/loop"})}) as server,
        pytest.raises(FetchError, match=r"/loop: more than 5 redirects$"),
    ):
        fetch_url(server.url("/loop"))
        assert server.hits["/loop"] == 6


def test_fetch_url_reports_a_404() -> None:
    with serve() as server, pytest.raises(FetchError, match=r"/gone: expected a 2xx answer, found HTTP 404"):
        fetch_url(server.url("/gone"))


def test_fetch_url_gives_up_on_a_server_that_does_not_answer() -> None:
    with (
        serve({"/slow": Route(body=b"late", delay_s=1.0)}) as server,
        pytest.raises(FetchError, match=r"/slow: no answer within 0.2 s$"),
    ):
        fetch_url(server.url("/slow"), timeout_s=0.2)


@pytest.mark.parametrize("send_length", [True, False])
def test_fetch_url_stops_reading_past_the_size_cap(send_length: bool) -> None:
    with (
        serve({"/big": Route(body=b"x" * 50_000, send_length=send_length)}) as server,
        pytest.raises(FetchError, match=r"/big: larger than 10 kB$"),
    ):
        fetch_url(server.url("/big"), max_bytes=10_000)


def test_fetch_url_has_a_20_mb_cap_by_default() -> None:
    body = b"y" * 20_000_001
    with (
        serve({"/huge": Route(body=body, content_type="text/plain", send_length=False)}) as server,
        pytest.raises(FetchError, match=r"/huge: larger than 20 MB$"),
    ):
        fetch_url(server.url("/huge"))


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "example.org"]
)
def test_fetch_url_refuses_schemes_other_than_http_and_https(url: str) -> None:
    with pytest.raises(InvalidInput, match=r"expected an http or https URL, found scheme"):
        fetch_url(url)


def test_fetch_url_refuses_a_redirect_to_a_local_file() -> None:
    with (
        serve({"/trap": Route(status=302, headers={"Location": "file:///etc/passwd"})}) as server,
        pytest.raises(FetchError, match=r"/trap: expected an http or https URL, found scheme 'file'"),
    ):
        fetch_url(server.url("/trap"))


def test_fetch_url_reports_a_refused_connection() -> None:
    with serve() as server:
        url = server.url("/")
    with pytest.raises(FetchError, match=r"ConnectError"):
        fetch_url(url, timeout_s=1.0)


def test_document_from_url_reads_an_html_page() -> None:
    with serve({"/page": Route(body=PAGE.encode())}) as server:
        [document] = document_from_url(server.url("/page"), published=date(2025, 10, 25))
        assert (document.text, document.url, document.published) == (
            REPORT,
            server.url("/page"),
            date(2025, 10, 25),
        )


def test_document_from_url_reads_a_feed() -> None:
    feed = rss([("a", "First", "<p>Shelling near Chaman.</p>"), ("b", "Second", "<p>Talks in Doha.</p>")])
    with serve({"/feed": Route(body=feed, content_type="application/rss+xml")}) as server:
        documents = document_from_url(server.url("/feed"))
    assert [document.text for document in documents] == ["Shelling near Chaman.", "Talks in Doha."]


def test_document_from_url_reads_a_pdf() -> None:
    with serve({"/r.pdf": Route(body=build_pdf([REPORT]), content_type="application/pdf")}) as server:
        [document] = document_from_url(server.url("/r.pdf"))
    assert document.text == REPORT


def test_document_from_url_reads_plain_text() -> None:
    with serve({"/r.txt": Route(body=REPORT.encode(), content_type="text/plain; charset=utf-8")}) as server:
        [document] = document_from_url(server.url("/r.txt"))
    assert document.text == REPORT


def test_document_from_url_sniffs_a_generic_content_type() -> None:
    feed = rss([("a", "First", "<p>Shelling near Chaman.</p>")])
    with serve({"/download": Route(body=feed, content_type="application/octet-stream")}) as server:
        [document] = document_from_url(server.url("/download"))
    assert document.outlet == "Test Wire"
