"""`truceline ingest`, `extract`, `reextract` and `watch`: reports in, claims out."""

from __future__ import annotations

import json
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from truceline.cli.context import Context, pass_context
from truceline.errors import InvalidInput, TrucelineError
from truceline.intake.files import load_path
from truceline.pipeline.document import SourceDocument
from truceline.scenarios import load_scenario

if TYPE_CHECKING:
    from truceline.workflows.ingest import IngestResult
    from truceline.workflows.reextract import ReextractResult

Published = click.DateTime(["%Y-%m-%d"])


def _is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def read_inputs(
    refs: tuple[str, ...], *, published: date | None, progress: bool = False
) -> list[SourceDocument]:
    """Read every file or URL first, so one bad input stops the command before anything is written."""
    docs: list[SourceDocument] = []
    for ref in tqdm(
        refs, desc="reading", unit="input", disable=None if progress and len(refs) > 1 else True, leave=False
    ):
        if _is_url(ref):
            from truceline.intake.fetch import document_from_url  # httpx loads only for a URL

            docs.extend(document_from_url(ref, published=published))
        else:
            docs.extend(load_path(Path(ref), published=published))
    return docs


def _date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


DASK_SCHEDULER = click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    envvar="TRUCELINE_DASK_SCHEDULER",
    show_envvar=True,
    help="Send the work to the workers of this Dask scheduler (tcp://host:8786); see docs/scaling.md.",
)
WRITE_BATCH_DOCS = 200  # documents per transaction when the results come from Dask workers


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--published", type=Published, help="Publication date of plain-text, HTML or PDF inputs.")
@click.option(
    "--extract/--no-extract", default=True, show_default=True, help="Extract claims from new documents."
)
@DASK_SCHEDULER
@pass_context
def ingest(
    ctx: Context, inputs: tuple[str, ...], published: datetime | None, extract: bool, dask_address: str | None
) -> None:
    """Store reports and the claims extracted from them; the same content twice is stored once.

    INPUTS are files (document JSON, JSON lines, plain text, HTML, RSS/Atom, PDF) or http(s) URLs.
    All inputs are read and checked first; if any is bad, nothing is written.

    With --dask, Dask workers fetch, parse and extract, and this process writes what they send back,
    200 documents per transaction (the database stays the single writer); the claims are the same.

    \b
    Examples:
      truceline ingest report.txt --published 2025-10-25
      truceline ingest article.json feed.xml https://example.org/report.html
      truceline ingest --dask tcp://10.0.0.5:8786 reports/*.json
    """
    if dask_address:
        _report(_ingest_on_dask(ctx, dask_address, inputs, published=_date(published), extract=extract))
        return
    from truceline.workflows.ingest import ingest_documents  # the database layer loads only for writes

    docs = read_inputs(inputs, published=_date(published), progress=True)
    runtime = ctx.runtime
    extractor = runtime.extract if extract else None
    with runtime.transaction() as session:
        bar = tqdm(docs, desc="ingesting", unit="doc", disable=None if len(docs) > 1 else True, leave=False)
        result = ingest_documents(session, bar, author="cli:ingest", now=ctx.now(), extract=extractor)
    _report(result)


def _ingest_on_dask(
    ctx: Context, address: str, inputs: tuple[str, ...], *, published: date | None, extract: bool
) -> IngestResult:
    """Workers read every input first (a bad one stops everything), then extract the new documents while
    this process writes their results in order, one transaction per batch."""
    from truceline.intake.distributed import DaskIntake, iter_chunks, scenario_for_workers
    from truceline.workflows.ingest import (
        IngestResult,
        ingest_extracted,
        list_new_documents,
        pair_with_claims,
    )

    now = ctx.now()
    result = IngestResult()
    with DaskIntake.connect(address) as cluster:
        docs = cluster.read(inputs, published=published)
        runtime = ctx.runtime
        with runtime.transaction() as session:
            new = list_new_documents(session, docs)
        scenario = scenario_for_workers(runtime.settings.scenario)
        found = (
            cluster.extract(new, scenario=scenario, extractor=_extractor(), today=now.date())
            if extract
            else ([] for _ in new)
        )
        extracted = pair_with_claims(docs, new=new, found=found)
        bar = tqdm(extracted, desc="ingesting", unit="doc", total=len(docs), disable=None, leave=False)
        for batch in iter_chunks(bar, size=WRITE_BATCH_DOCS):
            with runtime.transaction() as session:
                result.extend(ingest_extracted(session, batch, author="cli:ingest", now=now))
    return result


def _extractor() -> str:
    """'name/version' of the extractor this installation runs."""
    from truceline.pipeline.extract import RULES_EXTRACTOR_NAME, RULES_EXTRACTOR_VERSION

    return f"{RULES_EXTRACTOR_NAME}/{RULES_EXTRACTOR_VERSION}"


def _report(result: IngestResult) -> None:
    for document_id in result.added:
        click.echo(f"added\t{document_id}")
    for document_id in result.existing:
        click.echo(f"exists\t{document_id}")
    click.echo(
        f"{len(result.added)} added, {len(result.existing)} already stored, {len(result.claims)} claims",
        err=True,
    )


@click.command()
@click.argument("doc")
@click.option("--published", type=Published, help="Publication date of a plain-text, HTML or PDF input.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json"]), default="jsonl", show_default=True)
@click.pass_obj
def extract(obj: Context, doc: str, published: datetime | None, fmt: str) -> None:
    """Print the claims of one document without touching the database.

    DOC is a document JSON file, a text file (with --published), an HTML file or a URL.

    \b
    Example:
      truceline extract article.json --format jsonl
    """
    from truceline.pipeline.context import ExtractionContext  # spaCy loads only for this command
    from truceline.pipeline.extractors import extract_claims

    docs = read_inputs((doc,), published=_date(published))
    context = ExtractionContext.from_scenario(
        load_scenario(obj.settings.scenario), cache_dir=obj.settings.cache_dir
    )
    today = obj.now().date()
    claims = [
        claim.to_json() for source in docs for claim in extract_claims(source, context=context, today=today)
    ]
    if fmt == "json":
        click.echo(json.dumps(claims, ensure_ascii=False, indent=2))
    else:
        for claim in claims:
            click.echo(json.dumps(claim, ensure_ascii=False))


@click.command()
@click.argument("document_ids", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Re-extract every stored document.")
@DASK_SCHEDULER
@pass_context
def reextract(ctx: Context, document_ids: tuple[str, ...], every: bool, dask_address: str | None) -> None:
    """Run the current extractor again over stored documents; new claims supersede the old ones.

    Old claims stay in the ledger: each successor names the claim it replaces, and a claim the extractor
    no longer finds is withdrawn by a review that says so. Claims an analyst reviewed are left alone.
    A document already extracted by this extractor version is skipped, so running it twice is harmless.
    With --dask, Dask workers extract and this process writes, 200 documents per transaction.

    \b
    Examples:
      truceline reextract --all
      truceline reextract doc-3f2a9c1b
      truceline reextract --all --dask tcp://10.0.0.5:8786
    """
    from truceline.workflows.reextract import reextract_documents

    if bool(document_ids) == every:
        raise click.UsageError("name the documents to re-extract, or give --all (not both)")
    runtime = ctx.runtime
    chosen = None if every else document_ids
    result: ReextractResult
    if dask_address:
        result = _reextract_on_dask(ctx, dask_address, chosen)
    else:
        with runtime.transaction() as session:
            result = reextract_documents(
                session,
                extract=runtime.extract,
                extractor=_extractor(),
                author="cli:reextract",
                now=ctx.now(),
                document_ids=chosen,
            )
    for document_id in result.documents:
        click.echo(f"reextracted\t{document_id}")
    click.echo(
        f"{len(result.documents)} documents re-extracted, {len(result.unchanged)} already current; "
        f"{len(result.created)} claims stored, {len(result.superseded)} superseded, "
        f"{len(result.withdrawn)} withdrawn",
        err=True,
    )


def _reextract_on_dask(ctx: Context, address: str, document_ids: tuple[str, ...] | None) -> ReextractResult:
    """Workers extract the stale documents, streamed to them from a reading session; this process writes."""
    from truceline.intake.distributed import DaskIntake, iter_chunks, scenario_for_workers
    from truceline.workflows.reextract import (
        ReextractResult,
        iter_source_documents,
        plan_reextraction,
        store_reextracted,
    )

    now = ctx.now()
    extractor = _extractor()
    with DaskIntake.connect(address) as cluster:
        runtime = ctx.runtime
        with runtime.transaction() as session:
            plan = plan_reextraction(session, extractor=extractor, document_ids=document_ids)
        result = ReextractResult(unchanged=plan.unchanged)
        with runtime.sessions() as reading:
            scenario = scenario_for_workers(runtime.settings.scenario)
            docs = iter_source_documents(reading, plan.stale)
            extracted = zip(
                plan.stale,
                cluster.extract(docs, scenario=scenario, extractor=extractor, today=now.date()),
                strict=True,
            )
            bar = tqdm(
                extracted, desc="re-extracting", unit="doc", total=len(plan.stale), disable=None, leave=False
            )
            for batch in iter_chunks(bar, size=WRITE_BATCH_DOCS):
                with runtime.transaction() as session:
                    store_reextracted(
                        session, batch, extractor=extractor, author="cli:reextract", now=now, result=result
                    )
    return result


_EVERY = re.compile(r"^(\d+)([smh])$")


def parse_every(value: str) -> float:
    """'15m' -> 900.0 seconds; '30s', '2h' likewise."""
    match = _EVERY.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(f"--every: expected a period like 30s, 15m or 2h, found {value!r}")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)]


@click.command()
@click.argument("feeds", nargs=-1, required=True)
@click.option("--every", default="15m", show_default=True, help="Polling period: 30s, 15m, 2h.")
@click.option(
    "--rounds", type=click.IntRange(min=1), help="Stop after this many polls (default: run until stopped)."
)
@click.option("--state", type=click.Path(path_type=Path), help="File remembering seen items across restarts.")
@pass_context
def watch(ctx: Context, feeds: tuple[str, ...], every: str, rounds: int | None, state: Path | None) -> None:
    """Poll RSS/Atom feeds and ingest new items; a feed that fails is reported and retried next round.

    \b
    Example:
      truceline watch https://example.org/feed.xml --every 15m
    """
    from truceline.intake.polling import FeedPoller
    from truceline.workflows.ingest import ingest_documents

    period_s = parse_every(every)
    runtime = ctx.runtime
    state_path = state or runtime.settings.home / "watch-state.json"
    state_path.parent.mkdir(parents=True, exist_ok=True)
    poller = FeedPoller(state_path=state_path)
    done = 0
    while rounds is None or done < rounds:
        polled = poller.poll(feeds)
        for error in polled.errors:
            click.echo(f"warning: {error}", err=True)
        try:
            with runtime.transaction() as session:
                result = ingest_documents(
                    session, polled.new_documents, author="cli:watch", now=ctx.now(), extract=runtime.extract
                )
            _report(result)
        except TrucelineError as exc:
            click.echo(f"warning: {exc.diagnostics()}", err=True)
        done += 1
        if rounds is None or done < rounds:
            time.sleep(period_s)
