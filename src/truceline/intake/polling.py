"""Polling feeds for new items: remembers which items it has seen, so each report is taken in once."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from truceline.errors import InvalidInput, TrucelineError
from truceline.intake.feeds import document_from_feed_item, read_feed
from truceline.intake.fetch import DEFAULT_USER_AGENT, fetch_url
from truceline.pipeline.document import SourceDocument

log = logging.getLogger(__name__)

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PollResult:
    """The documents from items not seen before, and one line per feed that failed (the others still ran)."""

    new_documents: list[SourceDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class FeedPoller:
    """Polls feeds and yields only items it has not seen; with `state_path` it remembers across runs.

    An item is known by its feed URL and its guid (or link), so a story that a feed re-dates or edits is
    not taken in twice. The state file is JSON: `{"version": 1, "seen": {feed_url: [item ids]}}`.
    """

    def __init__(
        self,
        *,
        state_path: Path | None = None,
        timeout_s: float = 10.0,
        max_bytes: int = 20_000_000,
        max_redirects: int = 5,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self.state_path = state_path
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self.seen: dict[str, set[str]] = load_seen(state_path) if state_path else {}

    def poll(self, urls: Iterable[str], *, published: date | None = None) -> PollResult:
        """Fetch each feed once; a feed that times out, fails or is not a feed becomes a line in `errors`."""
        result = PollResult()
        for url in urls:
            try:
                result.new_documents.extend(self.poll_feed(url, published=published))
            except TrucelineError as exc:
                log.warning("feed poll failed: %s", exc)
                result.errors.append(str(exc))
        if self.state_path:
            save_seen(self.state_path, self.seen)
        return result

    def poll_feed(self, url: str, *, published: date | None = None) -> list[SourceDocument]:
        """The new documents of one feed; raises FetchError or InvalidInput when the feed cannot be read."""
        page = fetch_url(
            url,
            timeout_s=self.timeout_s,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            user_agent=self.user_agent,
        )
        feed = read_feed(page.body, feed_url=page.final_url, source=url)
        seen = self.seen.setdefault(url, set())
        documents = []
        for item in feed.items:
            if item.id in seen:
                continue
            seen.add(item.id)
            document = document_from_feed_item(item, outlet=feed.title, published=published)
            if document is not None:
                documents.append(document)
        return documents


def load_seen(path: Path) -> dict[str, set[str]]:
    """The seen-item state; a missing file is a first run, a damaged one is InvalidInput (never reset)."""
    if not path.exists():
        return {}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        seen = state["seen"]
        return {str(url): {str(item_id) for item_id in ids} for url, ids in seen.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # Starting over would take every old item in again as new: refuse instead.
        raise InvalidInput(
            f"{path}: expected feed poller state {{'version': 1, 'seen': {{...}}}}, found damage ({exc})"
        ) from exc


def save_seen(path: Path, seen: dict[str, set[str]]) -> None:
    """Write the state atomically (temporary file + rename), so a crash never leaves half a file."""
    state = {"version": STATE_VERSION, "seen": {url: sorted(ids) for url, ids in sorted(seen.items())}}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
