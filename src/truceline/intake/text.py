"""Plain UTF-8 text as a document: decoding, binary detection and the normalizing we allow ourselves."""

from __future__ import annotations

from datetime import date

from truceline.errors import InvalidInput
from truceline.intake.documents import build_document
from truceline.pipeline.document import SourceDocument

SNIFF_BYTES = 8_192


def is_binary(data: bytes) -> bool:
    """True for data that no text editor would show as text: NUL bytes, or bytes that are not UTF-8."""
    if b"\x00" in data[:SNIFF_BYTES]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def decode_text(data: bytes, *, source: str) -> str:
    """The text of a UTF-8 file with line endings made "\\n" and outer whitespace removed.

    Nothing else is changed: claim offsets point into this text, so it must stay what the outlet wrote.
    """
    if is_binary(data):
        raise InvalidInput(f"{source}: expected a UTF-8 text file, found binary data")
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        found = "an empty file" if not data else "only whitespace"
        raise InvalidInput(f"{source}: expected text, found {found}")
    return text


def document_from_text(
    data: bytes,
    *,
    source: str,
    published: date | None = None,
    doc_id: str | None = None,
    url: str = "",
    outlet: str = "",
    title: str = "",
) -> SourceDocument:
    """A SourceDocument from the bytes of a plain-text report."""
    return build_document(
        text=decode_text(data, source=source),
        published=published,
        doc_id=doc_id,
        url=url,
        outlet=outlet,
        title=title,
    )
