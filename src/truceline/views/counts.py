"""Row counts for the list pages, kept per ledger head: every write appends an entry, so the same head means
the same rows (at 1M claims a count(*) is a few hundred ms of database work, asked on every page)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from truceline.views.incidents import ledger_head

_lock = threading.Lock()
_counts: dict[tuple[str, str], tuple[tuple[int, str], int]] = {}


def count_once(session: Session, what: str, count: Callable[[Session], int]) -> int:
    """`count(session)`, computed again only when the ledger has grown since it was last computed."""
    key = (str(session.get_bind().engine.url), what)
    head = ledger_head(session)  # read first: a count made after a newer write is never kept as older
    with _lock:
        found = _counts.get(key)
    if found is not None and found[0] == head:
        return found[1]
    counted = count(session)
    with _lock:
        _counts[key] = (head, counted)
    return counted
