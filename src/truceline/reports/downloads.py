"""A list as a file: RFC 4180 CSV (safe to open in a spreadsheet) or RFC 7946 GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from truceline.errors import NotFound
from truceline.reports.exports import Cell, ExportQuery, ExportRow, export_rows, get_export_list
from truceline.scenarios.schema import Scenario
from truceline.users.rules import Principal

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    media_type: str
    body: str


def csv_cell(value: Cell) -> str:
    """The CSV text of a cell; text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def render_csv(columns: Iterable[str], rows: Iterable[ExportRow]) -> str:
    """RFC 4180 CSV: a header row, then one row per record (CRLF line ends)."""
    names = list(columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    writer.writerows([csv_cell(row.values[name]) for name in names] for row in rows)
    return out.getvalue()


def render_geojson(columns: Iterable[str], rows: Iterable[ExportRow]) -> str:
    """An RFC 7946 FeatureCollection; properties are the CSV columns (text as is: JSON runs no formulas)."""
    names = list(columns)
    features = [
        {
            "type": "Feature",
            "id": row.values[names[0]],
            "geometry": row.geometry,
            "properties": {name: row.values[name] for name in names},
        }
        for row in rows
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, allow_nan=False
    )


FORMATS: Mapping[str, tuple[str, Callable[[Iterable[str], Iterable[ExportRow]], str]]] = {
    "csv": ("text/csv; charset=utf-8", render_csv),
    "geojson": ("application/geo+json", render_geojson),
}


def build_export(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    list_name: str,
    fmt: str,
    params: Mapping[str, str],
    today: date,
) -> Export:
    """One list as a file (truceline-complaints-2025-11-01.csv); NotFound for an unknown list or format."""
    spec = get_export_list(list_name)
    if fmt not in FORMATS:
        raise NotFound("export format (csv or geojson)", fmt[:20])
    media_type, render = FORMATS[fmt]
    honoured = {name: params[name] for name in spec.filters if name in params}
    rows = export_rows(spec, ExportQuery(session, scenario, principal, honoured))
    filename = f"truceline-{spec.name}-{today.isoformat()}.{fmt}"
    return Export(filename, media_type, render(spec.column_names, rows))
