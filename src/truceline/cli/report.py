"""`truceline report`: the periodic compliance report as HTML or PDF."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from truceline.cli.context import Context, pass_context
from truceline.errors import InvalidInput
from truceline.reports.compliance import requested_report
from truceline.reports.render import render_html, render_pdf
from truceline.users.rules import Principal, Role

# The command acts as the mechanism itself: the full report, as a mediator sees it.
MECHANISM = Principal(user_id="cli", username="cli", role=Role.MEDIATOR)


@click.command()
@click.option("--from", "date_from", default="", metavar="DATE", help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", default="", metavar="DATE", help="Last day, inclusive (YYYY-MM-DD).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    default=None,
    help="html or pdf  [default: pdf when FILE ends in .pdf, else html]",
)
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@pass_context
def report(ctx: Context, date_from: str, date_to: str, fmt: str | None, output: Path) -> None:
    """Write the compliance report for a period (default: the last complete week with incidents).

    The report is the mechanism's full one (as a mediator sees it): summary, ceasefire status, escalation
    index, weekly chart, map, and the period's incidents, complaints and replies, findings and talks.
    Prints the path written; on bad input nothing is written. A period is at most 366 days.

    \b
    Examples:
      truceline report --output weekly.html
      truceline report --from 2025-11-03 --to 2025-11-09 --format pdf --output report.pdf
    """
    fmt = fmt or ("pdf" if output.suffix.lower() == ".pdf" else "html")
    if not output.parent.is_dir():
        raise InvalidInput(
            f"output: expected a file in an existing folder, found no folder {str(output.parent)!r}"
        )
    now = ctx.now()
    runtime = ctx.runtime
    with runtime.sessions() as session:
        built = requested_report(
            session, runtime.scenario, MECHANISM, raw_from=date_from, raw_to=date_to, generated_at=now
        )
    html = render_html(built, scenario=runtime.scenario)
    data = render_pdf(html) if fmt == "pdf" else html.encode("utf-8")
    _write_atomically(output, data)
    click.echo(str(output))


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves half a report."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
