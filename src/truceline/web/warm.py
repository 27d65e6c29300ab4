"""What `truceline serve` computes as it starts, before anyone asks: the sealer's tree (the first write's
checkpoint would read the whole log), the desk's incident index and the tree behind record proofs. Cold, at
1M claims, the index takes ~35 s of CPU and the trees ~8 s each; without this the first visitors wait."""

from __future__ import annotations

import logging
import threading
import time

from truceline.runtime import Runtime
from truceline.views import incidents, ledger

log = logging.getLogger(__name__)


def start_warming(runtime: Runtime) -> threading.Thread:
    """Builds them in a background thread. Requests arriving meanwhile wait for the same builds (one build
    per view at a time), so warming costs nothing twice; a failure is logged and the views build on demand."""
    thread = threading.Thread(target=warm_up, args=(runtime,), name="truceline-warm-up", daemon=True)
    thread.start()
    return thread


def warm_up(runtime: Runtime) -> None:
    started = time.perf_counter()
    try:
        with runtime.sessions() as session:
            runtime.sealer.prime(session)
        with runtime.sessions() as session:
            points = incidents.incident_points(session, runtime.scenario)
            checkpoint = ledger.find_checkpoint(session)
            if checkpoint is not None and checkpoint.size:
                ledger.checkpoint_tree(session, checkpoint.size)
    except Exception:  # the server runs on: every view builds on demand as before
        log.exception("warming the sealer, the incident index or the checkpoint tree failed")
        return
    log.info(
        "warm: sealer primed, %d incidents indexed, checkpoint tree built, in %.1f s",
        len(points),
        time.perf_counter() - started,
    )
