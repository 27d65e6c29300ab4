"""RSS and Atom feeds parsed with feedparser into FeedItem values, and feed items as documents."""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from truceline.errors import InvalidInput
from truceline.intake.documents import build_document
from truceline.intake.markup import strip_html
from truceline.pipeline.document import SourceDocument


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed; `text` is its content (or summary) with the HTML stripped."""

    id: str
    link: str
    title: str
    published: date | None
    text: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title (the outlet its documents get) and its items, newest as the feed orders them."""

    title: str
    items: list[FeedItem]


def parse_feed(data: bytes, *, feed_url: str) -> list[FeedItem]:
    """The items of an RSS or Atom feed; anything that is not a feed is InvalidInput."""
    return read_feed(data, feed_url=feed_url).items


def documents_from_feed(
    data: bytes, *, feed_url: str, published: date | None = None, source: str = ""
) -> list[SourceDocument]:
    """One document per feed item that has any text; the outlet is the feed's title.

    `published` only fills in items that carry no date of their own; `source` names a local file in messages.
    """
    feed = read_feed(data, feed_url=feed_url, source=source)
    documents = (document_from_feed_item(item, outlet=feed.title, published=published) for item in feed.items)
    return [document for document in documents if document is not None]


def document_from_feed_item(
    item: FeedItem, *, outlet: str, published: date | None = None
) -> SourceDocument | None:
    """The item as a document (its title stands in for a missing summary); None when it has no text at all."""
    text = item.text or item.title
    if not text:
        return None
    return build_document(
        text=text, published=item.published or published, url=item.link, outlet=outlet, title=item.title
    )


def read_feed(data: bytes, *, feed_url: str, source: str = "") -> ParsedFeed:
    """The feed's title and items, or InvalidInput when feedparser recognises no RSS or Atom in `data`."""
    where = source or feed_url or "feed"
    if not data.strip():
        raise InvalidInput(f"{where}: expected an RSS or Atom feed, found an empty body")
    try:
        # A stream, never bytes or str: feedparser treats a string as a URL or a file name to open.
        parsed = feedparser.parse(
            io.BytesIO(data), response_headers={"content-location": feed_url} if feed_url else None
        )
    except Exception as exc:  # feedparser documents no error types; it is a parser of hostile input
        raise InvalidInput(f"{where}: expected an RSS or Atom feed, found unparseable data ({exc})") from exc
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        found = f"something else ({problem})" if problem else "something else"
        raise InvalidInput(f"{where}: expected an RSS or Atom feed, found {found}")
    feed_title = strip_html(str(parsed.feed.get("title", "")))
    return ParsedFeed(title=feed_title, items=[item_from_entry(entry) for entry in parsed.entries])


def item_from_entry(entry: Any) -> FeedItem:
    link = str(entry.get("link", ""))
    title = strip_html(str(entry.get("title", "")))
    text = strip_html(entry_html(entry))
    item_id = str(entry.get("id") or link) or stand_in_id(title=title, text=text)
    return FeedItem(id=item_id, link=link, title=title, published=entry_date(entry), text=text)


def entry_html(entry: Any) -> str:
    """The fullest body an entry has: Atom/RSS content first, then the summary (description)."""
    for content in entry.get("content") or []:
        value = str(content.get("value", ""))
        if value.strip():
            return value
    return str(entry.get("summary", ""))


def entry_date(entry: Any) -> date | None:
    """feedparser normalises every date format to a UTC struct_time; publication first, then update."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def stand_in_id(*, title: str, text: str) -> str:
    """Items without guid or link still need an id that survives re-polling: hash what they say."""
    return "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
