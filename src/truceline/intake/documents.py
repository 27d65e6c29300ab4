"""The one place intake builds SourceDocument values: stable ids and the detected language."""

from __future__ import annotations

from datetime import date

from truceline.intake.language import detect_language
from truceline.pipeline.document import SourceDocument, content_hash

ID_PREFIX = "doc-"
ID_HEX_CHARS = 12  # 48 bits: collisions are negligible at the scale of one mission's reporting


def derive_document_id(
    *, text: str, url: str = "", outlet: str = "", published: date | None = None, title: str = ""
) -> str:
    """A short id derived from the content hash, so the same report always gets the same id."""
    digest = content_hash(text=text, url=url, outlet=outlet, published=published, title=title)
    return ID_PREFIX + digest[:ID_HEX_CHARS]


def build_document(
    *,
    text: str,
    published: date | None = None,
    doc_id: str | None = None,
    url: str = "",
    outlet: str = "",
    title: str = "",
    language: str | None = None,
) -> SourceDocument:
    """A SourceDocument with its id (given or derived) and language (given or detected)."""
    return SourceDocument(
        id=doc_id or derive_document_id(text=text, url=url, outlet=outlet, published=published, title=title),
        text=text,
        published=published,
        title=title,
        url=url,
        outlet=outlet,
        language=language or detect_language(text),
    )
