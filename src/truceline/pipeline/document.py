"""The document value every pipeline stage reads: one report, its text and its publication date."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One report as the pipeline sees it. `id` is stable; claim ids derive from it."""

    id: str
    text: str
    published: date | None = None
    title: str = ""
    url: str = ""
    outlet: str = ""
    language: str = "en"

    @property
    def content_hash(self) -> str:
        """The identity used for idempotent ingest (see `content_hash`)."""
        return content_hash(
            text=self.text, url=self.url, outlet=self.outlet, published=self.published, title=self.title
        )


def content_hash(
    *, text: str, url: str = "", outlet: str = "", published: date | None = None, title: str = ""
) -> str:
    """SHA-256 over what a report says and who published it where and when.

    The outlet and URL are part of the identity on purpose: a syndicated copy of a wire story in another
    outlet is another document (corroboration counts it as the same source later, not ingest).
    """
    fields = [url, outlet, published.isoformat() if published else "", title, text]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()
