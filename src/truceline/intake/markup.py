"""HTML fragments (feed summaries, item content) to plain text, with the standard library's parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "table",
        "section",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
SPACES = re.compile(r"[ \t\f\v\u00a0]+")
BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextCollector(HTMLParser):
    """Keeps text, turns block tags into line breaks, drops script and style content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """The readable text of an HTML fragment: tags removed, entities decoded, whitespace tidied."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    lines = (SPACES.sub(" ", line).strip() for line in "".join(collector.parts).split("\n"))
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
