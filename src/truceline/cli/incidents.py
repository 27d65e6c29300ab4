"""`truceline incidents [merge|split|links]`, `truceline cluster` and `truceline import`: claims grouped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import get_args

import click
from sqlalchemy.orm import Session

from truceline.cli.collector import collector_paused
from truceline.cli.context import Context, pass_context
from truceline.cli.ingest import Published, read_inputs
from truceline.incidents import hxl, interop
from truceline.incidents.values import IncidentValue, SourceInfo
from truceline.scenarios import load_scenario
from truceline.scenarios.schema import Actor
from truceline.workflows.incidents import (
    EventFormat,
    iter_current_incidents,
    link_to_events,
    merge_incidents,
    split_incident,
    store_events,
)
from truceline.workflows.reclustering import ReclusterResult, recluster

FORMATS = ("jsonl", "csv", "geojson", "hxl")


@contextmanager
def _writing(ctx: Context) -> Iterator[Session]:
    """One unit of work (the runtime seals its ledger entries into a signed checkpoint after commit)."""
    with ctx.runtime.transaction() as session:
        yield session


def _report_recluster(result: ReclusterResult) -> None:
    how = "full" if result.is_full else "incremental"
    click.echo(
        f"{len(result.created)} incidents created, {len(result.retired)} superseded, "
        f"{result.unchanged} unchanged ({how}: {result.considered} claims clustered)",
        err=True,
    )


@click.group(invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--recluster", "is_reclustering", is_flag=True, help="Re-cluster the stored claims first.")
@click.option(
    "--full",
    "is_full",
    is_flag=True,
    help="With --recluster: cluster every current claim, not only around new and changed ones.",
)
@click.pass_context
def incidents(click_ctx: click.Context, fmt: str, is_reclustering: bool, is_full: bool) -> None:
    """Print the current incidents (no superseded versions); merge, split or link them with the subcommands.

    jsonl is one incident per line with its member claim ids under "claims"; csv is the ACLED export
    schema; geojson a FeatureCollection; hxl a CSV with HXL hashtags. --recluster first brings the
    incidents up to date: incrementally (only claims near new, corrected or rejected ones are clustered)
    once incidents exist, from every current claim with --full; both give the same incidents.

    \b
    Examples:
      truceline incidents --format csv > incidents.csv
      truceline incidents merge INC-3f2a9c1b0d4e INC-77ab01c2d3e4 --note "same shelling"
      truceline incidents split INC-5e6f7a8b9c0d --claims dawn-2-c1,tolo-2-c1
      truceline incidents --recluster --format jsonl
      truceline incidents --recluster --full --format csv
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(Context)
    assert ctx is not None
    runtime = ctx.runtime
    if is_reclustering:
        # An incremental run around late reports holds tens of thousands of claims and their profiles.
        with collector_paused(), _writing(ctx) as session:
            result = recluster(
                session, scenario=runtime.scenario, author="cli:incidents", now=ctx.now(), is_full=is_full
            )
        _report_recluster(result)
    with runtime.sessions() as session:
        found = list(iter_current_incidents(session))
    values = [value for _, value in found]
    if fmt == "csv":
        click.echo(interop.format_acled_csv(values), nl=False)
    elif fmt == "hxl":
        click.echo(hxl.format_hxl_csv(values), nl=False)
    elif fmt == "geojson":
        click.echo(json.dumps(interop.incidents_to_geojson(values), ensure_ascii=False))
    else:
        for row, value in found:
            line = {**value.to_json(), "supersedes_id": row.supersedes_id}
            click.echo(json.dumps(line, ensure_ascii=False))


@incidents.command()
@click.argument("incident_ids", nargs=-1, required=True)
@click.option("--note", default="", help="Why they are one happening (kept in the incident's reasons).")
@pass_context
def merge(ctx: Context, incident_ids: tuple[str, ...], note: str) -> None:
    """Merge two or more current incidents into one; prints the new incident's id.

    The new incident supersedes the first ID; the others are retired into it. Undo with a split.

    \b
    Example:
      truceline incidents merge INC-3f2a9c1b0d4e INC-77ab01c2d3e4 --note "same shelling"
    """
    runtime = ctx.runtime
    with _writing(ctx) as session:
        merged = merge_incidents(
            session,
            incident_ids=incident_ids,
            author="cli:incidents",
            now=ctx.now(),
            note=note,
            scenario=runtime.scenario,
        )
        merged_id = merged.id
    click.echo(merged_id)


@incidents.command()
@click.argument("incident_id")
@click.option("--claims", "claim_list", required=True, help="Comma-separated claim ids to split off.")
@click.option("--note", default="", help="Why they are separate happenings.")
@pass_context
def split(ctx: Context, incident_id: str, claim_list: str, note: str) -> None:
    """Split the named claims off an incident; prints the two new ids (the named claims first).

    Both new incidents supersede the original. Undo with a merge.

    \b
    Example:
      truceline incidents split INC-5e6f7a8b9c0d --claims dawn-2-c1,tolo-2-c1
    """
    claim_ids = [c.strip() for c in claim_list.split(",") if c.strip()]
    runtime = ctx.runtime
    with _writing(ctx) as session:
        parts = split_incident(
            session,
            incident_id=incident_id,
            claim_ids=claim_ids,
            author="cli:incidents",
            now=ctx.now(),
            note=note,
            scenario=runtime.scenario,
        )
        part_ids = [part.id for part in parts]
    for part_id in part_ids:
        click.echo(part_id)


@incidents.command()
@click.argument("incident_id")
@pass_context
def links(ctx: Context, incident_id: str) -> None:
    """Print the imported ACLED / UCDP GED events matching an incident, best first, with disagreements.

    \b
    Example:
      truceline incidents links INC-3f2a9c1b0d4e
    """
    with ctx.runtime.sessions() as session:
        found = link_to_events(session, incident_id=incident_id)
    for link in found:
        line = {"event_id": link.event_id, "score": link.score, "disagreements": list(link.disagreements)}
        click.echo(json.dumps(line, ensure_ascii=False))


@click.command()
@click.argument("docs", nargs=-1, required=True)
@click.option("--published", type=Published, help="Publication date of plain-text, HTML or PDF inputs.")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.pass_obj
def cluster(obj: Context, docs: tuple[str, ...], published: datetime | None, fmt: str) -> None:
    """Extract claims from documents and print the incidents they form, without touching the database.

    DOCS are files or URLs as for `truceline extract`. Each line is one incident; "claims" holds the
    ids `truceline extract` prints for its member claims.

    \b
    Example:
      truceline cluster dawn.json tolo.json --format jsonl
    """
    from truceline.incidents.clustering import cluster_claims  # rapidfuzz and datasketch load only here
    from truceline.incidents.rules import build_incident
    from truceline.pipeline.context import ExtractionContext  # spaCy loads only for this command
    from truceline.pipeline.extractors import extract_claims
    from truceline.scenarios.geography import get_geography

    sources_docs = read_inputs(docs, published=published.date() if published else None)
    scenario = load_scenario(obj.settings.scenario)
    context = ExtractionContext.from_scenario(scenario, cache_dir=obj.settings.cache_dir)
    claims = []
    sources: dict[str, SourceInfo] = {}
    today = obj.now().date()
    for doc in sources_docs:
        for claim in extract_claims(doc, context=context, today=today):
            claims.append(claim)
            sources[claim.id] = SourceInfo(outlet=doc.outlet or doc.id, url=doc.url, text=doc.text)
    geography = get_geography(scenario)
    for group in cluster_claims(claims, sources=sources):
        incident: IncidentValue = build_incident(group, sources=sources, geography=geography)
        click.echo(json.dumps(incident.to_json(), ensure_ascii=False))


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(get_args(EventFormat)), required=True)
@pass_context
def import_(ctx: Context, file: Path, fmt: str) -> None:
    """Import an ACLED or UCDP GED CSV as claims of that dataset, then re-cluster the incidents.

    The whole file is checked first; if any row is bad, nothing is written. Events already imported
    are skipped. Prints the incidents created; counts go to stderr.

    \b
    Examples:
      truceline import acled_export.csv --format acled
      truceline import GEDEvent_v25_1.csv --format ged
    """
    runtime = ctx.runtime
    aliases = _actor_aliases(runtime.scenario.actors)
    event_format: EventFormat = "acled" if fmt == "acled" else "ged"
    with collector_paused(), _writing(ctx) as session:
        added = store_events(
            session, path=file, fmt=event_format, author="cli:import", now=ctx.now(), actor_aliases=aliases
        )
        result = recluster(
            session, scenario=runtime.scenario, author="cli:import", now=ctx.now(), known_claims=added
        )
    for incident_id in result.created:
        click.echo(f"incident\t{incident_id}")
    click.echo(f"{len(added)} new events imported", err=True)
    _report_recluster(result)


def _actor_aliases(actors: Iterable[Actor]) -> dict[str, str]:
    """Every alias (and name) of a scenario actor -> the actor's name, for GED's side names."""
    aliases: dict[str, str] = {}
    for actor in actors:
        for alias in (actor.name, *actor.aliases):
            aliases.setdefault(alias, actor.name)
    return aliases
