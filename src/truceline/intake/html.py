"""Web pages as documents: main-text extraction with trafilatura, nothing fetched, nothing run."""

from __future__ import annotations

import logging
from datetime import date

from truceline.errors import InvalidInput
from truceline.intake.documents import build_document
from truceline.pipeline.document import SourceDocument

log = logging.getLogger(__name__)

# trafilatura returns whatever text is left on a page without an article (a menu, a cookie notice);
# fewer letters than a one-line report means there was no main text.
MIN_MAIN_TEXT_LETTERS = 20


def document_from_html(
    html: str | bytes,
    *,
    url: str = "",
    published: date | None = None,
    doc_id: str | None = None,
    source: str = "",
) -> SourceDocument:
    """The main text of a page (navigation, comments and boilerplate dropped) with its metadata.

    The page is hostile input: trafilatura parses it with lxml and reads no script, style or linked
    resource. The caller's `published` wins over the page's own date, which the page can fake.
    `source` names the input in error messages (a file name); it defaults to the URL.
    """
    where = source or url or "HTML page"
    if not html.strip():
        raise InvalidInput(f"{where}: expected an HTML page, found an empty one")
    text, title, outlet, page_date = extract_main_text(html, url=url)
    if sum(char.isalpha() for char in text) < MIN_MAIN_TEXT_LETTERS:
        raise InvalidInput(
            f"{where}: expected a page with a main text, found none (only markup or boilerplate)"
        )
    return build_document(
        text=text,
        published=published or page_date,
        doc_id=doc_id,
        url=url,
        outlet=outlet,
        title=title,
    )


def extract_main_text(html: str | bytes, *, url: str) -> tuple[str, str, str, date | None]:
    """(text, title, site name, page date) from trafilatura, or from its baseline extractor if that fails."""
    # Imported on use: it takes a third of a second, and most commands read no web page.
    import trafilatura
    from trafilatura.settings import Document

    try:
        extracted = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, include_images=False
        )
    except Exception as exc:  # trafilatura has no error type of its own; the baseline below still runs
        log.warning("trafilatura failed on %s (%s); using its baseline extractor", url or "a page", exc)
        extracted = None
    if isinstance(extracted, Document) and (extracted.text or "").strip():
        return (
            str(extracted.text).strip(),
            str(extracted.title or "").strip(),
            str(extracted.sitename or "").strip(),
            parse_page_date(extracted.date),
        )
    _, text, _ = trafilatura.baseline(html)  # malformed markup: paragraphs lxml could still recover
    return str(text).strip(), "", "", None


def parse_page_date(value: object) -> date | None:
    """trafilatura reports dates as YYYY-MM-DD strings; anything else means the page had none we trust."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
