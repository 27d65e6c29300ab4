"""The compliance report rendered: one self-contained HTML document, and its PDF."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import jinja2

from truceline.reports.compliance import Report
from truceline.scenarios.schema import Scenario


@functools.cache
def _report_template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(),
    )
    return env.get_template("report.html")


def render_html(report: Report, *, scenario: Scenario, links: Sequence[tuple[str, str]] = ()) -> str:
    """The report as one self-contained HTML document (the web page, and the source of the PDF)."""
    return _report_template().render(
        report=report, links=links, reply_window_days=scenario.reply_window_days, week=timedelta(days=6)
    )


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The report's HTML as a PDF (WeasyPrint; the page size and footer come from the HTML's @page CSS)."""
    # Imported on use: it takes half a second to load. WeasyPrint ships no type information.
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf
