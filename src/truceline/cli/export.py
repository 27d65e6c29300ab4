"""`truceline export`: records as JSON lines for other tools."""

from __future__ import annotations

import json

import click

from truceline.cli.context import Context, pass_context
from truceline.views.export import EXPORT_KINDS, iter_records


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--kind", type=click.Choice(sorted(EXPORT_KINDS)), default="documents", show_default=True)
@pass_context
def export(ctx: Context, fmt: str, kind: str) -> None:
    """Print stored records, one JSON object per line.

    \b
    Example:
      truceline export --kind documents --format jsonl > documents.jsonl
    """
    with ctx.runtime.sessions() as session:
        for record in iter_records(session, kind=kind):
            click.echo(json.dumps(record, ensure_ascii=False))
