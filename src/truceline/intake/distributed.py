"""Intake on a Dask cluster: workers fetch, parse and extract; the caller gets plain values back, in order.

Workers never touch the database: they return `SourceDocument`s and the pipeline's `Claim` values, and the
caller writes them (the database stays the single writer). Every function a worker runs is a module-level
function of this module, so Dask pickles it by reference: workers need the same `truceline` installed.
Dask itself is imported only here, and only when a cluster is used (`pip install truceline[dask]`).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from truceline import __version__
from truceline.errors import InvalidInput
from truceline.intake.files import documents_from_file_bytes, read_capped
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.document import SourceDocument

if TYPE_CHECKING:
    from distributed import Client, Future

    from truceline.pipeline.context import ExtractionContext

log = logging.getLogger(__name__)

R = TypeVar("R")
T = TypeVar("T")
ITEMS_PER_TASK = 32
BYTES_PER_TASK = 4_000_000  # a task's documents or files, so that big PDFs travel a few at a time
TASKS_AHEAD_PER_THREAD = 8  # workers keep busy while the caller writes a batch; results stay small
CONNECT_TIMEOUT_S = 10.0


class DaskIntake:
    """A connection to a Dask scheduler whose workers read and extract documents for this process."""

    def __init__(self, client: Client, *, address: str) -> None:
        self.client = client
        self.address = address

    @classmethod
    def connect(cls, address: str, *, timeout_s: float = CONNECT_TIMEOUT_S) -> Self:
        """Connect to the scheduler at `address` and check that its workers run this Truceline version.

        Raises InvalidInput when no scheduler answers, it has no workers, or they run another version."""
        try:
            from distributed import Client
        except ImportError as exc:
            raise InvalidInput(
                "--dask: expected Dask installed (pip install 'truceline[dask]'), found no dask.distributed"
            ) from exc
        _check_reachable(address, timeout_s=timeout_s)
        try:
            client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, ValueError) as exc:
            raise InvalidInput(
                f"--dask {address}: expected a Dask scheduler, found none answering within {timeout_s:g} s"
            ) from exc
        intake = cls(client, address=address)
        try:
            intake.check_workers(timeout_s=timeout_s)
        except BaseException:
            client.close()
            raise
        return intake

    def check_workers(self, *, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
        """Workers must exist and run this Truceline version: another one could extract other claims."""
        try:
            self.client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError as exc:
            raise InvalidInput(
                f"--dask {self.address}: expected at least one worker, found none within {timeout_s:g} s"
            ) from exc
        try:
            versions = self.client.run(worker_truceline_version)
        except Exception as exc:  # whatever a worker without the package raises while unpickling
            raise InvalidInput(
                f"--dask {self.address}: expected workers with truceline {__version__} installed, "
                f"found workers that cannot run it ({type(exc).__name__}: {exc})"
            ) from exc
        others = sorted(
            {f"{worker} has {version}" for worker, version in versions.items() if version != __version__}
        )
        if others:
            found = "; ".join(others)
            raise InvalidInput(
                f"--dask {self.address}: expected workers with truceline {__version__}, found {found}"
            )

    def read(self, refs: Iterable[str], *, published: date | None = None) -> list[SourceDocument]:
        """The documents of every file or URL, in order. Files are read here (workers may not see this disk)
        and parsed on the workers; URLs are fetched and parsed on the workers. The first bad input raises."""
        inputs = (_input_of(ref) for ref in refs)
        per_input = self.map_in_order(read_on_worker, inputs, size_of=_size_of_input, published=published)
        return [doc for docs in per_input for doc in docs]

    def extract(
        self, docs: Iterable[SourceDocument], *, scenario: str, extractor: str, today: date
    ) -> Iterator[list[ClaimValue]]:
        """The claims of each document, in the order of `docs`, extracted on the workers.

        `scenario` is a packaged scenario id or a directory the workers can read; `extractor` is the
        'name/version' the caller expects, which each worker checks against its own before loading;
        `today` is the caller's date (for undated documents), so workers never read their own clocks."""
        return self.map_in_order(
            extract_on_worker,
            docs,
            size_of=_size_of_document,
            scenario=scenario,
            extractor=extractor,
            today=today,
        )

    def map_in_order(
        self,
        function: Callable[..., R],
        items: Iterable[T],
        *,
        size_of: Callable[[T], int],
        **kwargs: Any,
    ) -> Iterator[R]:
        """`function(item, **kwargs)` on the workers for each item, yielded in the order of `items`.

        Items travel together, up to `ITEMS_PER_TASK` or `BYTES_PER_TASK` (by `size_of`) to a task: every
        task costs a round trip through the scheduler, milliseconds on an idle network and a tenth of a
        second on a loaded machine, as much as extracting a few short reports. A bounded number of tasks
        is in flight, so `items` may be a lazy stream of any length."""
        ahead = max(2, TASKS_AHEAD_PER_THREAD * sum(self.client.nthreads().values()))
        pending: deque[Future[list[R]]] = deque()
        for chunk in _tasks(items, size_of=size_of):
            pending.append(self.client.submit(run_each, function, chunk, pure=False, **kwargs))
            if len(pending) >= ahead:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _check_reachable(address: str, *, timeout_s: float) -> None:
    """Refuse a malformed address, or a host and port nothing listens on, before a Client exists: a Client
    that failed to connect spends up to 20 s closing itself when the process exits."""
    from distributed.comm.addressing import get_address_host_port, parse_address

    try:
        scheme, _ = parse_address(address)
        host, port = get_address_host_port(address)
    except ValueError as exc:
        raise InvalidInput(
            f"--dask {address}: expected a scheduler address like tcp://host:8786 ({exc})"
        ) from exc
    if scheme not in {"tcp", "tls"}:
        return  # other transports (inproc, ucx) are left to Dask
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise InvalidInput(
            f"--dask {address}: expected a Dask scheduler, found nothing listening ({exc.strerror or exc})"
        ) from exc


def scenario_for_workers(ref: str) -> str:
    """A scenario reference that means the same on a worker: a packaged id as it is, a directory absolute
    (a worker's working directory is not the caller's)."""
    from truceline.scenarios.loader import list_scenarios, resolve_scenario_dir

    return ref if ref in list_scenarios() else str(resolve_scenario_dir(ref))


def iter_chunks(items: Iterable[T], *, size: int) -> Iterator[list[T]]:
    """`items` in consecutive lists of `size` (the last may be shorter): the write batches."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _tasks(items: Iterable[T], *, size_of: Callable[[T], int]) -> Iterator[list[T]]:
    """Consecutive runs of `items`, each up to ITEMS_PER_TASK items or BYTES_PER_TASK (at least one item)."""
    chunk: list[T] = []
    size = 0
    for item in items:
        item_size = size_of(item)
        if chunk and (len(chunk) == ITEMS_PER_TASK or size + item_size > BYTES_PER_TASK):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk


def _size_of_document(doc: SourceDocument) -> int:
    return len(doc.text)


def _size_of_input(item: str | tuple[str, bytes]) -> int:
    return len(item) if isinstance(item, str) else len(item[1])


def _input_of(ref: str) -> str | tuple[str, bytes]:
    """What a worker gets for one input: a URL as it is, a file as (its name, its bytes)."""
    if ref.startswith(("http://", "https://")):
        return ref
    return (ref, read_capped(Path(ref)))


# What runs on the workers. Nothing here may touch a database.

_LOCK = threading.Lock()
_CONTEXTS: dict[tuple[str, str], ExtractionContext] = {}
_LOADS: list[tuple[str, str]] = []  # every (scenario, extractor) this worker process loaded, for tests


def worker_truceline_version() -> str:
    return __version__


def run_each(function: Callable[..., R], items: list[Any], **kwargs: Any) -> list[R]:
    """One task: `function(item, **kwargs)` for each item of a chunk, in order."""
    return [function(item, **kwargs) for item in items]


def read_on_worker(item: str | tuple[str, bytes], *, published: date | None) -> list[SourceDocument]:
    """The documents of one input: a URL fetched here, or a file's bytes parsed here."""
    if isinstance(item, str):
        from truceline.intake.fetch import document_from_url  # httpx loads only for a URL

        return document_from_url(item, published=published)
    name, data = item
    return documents_from_file_bytes(data, path=Path(name), published=published)


def extract_on_worker(doc: SourceDocument, *, scenario: str, extractor: str, today: date) -> list[ClaimValue]:
    """The claims of one document, with the extraction context this worker built once per
    (scenario, extractor): the spaCy model, matchers and gazetteer are loaded for the first document only."""
    from truceline.pipeline.extractors import extract_claims

    return extract_claims(doc, context=_context_for(scenario, extractor), today=today)


def _context_for(scenario: str, extractor: str) -> ExtractionContext:
    key = (scenario, extractor)
    with _LOCK:  # a worker with several threads loads once, not once per thread
        context = _CONTEXTS.get(key)
        if context is None:
            context = _load_context(scenario, extractor)
            _CONTEXTS[key] = context
            _LOADS.append(key)
        return context


def _load_context(scenario: str, extractor: str) -> ExtractionContext:
    from truceline.config import Settings
    from truceline.pipeline.context import ExtractionContext
    from truceline.pipeline.extract import RULES_EXTRACTOR_NAME, RULES_EXTRACTOR_VERSION
    from truceline.scenarios import load_scenario

    own = f"{RULES_EXTRACTOR_NAME}/{RULES_EXTRACTOR_VERSION}"
    if extractor != own:
        raise InvalidInput(f"Dask worker: expected extractor {extractor}, found {own} installed here")
    log.info("loading extractor %s for scenario %s", extractor, scenario)
    # The worker's own TRUCELINE_HOME keeps the gazetteer's index: it is rebuilt when missing or stale.
    return ExtractionContext.from_scenario(load_scenario(scenario), cache_dir=Settings().cache_dir)


def loaded_extractors() -> list[tuple[str, str]]:
    """Every (scenario, extractor) this worker process loaded, once each unless something is wrong."""
    with _LOCK:
        return list(_LOADS)
