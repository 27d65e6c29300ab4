"""Web pages as documents: main text, metadata, hostile and malformed pages."""

from __future__ import annotations

from datetime import date

import pytest

from truceline.errors import InvalidInput
from truceline.intake.html import document_from_html

REPORT = "Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said."
FOLLOW_UP = "The crossing was closed to traffic for several hours while elders met on both sides."


def page(body: str, *, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


ARTICLE = page(
    f"<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
    f"<article><h1>Clash at Torkham</h1><p>{REPORT}</p><p>{FOLLOW_UP}</p></article>"
    "<script>document.write('injected')</script><footer>Leave a Reply</footer>",
    head="<title>Clash at Torkham | Frontier Gazette</title>"
    "<meta property='og:site_name' content='Frontier Gazette'><meta name='date' content='2025-10-25'>",
)


def test_document_from_html_keeps_the_main_text() -> None:
    loaded = document_from_html(ARTICLE, url="https://example.org/clash")
    assert REPORT in loaded.text and FOLLOW_UP in loaded.text
    assert "injected" not in loaded.text and "Home" not in loaded.text
    assert loaded.url == "https://example.org/clash"
    assert loaded.language == "en"


def test_document_from_html_reads_title_outlet_and_date_from_the_page() -> None:
    loaded = document_from_html(ARTICLE.encode("utf-8"))
    assert (loaded.title, loaded.outlet, loaded.published) == (
        "Clash at Torkham",
        "Frontier Gazette",
        date(2025, 10, 25),
    )


def test_document_from_html_prefers_the_callers_date_over_the_pages() -> None:
    assert document_from_html(ARTICLE, published=date(2025, 10, 26)).published == date(2025, 10, 26)


def test_document_from_html_gives_the_same_page_the_same_id() -> None:
    assert document_from_html(ARTICLE).id == document_from_html(ARTICLE.encode("utf-8")).id


def test_document_from_html_survives_malformed_markup() -> None:
    broken = f"<html><body><div><p>{REPORT}<p>{FOLLOW_UP}<table><tr><td>unclosed</b></i></span>"
    loaded = document_from_html(broken)
    assert REPORT in loaded.text


def test_document_from_html_refuses_a_page_without_main_text() -> None:
    with pytest.raises(
        InvalidInput, match=r"^https://example.org/empty: expected a page with a main text, found none"
    ):
        document_from_html(page("<script>render()</script><nav>Menu</nav>"), url="https://example.org/empty")


def test_document_from_html_refuses_an_empty_page() -> None:
    with pytest.raises(InvalidInput, match=r"expected an HTML page, found an empty one"):
        document_from_html(b"   ")


def test_document_from_html_reads_a_non_english_page() -> None:
    text = "Les forces pakistanaises et afghanes ont échangé des tirs près de Torkham samedi, selon l'armée."
    loaded = document_from_html(page(f"<article><p>{text}</p></article>"))
    assert (loaded.text, loaded.language) == (text, "fr")
