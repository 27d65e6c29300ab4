"""The map's data: incidents as GeoJSON with their precision radius, grid-clustered when there are many."""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from truceline.errors import InvalidInput
from truceline.scenarios.schema import Scenario
from truceline.views.filters import IncidentFilter, filter_incidents
from truceline.views.incidents import IncidentPoint
from truceline.wording import allegation_words, fatalities_words, party_name

CLUSTER_BELOW_ZOOM = 9  # from this zoom on, every incident is drawn on its own
CLUSTER_MIN_POINTS = 200  # fewer incidents than this are never clustered
CLUSTER_ABOVE_POINTS = 2000  # more than this in view are clustered at any zoom
PRECISION_RADIUS_KM = {1: 2.0, 2: 25.0, 3: 100.0}


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def parse_bbox(raw: str) -> BBox | None:
    """`west,south,east,north` in degrees, None when empty; InvalidInput otherwise."""
    if not raw.strip():
        return None
    try:
        west, south, east, north = (float(v) for v in raw.split(","))
    except ValueError:
        raise InvalidInput(f"bbox: expected west,south,east,north in degrees, found {raw[:80]!r}") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(
            f"bbox: expected west<=east in -180..180 and south<=north in -90..90, found {raw[:80]!r}"
        )
    return BBox(west, south, east, north)


def map_geojson(
    points: Sequence[IncidentPoint], scenario: Scenario, *, zoom: int, bbox: BBox | None = None
) -> dict[str, Any]:
    """Incidents as GeoJSON, each with its precision radius; grid clusters at low zoom when there are many."""
    located = [p for p in points if p.lat is not None and p.lon is not None]
    shown = [p for p in located if bbox is None or bbox.contains(p.lat or 0.0, p.lon or 0.0)]
    clustered = len(shown) > CLUSTER_ABOVE_POINTS or (
        zoom < CLUSTER_BELOW_ZOOM and len(shown) >= CLUSTER_MIN_POINTS
    )
    features = _clusters(shown, zoom, scenario) if clustered else [_feature(p, scenario) for p in shown]
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {
            "incidents": len(shown),
            "unlocated": len(points) - len(located),
            "clustered": clustered,
        },
    }


_cache_lock = threading.Lock()
_cache: dict[tuple[Any, ...], tuple[Sequence[IncidentPoint], dict[str, Any]]] = {}
MAX_CACHED_MAPS = 64


def cached_map_geojson(
    points: Sequence[IncidentPoint],
    scenario: Scenario,
    *,
    flt: IncidentFilter,
    zoom: int,
    bbox: BBox | None = None,
) -> dict[str, Any]:
    """`map_geojson` of the incidents `flt` keeps, kept per index list, filter, zoom and box: the index list
    is replaced whenever incidents, cases or findings change, and every desk opens the same default view
    (at 1M claims building it takes ~300 ms). The answer is shared: read it, never change it."""
    key = (id(points), scenario.id, flt, zoom, bbox)
    with _cache_lock:
        found = _cache.get(key)
    if found is not None and found[0] is points:  # the entry holds `points`, so its id is not reused
        return found[1]
    result = map_geojson(filter_incidents(points, flt), scenario, zoom=zoom, bbox=bbox)
    with _cache_lock:
        if len(_cache) >= MAX_CACHED_MAPS:
            _cache.clear()
        _cache[key] = (points, result)
    return result


def _feature(point: IncidentPoint, scenario: Scenario) -> dict[str, Any]:
    radius = point.radius_km or PRECISION_RADIUS_KM.get(point.geo_precision or 3, 100.0)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
        "properties": {
            "id": point.id,
            "title": point.title,
            "date": point.date_start.isoformat() if point.date_start else None,
            "event_type": point.event_type,
            "process_type": point.process_type,
            "alleged_party": point.alleged_party,
            "alleged": [allegation_words(scenario, a) for a in point.allegations],
            "status": point.status,
            "responsible_party": point.responsible_party,
            "responsible": party_name(scenario, point.responsible_party),
            "fatalities": point.fatalities_best,
            "fatalities_words": fatalities_words(
                point.fatalities_best, point.fatalities_low, point.fatalities_high
            ),
            "place": point.place,
            "admin1": point.admin1,
            "precision": point.geo_precision or 3,
            "radius_km": radius,
            "url": f"/incidents/{point.id}",
        },
    }


def _clusters(points: Sequence[IncidentPoint], zoom: int, scenario: Scenario) -> list[dict[str, Any]]:
    cell = 90.0 / (2 ** max(zoom, 0))  # about 64 screen pixels at this zoom
    cells: dict[tuple[int, int], list[IncidentPoint]] = defaultdict(list)
    for point in points:
        cells[(math.floor((point.lat or 0.0) / cell), math.floor((point.lon or 0.0) / cell))].append(point)
    features = []
    for members in cells.values():
        if len(members) == 1:
            features.append(_feature(members[0], scenario))
            continue
        lat = sum(p.lat or 0.0 for p in members) / len(members)
        lon = sum(p.lon or 0.0 for p in members) / len(members)
        statuses: dict[str, int] = defaultdict(int)
        for point in members:
            statuses[point.status] += 1
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                "properties": {
                    "cluster": True,
                    "count": len(members),
                    "fatalities": sum(p.fatalities_best or 0 for p in members),
                    "statuses": dict(statuses),
                },
            }
        )
    return features
