"""Sealing: after every committed write, the ledger's new entries go inside a signed checkpoint.

`Runtime.transaction()` is the one unit of work of the web app, the API, the CLI and `watch`: records and
their ledger entries commit together, then the sealer signs a checkpoint over the new tree head. With
`checkpoint_interval_s` > 0 the checkpoints are coalesced: a background thread signs at most that often,
so a burst of writes costs one signature; every committed entry is still signed within the interval (the
default, 0, signs right after each commit). The log key is held only here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.models import CheckpointRow
from truceline.ledger.service import APPENDED, create_checkpoint
from truceline.ledger.signing import Signer

log = logging.getLogger(__name__)


class Sealer:
    """Signs checkpoints for committed entries: now, or coalesced within `interval_s`."""

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Session]],
        *,
        signer: Callable[[], Signer],
        origin: str,
        interval_s: float = 0.0,
    ) -> None:
        self._transaction = transaction
        self._signer = signer
        self._origin = origin
        self._interval_s = interval_s
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # The stored leaves as of the last checkpoint, so the next one hashes only the entries since.
        self._tree = MerkleAccumulator()
        self._tree_lock = threading.Lock()

    def committed(self) -> None:
        """A transaction that appended entries has committed: seal them now or within the interval."""
        if self._interval_s <= 0:
            self.seal()
            return
        self._pending.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="truceline-sealer", daemon=True)
                self._thread.start()

    def seal(self) -> CheckpointRow | None:
        """Sign a checkpoint over the current tree head (none when no entry is unsigned)."""
        self._pending.clear()
        with self._tree_lock, self._transaction() as session:
            row = create_checkpoint(session, signer=self._signer(), origin=self._origin, tree=self._tree)
            session.info.pop(APPENDED, None)
            return row

    def close(self) -> None:
        """Seal what is pending and stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(self._interval_s, 1.0) + 5.0)
        if self._pending.is_set():
            self.seal()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._pending.wait(timeout=0.2):
                continue
            self._stop.wait(timeout=self._interval_s)
            try:
                self.seal()
            except Exception:  # the next commit tries again; the write itself has committed
                log.exception("could not sign a checkpoint; retrying after the next write")
                time.sleep(self._interval_s)
