"""Sealing: after every committed write, the ledger's new entries go inside a signed checkpoint.

`Runtime.transaction()` (`sealed_transaction`) is the one unit of work of the web app, the API, the CLI and
`watch`: records and their ledger entries commit together with a checkpoint signed over the new tree head,
in the same transaction (the default, `checkpoint_interval_s` = 0). With `checkpoint_interval_s` > 0 the
checkpoints are coalesced: a background thread signs at most that often, in a transaction of its own, so a
burst of writes costs one signature; every committed entry is still signed within the interval. The log key
is held only here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from truceline.ledger.merkle import MerkleAccumulator
from truceline.ledger.models import CheckpointRow, LedgerEntryRow
from truceline.ledger.service import APPENDED, create_checkpoint
from truceline.ledger.signing import Signer

log = logging.getLogger(__name__)
PRIME_BATCH = 16384  # leaf hashes read at a time while priming


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

    def prime(self, session: Session) -> None:
        """Hash the stored leaves into the tree ahead of the first write (`serve` does it as it starts).
        Otherwise that write's checkpoint reads the whole log at once: at 2.4M entries ~3 s while someone
        waits to sign in, and ~200 MB held by the database driver that the process keeps. Streamed here."""
        # Held throughout: a write arriving meanwhile (the first sign-in) waits for this tree rather than
        # reading the whole log for its own.
        with self._tree_lock:
            tree = MerkleAccumulator()
            query = select(LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.seq)
            for leaf_hash in session.scalars(query.execution_options(yield_per=PRIME_BATCH)):
                tree.append(bytes.fromhex(leaf_hash))
            if tree.size > self._tree.size:  # a write may have come first, and its tree is as good
                self._tree = tree

    def seal_before_commit(self, session: Session) -> MerkleAccumulator | None:
        """Sign the checkpoint over a transaction's new entries inside it, just before it commits (when
        checkpoints are not coalesced): a write is then one transaction, its checkpoint committed with it or
        not at all. Returns the tree as of that checkpoint, for `committed` once the commit succeeded."""
        if self._interval_s > 0 or not session.info.get(APPENDED):
            return None
        with self._tree_lock:
            tree = self._tree.copy()  # the sealer's own tree changes only once the commit succeeded
        create_checkpoint(session, signer=self._signer(), origin=self._origin, tree=tree)
        return tree

    def committed(self, sealed: MerkleAccumulator | None = None) -> None:
        """A transaction that appended entries has committed: seal them now or within the interval, unless
        its checkpoint was signed inside it (`sealed`, from `seal_before_commit`)."""
        if sealed is not None:
            with self._tree_lock:
                if sealed.size > self._tree.size:  # another writer's later checkpoint may have come first
                    self._tree = sealed
            return
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


@contextmanager
def sealed_transaction(sessions: sessionmaker[Session], sealer: Sealer) -> Iterator[Session]:
    """One unit of work: records and their ledger entries commit together or not at all, and a signed
    checkpoint covers the new entries (in the same transaction, or within the sealer's interval)."""
    with sessions() as session:
        with session.begin():
            yield session
            sealed = sealer.seal_before_commit(session)
        appended = session.info.pop(APPENDED, False)
    if appended:
        sealer.committed(sealed)
