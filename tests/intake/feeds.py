"""RSS and Atom feeds written for intake tests."""

from __future__ import annotations

from xml.sax.saxutils import escape


def rss(items: list[tuple[str, str, str]], *, title: str = "Test Wire") -> bytes:
    """An RSS 2.0 feed; each item is (key, title, HTML description); its guid is a tag: URI from the key."""
    entries = "".join(
        f"<item><guid>tag:example.org,2025:{guid}</guid><link>https://example.org/{guid}</link>"
        f"<title>{escape(headline)}</title>"
        f"<pubDate>Sat, 25 Oct 2025 14:30:00 +0000</pubDate><description>{escape(body)}</description></item>"
        for guid, headline, body in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://example.org/</link><description>test</description>{entries}</channel></rss>"
    ).encode()
