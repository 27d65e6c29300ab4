"""`truceline ingest FILE...`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from truceline.cli.main import Context, pass_context
from truceline.intake.files import load_path
from truceline.ledger.service import create_checkpoint
from truceline.pipeline.document import SourceDocument
from truceline.workflows.ingest import ingest_documents


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date of plain-text files.")
@pass_context
def ingest(ctx: Context, files: tuple[Path, ...], published: object) -> None:
    """Store reports (document JSON, plain text, HTML, feeds, PDF); the same content twice is stored once.

    All files are read and checked first; if any is bad, nothing is written.

    \b
    Example:
      truceline ingest report.txt --published 2025-10-25
      truceline ingest article.json feed.xml
    """
    published_date: date | None = published.date() if published is not None else None  # type: ignore[attr-defined]
    docs: list[SourceDocument] = []
    for path in files:
        docs.extend(load_path(path, published=published_date))
    runtime = ctx.runtime
    with runtime.transaction() as session:
        result = ingest_documents(session, docs, author="cli:ingest", now=ctx.now())
        if result.added:
            create_checkpoint(session, signer=runtime.signer, origin=runtime.origin)
    for document_id in result.added:
        click.echo(f"added\t{document_id}")
    for document_id in result.existing:
        click.echo(f"exists\t{document_id}")
    click.echo(f"{len(result.added)} added, {len(result.existing)} already stored", err=True)


COMMANDS = [ingest]
