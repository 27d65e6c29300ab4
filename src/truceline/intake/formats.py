"""What kind of input a blob of bytes is (sniffed from its content), and turning each kind into documents."""

from __future__ import annotations

import json
import re
from datetime import date
from enum import StrEnum

from truceline.errors import InvalidInput
from truceline.intake.document_json import (
    documents_from_json,
    documents_from_json_lines,
    looks_like_json_lines,
)
from truceline.intake.feeds import documents_from_feed
from truceline.intake.html import document_from_html
from truceline.intake.pdf import document_from_pdf
from truceline.intake.text import document_from_text, is_binary
from truceline.pipeline.document import SourceDocument

SNIFF_BYTES = 4_096
SUPPORTED = "document JSON, JSON Lines, plain text, HTML, RSS/Atom or PDF"

# Magic numbers of formats people drop into an intake folder by mistake, so the message can name them.
KNOWN_BINARY = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (an Office document?)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
FEED_ROOT = re.compile(rb"<(rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
HTML_TAG = re.compile(rb"<(!doctype\s+html|html|head|body|article|div|p|title|meta)[\s>/]", re.IGNORECASE)
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})


class InputKind(StrEnum):
    DOCUMENT_JSON = "json"  # one document object or a list of them
    JSON_LINES = "jsonl"
    TEXT = "text"
    HTML = "html"
    FEED = "feed"
    PDF = "pdf"


def sniff_kind(data: bytes, *, source: str, suffix: str = "") -> InputKind:
    """The kind of `data`, decided by its content; the file suffix only breaks ties (.html without tags).

    Raises InvalidInput for empty data, binary junk and XML that is not a feed.
    """
    if not data.strip():
        raise InvalidInput(f"{source}: expected {SUPPORTED}, found an empty file")
    if data.startswith(b"%PDF-"):
        return InputKind.PDF
    for magic, name in KNOWN_BINARY:
        if data.startswith(magic):
            raise InvalidInput(f"{source}: expected {SUPPORTED}, found {name}")
    if is_binary(data):
        raise InvalidInput(f"{source}: expected {SUPPORTED}, found binary data")
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return sniff_json_kind(data, suffix=suffix)
    if head.startswith(b"<"):
        if FEED_ROOT.search(head):
            return InputKind.FEED
        if HTML_TAG.search(head) or suffix in HTML_EXTENSIONS:
            return InputKind.HTML
        if head.startswith(b"<?xml"):
            raise InvalidInput(f"{source}: expected {SUPPORTED}, found XML that is neither RSS nor Atom")
    if suffix in HTML_EXTENSIONS:
        return InputKind.HTML
    return InputKind.TEXT


def sniff_json_kind(data: bytes, *, suffix: str) -> InputKind:
    if suffix == ".jsonl" or looks_like_json_lines(data):
        try:
            json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return InputKind.JSON_LINES
    return InputKind.DOCUMENT_JSON


def documents_from_bytes(
    data: bytes, *, kind: InputKind, source: str, url: str = "", published: date | None = None
) -> list[SourceDocument]:
    """The documents in `data` read as `kind`.

    `published` wins for single reports (text, HTML, PDF: the caller knows better than a page that can lie)
    and only fills gaps for collections (document JSON, feeds), whose items carry their own dates.
    """
    match kind:
        case InputKind.DOCUMENT_JSON:
            return documents_from_json(data, source=source, published=published)
        case InputKind.JSON_LINES:
            return documents_from_json_lines(data, source=source, published=published)
        case InputKind.TEXT:
            return [document_from_text(data, source=source, url=url, published=published)]
        case InputKind.HTML:
            return [document_from_html(data, source=source, url=url, published=published)]
        case InputKind.FEED:
            return documents_from_feed(data, feed_url=url, source=source, published=published)
        case InputKind.PDF:
            return [document_from_pdf(data, source=source, url=url, published=published)]
