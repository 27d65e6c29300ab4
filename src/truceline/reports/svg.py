"""Pure SVG for reports: a map of the border area with incidents, the weekly chart and the index gauge.

No database code and no I/O: functions take GeoJSON dicts and plain values and return SVG text, with every
piece of text escaped. The SVG is inline in the report, so it works offline and inside the PDF (WeasyPrint
renders inline SVG). The map uses an equirectangular projection fitted to the border's bounding box; at
that scale (a few hundred km) its distortion is far below what a report map needs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

# Okabe–Ito: distinguishable with the common colour-vision deficiencies and in greyscale print.
PARTY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
UNATTRIBUTED_COLOUR = "#6E6E6E"
COUNTRY_FILLS = ("#EEF2E6", "#F6EFE2", "#E8EEF3", "#F3E8EE")
KM_PER_DEGREE_LAT = 111.32
SIMPLIFY_PX = 1.0  # geometry detail finer than this is invisible and only makes the SVG bigger
DOT_RADIUS_PX = 4.0
MIN_AREA_RADIUS_PX = 7.0
LABEL_MIN_AREA_PX = 1800.0  # provinces smaller than this on the map are not labelled


def colour_of(group: int | None) -> str:
    """The colour of party number `group` (scenario order); grey for None (unattributed)."""
    return UNATTRIBUTED_COLOUR if group is None else PARTY_COLOURS[group % len(PARTY_COLOURS)]


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    """A coordinate with one decimal, without a trailing '.0' (keeps path data short)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- the map ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapPoint:
    """One incident to draw: a dot when the place is a town, a translucent circle when it is wider."""

    id: str
    lon: float
    lat: float
    precision: int | None  # ACLED geo_precision: 1 town, 2 district or near town, 3 province or wider
    radius_km: float | None  # how far the true place may lie from (lon, lat)
    group: int | None  # party number for the colour; None for unattributed
    is_confirmed: bool  # a finding confirmed a violation
    label: str  # the tooltip


@dataclass(frozen=True, slots=True)
class BaseMap:
    """The static layers of a scenario's map, projected once: admin units, buffer, line and crossings."""

    west: float
    south: float
    east: float
    north: float
    width: int
    height: int
    px_per_km: float
    layers: str  # SVG elements

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / (self.east - self.west) * self.width
        y = (self.north - lat) / (self.north - self.south) * self.height
        return x, y

    def contains(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


def base_map(
    *,
    admin1: Mapping[str, Any],
    boundary: Mapping[str, Any],
    buffer: Mapping[str, Any] | None = None,
    crossings: Mapping[str, Any] | None = None,
    countries: Sequence[str] = (),
    width_px: int = 760,
    padding: float = 0.04,
) -> BaseMap:
    """Project the layers into a frame fitted to the boundary's bounding box (plus `padding` each side).

    `countries` orders the country codes for the fill colours (the scenario's parties).
    """
    line = shapely.union_all([shape(f["geometry"]) for f in _features(boundary)])
    if line.is_empty:
        raise ValueError("boundary: expected at least one line feature, found none")
    minx, miny, maxx, maxy = line.bounds
    pad_x, pad_y = (maxx - minx) * padding, (maxy - miny) * padding
    west, south, east, north = minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y
    cos_lat = math.cos(math.radians((south + north) / 2))
    px_per_degree_lon = width_px / (east - west)
    height = round((north - south) * px_per_degree_lon / cos_lat)
    px_per_km = px_per_degree_lon / cos_lat / KM_PER_DEGREE_LAT
    frame = BaseMap(west, south, east, north, width_px, height, px_per_km, "")

    def to_px(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x = (coords[:, 0] - west) / (east - west) * width_px
        y = (north - coords[:, 1]) / (north - south) * height
        return np.column_stack([x, y])

    def projected(geometry: BaseGeometry) -> BaseGeometry:
        clipped = shapely.clip_by_rect(shapely.transform(geometry, to_px), -2, -2, width_px + 2, height + 2)
        return clipped.simplify(SIMPLIFY_PX, preserve_topology=True)

    order = {code: i for i, code in enumerate(countries)}
    parts = [f'<rect class="sea" width="{width_px}" height="{height}" fill="#FBFBF8"/>']
    labels = []
    for feature in _features(admin1):
        props = feature.get("properties") or {}
        geometry = projected(shape(feature["geometry"]))
        if geometry.is_empty:
            continue
        fill = COUNTRY_FILLS[order.get(str(props.get("country", "")), len(order)) % len(COUNTRY_FILLS)]
        name = str(props.get("name") or "")
        parts.append(
            f'<path class="admin1" d="{_path(geometry)}" fill="{fill}" stroke="#B9B9B0" stroke-width="0.6">'
            f"<title>{_text(name)}</title></path>"
        )
        if name and geometry.area >= LABEL_MIN_AREA_PX:
            spot = geometry.representative_point()
            labels.append(
                f'<text class="admin1-label" x="{_num(spot.x)}" y="{_num(spot.y)}" font-size="9" '
                f'fill="#8A8A80" text-anchor="middle">{_text(name)}</text>'
            )
    if buffer is not None:
        for feature in _features(buffer):
            geometry = projected(shape(feature["geometry"]))
            if not geometry.is_empty:
                parts.append(
                    f'<path class="buffer" d="{_path(geometry)}" fill="#C9A227" fill-opacity="0.16" '
                    f'stroke="#C9A227" stroke-width="0.5"/>'
                )
    parts.extend(labels)
    boundary_px = projected(line)
    parts.append(
        f'<path class="boundary" d="{_path(boundary_px)}" fill="none" stroke="#3A3A3A" '
        f'stroke-width="1.6" stroke-dasharray="6 2 1.5 2"/>'
    )
    for feature in _features(crossings or {}):
        lon, lat = feature["geometry"]["coordinates"][:2]
        if not frame.contains(lon, lat):
            continue
        x, y = frame.project(lon, lat)
        name = str((feature.get("properties") or {}).get("name") or "")
        parts.append(
            f'<path class="crossing" d="M{_num(x)} {_num(y - 4)}l4 4-4 4-4-4z" fill="#FFFFFF" '
            f'stroke="#3A3A3A" stroke-width="1"><title>{_text(name)} crossing</title></path>'
            f'<text class="crossing-label" x="{_num(x + 6)}" y="{_num(y + 3)}" font-size="8.5" '
            f'fill="#3A3A3A">{_text(name)}</text>'
        )
    parts.append(_scale_bar(frame))
    return BaseMap(west, south, east, north, width_px, height, px_per_km, "".join(parts))


def map_svg(base: BaseMap, points: Iterable[MapPoint], *, title: str) -> str:
    """The base map with one circle per point inside the frame: wide translucent circles (uncertain places)
    first, town-precise dots on top; a confirmed violation has a black ring."""
    inside = [p for p in points if base.contains(p.lon, p.lat)]
    wide = sorted((p for p in inside if (p.precision or 3) > 1), key=lambda p: -(p.radius_km or 0))
    exact = [p for p in inside if (p.precision or 3) == 1]
    circles = []
    for point in [*wide, *exact]:
        x, y = base.project(point.lon, point.lat)
        colour = colour_of(point.group)
        stroke = "#000000" if point.is_confirmed else colour
        width = 2.0 if point.is_confirmed else 1.0
        precision = point.precision or 3
        if precision == 1:
            radius, fill = DOT_RADIUS_PX, f'fill="{colour}" fill-opacity="0.95"'
            stroke = "#000000" if point.is_confirmed else "#FFFFFF"
        else:
            radius = max((point.radius_km or 0.0) * base.px_per_km, MIN_AREA_RADIUS_PX)
            fill = f'fill="{colour}" fill-opacity="0.18" stroke-dasharray="3 2"'
        circles.append(
            f'<circle class="incident precision-{precision}" data-id="{_text(point.id)}" '
            f'cx="{_num(x)}" cy="{_num(y)}" r="{_num(radius)}" {fill} stroke="{stroke}" '
            f'stroke-width="{width}"><title>{_text(point.label)}</title></circle>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {base.width} {base.height}" '
        f'width="{base.width}" height="{base.height}" role="img" aria-label="{_text(title)}">'
        f'<title>{_text(title)}</title>{base.layers}<g class="incidents">{"".join(circles)}</g></svg>'
    )


def _scale_bar(frame: BaseMap) -> str:
    km = _nice_step(frame.width * 0.18 / frame.px_per_km)
    length = km * frame.px_per_km
    x, y = 12.0, frame.height - 14.0
    return (
        f'<g class="scale"><rect x="{_num(x - 4)}" y="{_num(y - 14)}" width="{_num(length + 50)}" '
        f'height="22" fill="#FFFFFF" fill-opacity="0.8"/>'
        f'<path d="M{_num(x)} {_num(y - 4)}v4h{_num(length)}v-4" fill="none" stroke="#3A3A3A"/>'
        f'<text x="{_num(x + length + 4)}" y="{_num(y + 1)}" font-size="9" fill="#3A3A3A">'
        f"{km:g} km</text></g>"
    )


def _features(collection: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if collection.get("type") == "Feature":
        return [collection]
    return [f for f in collection.get("features", []) if f.get("geometry")]


def _path(geometry: BaseGeometry) -> str:
    """SVG path data; rings close with Z, the points after M are implicit line-tos."""
    parts: list[str] = []
    for part in _parts(geometry):
        if isinstance(part, Polygon):
            for ring in [part.exterior, *part.interiors]:
                parts.append(_run(ring.coords) + "Z")
        elif isinstance(part, LineString):
            parts.append(_run(part.coords))
    return "".join(parts)


def _parts(geometry: BaseGeometry) -> list[BaseGeometry]:
    if isinstance(geometry, MultiPolygon | MultiLineString):
        return list(geometry.geoms)
    if hasattr(geometry, "geoms"):  # a collection left by clipping
        return [g for sub in geometry.geoms for g in _parts(sub)]
    return [geometry]


def _run(coords: Iterable[tuple[float, ...]]) -> str:
    points = [f"{_num(c[0])} {_num(c[1])}" for c in coords]
    return "M" + " ".join(points) if len(points) > 1 else ""


# --- the weekly chart ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartWeek:
    week_start: date
    reported: Mapping[str, int]  # party id -> violent incidents attributed to its forces
    confirmed: Mapping[str, int]  # party id -> violations confirmed against it


def weekly_chart_svg(
    weeks: Sequence[ChartWeek],
    *,
    parties: Sequence[tuple[str, str]],
    baseline: Mapping[str, float],
    highlight: tuple[date, date] | None = None,
    marker: tuple[date, str] | None = None,
    title: str,
    width: int = 760,
    height: int = 230,
) -> str:
    """Grouped bars per ISO week and party (`parties`: (id, label) in colour order), the confirmed share
    darkened, each party's baseline as a dashed line, the report period shaded and one dated marker."""
    left, right, top, bottom = 36.0, 8.0, 30.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(weeks), 1)
    peak = max([1.0, *(float(w.reported.get(p, 0)) for w in weeks for p, _ in parties), *baseline.values()])
    step = max(1, math.ceil(_nice_step(peak / 4)))
    top_value = step * math.ceil(peak / step)
    slot = plot_w / n
    bar = slot * 0.78 / max(len(parties), 1)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}">'
        f"<title>{_text(title)}</title>"
    ]
    if highlight is not None and weeks:
        first = next((i for i, w in enumerate(weeks) if w.week_start + timedelta(days=6) >= highlight[0]), n)
        last = max((i for i, w in enumerate(weeks) if w.week_start <= highlight[1]), default=-1)
        if first <= last:
            out.append(
                f'<rect class="period" x="{_num(left + first * slot)}" y="{_num(top)}" '
                f'width="{_num((last - first + 1) * slot)}" height="{_num(plot_h)}" fill="#FFF3C4"/>'
            )
    for value in range(0, int(top_value) + 1, step):
        y = y_of(value)
        out.append(
            f'<path d="M{_num(left)} {_num(y)}h{_num(plot_w)}" stroke="#E2E2DC" stroke-width="0.7"/>'
            f'<text x="{_num(left - 5)}" y="{_num(y + 3)}" font-size="9" text-anchor="end" '
            f'fill="#555555">{value}</text>'
        )
    label_every = max(1, math.ceil(n / 9))
    for i, week in enumerate(weeks):
        x0 = left + i * slot + slot * 0.11
        for j, (party, label) in enumerate(parties):
            value = week.reported.get(party, 0)
            confirmed = min(week.confirmed.get(party, 0), value)
            x = x0 + j * bar
            if value:
                out.append(
                    f'<rect class="bar party-{j}" x="{_num(x)}" y="{_num(y_of(value))}" '
                    f'width="{_num(bar)}" height="{_num(y_of(0) - y_of(value))}" fill="{colour_of(j)}">'
                    f"<title>{_text(label)}, week of {week.week_start}: {value} reported, "
                    f"{week.confirmed.get(party, 0)} confirmed</title></rect>"
                )
            if confirmed:
                out.append(
                    f'<rect class="confirmed" x="{_num(x)}" y="{_num(y_of(confirmed))}" width="{_num(bar)}" '
                    f'height="{_num(y_of(0) - y_of(confirmed))}" fill="#000000" fill-opacity="0.45"/>'
                )
        if i % label_every == 0:
            out.append(
                f'<text x="{_num(left + i * slot + slot / 2)}" y="{_num(top + plot_h + 13)}" font-size="9" '
                f'text-anchor="middle" fill="#555555">{week.week_start.day} {week.week_start:%b}</text>'
            )
    for j, (party, label) in enumerate(parties):
        if party in baseline:
            y = y_of(baseline[party])
            out.append(
                f'<path class="baseline party-{j}" d="M{_num(left)} {_num(y)}h{_num(plot_w)}" '
                f'stroke="{colour_of(j)}" stroke-width="1.4" stroke-dasharray="5 3">'
                f"<title>{_text(label)} pre-ceasefire weekly mean: {baseline[party]:g}</title></path>"
            )
    if (
        marker is not None
        and weeks
        and weeks[0].week_start <= marker[0] <= weeks[-1].week_start + timedelta(6)
    ):
        offset = (marker[0] - weeks[0].week_start).days / 7
        x = left + offset * slot
        out.append(
            f'<path d="M{_num(x)} {_num(top)}v{_num(plot_h)}" stroke="#333333" stroke-width="1"/>'
            f'<text x="{_num(x + 3)}" y="{_num(top + 9)}" font-size="9" fill="#333333">'
            f"{_text(marker[1])}</text>"
        )
    out.append(
        f'<path d="M{_num(left)} {_num(top)}v{_num(plot_h)}h{_num(plot_w)}" fill="none" stroke="#777777"/>'
    )
    out.append(_chart_legend(parties, left=left))
    out.append("</svg>")
    return "".join(out)


def _chart_legend(parties: Sequence[tuple[str, str]], *, left: float) -> str:
    x, items = left, []
    for j, (_, label) in enumerate(parties):
        items.append(
            f'<rect x="{_num(x)}" y="6" width="10" height="10" fill="{colour_of(j)}"/>'
            f'<text x="{_num(x + 14)}" y="15" font-size="10" fill="#222222">{_text(label)}</text>'
        )
        x += 24 + 6.2 * len(label)
    items.append(
        f'<rect x="{_num(x)}" y="6" width="10" height="10" fill="#000000" fill-opacity="0.45"/>'
        f'<text x="{_num(x + 14)}" y="15" font-size="10" fill="#222222">confirmed violations</text>'
    )
    x += 140
    items.append(
        f'<path d="M{_num(x)} 11h18" stroke="#555555" stroke-width="1.4" stroke-dasharray="5 3"/>'
        f'<text x="{_num(x + 22)}" y="15" font-size="10" fill="#222222">pre-ceasefire weekly mean</text>'
    )
    return '<g class="legend">' + "".join(items) + "</g>"


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at least `raw`."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


# --- the escalation gauge -----------------------------------------------------------------------------

LEVEL_COLOURS = ("#7FB77E", "#D9D26A", "#F2A541", "#E4572E", "#A4161A")


def gauge_svg(score: float, *, labels: Sequence[str], title: str, width: int = 360) -> str:
    """A 0–100 bar in five equal bands (one per level, `labels` in order) with a marker at `score`."""
    height, band = 34, width / len(LEVEL_COLOURS)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gauge" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_text(title)}">'
        f"<title>{_text(title)}</title>"
    ]
    for i, colour in enumerate(LEVEL_COLOURS):
        out.append(
            f'<rect x="{_num(i * band)}" y="4" width="{_num(band)}" height="12" fill="{colour}"/>'
            f'<text x="{_num(i * band + band / 2)}" y="30" font-size="9" text-anchor="middle" '
            f'fill="#333333">{_text(labels[i] if i < len(labels) else "")}</text>'
        )
    x = min(max(score, 0.0), 100.0) / 100 * width
    out.append(f'<path d="M{_num(x)} 1v18" stroke="#000000" stroke-width="2.5"/></svg>')
    return "".join(out)
