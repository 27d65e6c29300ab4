"""Border geography of a scenario: side, distance to the line, buffer, crossings, admin units, map layers.

Distances are computed in two steps: shapely finds the nearest point of the line in a local
azimuthal-equidistant projection centred on the border (spherical, km units), then the distance
to that point is measured on the WGS84 ellipsoid (Lambert's formula, ~10 m over 1,000 km), so
`km_to_border` is correct to well under 1% anywhere in the area.
"""

from __future__ import annotations

import csv
import functools
import gzip
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from truceline.errors import ScenarioError
from truceline.scenarios.schema import Scenario, Sector

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for the working projection
WGS84_A_KM = 6378.137
WGS84_F = 1 / 298.257223563
COUNTRY_CODE_KEYS = ("iso_a2", "ISO_A2", "country_code", "iso_country")
ADMIN_NAME_KEYS = ("display_name", "name", "NAME", "shapeName")
MAP_SIMPLIFY_DEG = 0.004  # ~400 m: invisible at map zoom, keeps all map layers well under 1.5 MB
MAP_DECIMALS = 4  # ~10 m
# Places outside every admin polygon (gaps between the two countries' admin layers) take the nearest
# unit of their own side within this distance.
ADMIN_SNAP_KM = 10.0


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on the WGS84 ellipsoid by Lambert's formula (error ~10 m at 1,000 km)."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    b1 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat1)))
    b2 = math.atan((1 - WGS84_F) * math.tan(math.radians(lat2)))
    dl = math.radians(lon2 - lon1)
    h = math.sin((b2 - b1) / 2) ** 2 + math.cos(b1) * math.cos(b2) * math.sin(dl / 2) ** 2
    sigma = 2 * math.asin(min(1.0, math.sqrt(h)))
    if sigma == 0.0:
        return 0.0
    p, q = (b1 + b2) / 2, (b2 - b1) / 2
    x = (sigma - math.sin(sigma)) * (math.sin(p) * math.cos(q)) ** 2 / math.cos(sigma / 2) ** 2
    y = (sigma + math.sin(sigma)) * (math.cos(p) * math.sin(q)) ** 2 / math.sin(sigma / 2) ** 2
    return WGS84_A_KM * (sigma - WGS84_F / 2 * (x + y))


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Spherical azimuthal-equidistant projection centred on (lat0, lon0), in km."""

    lat0: float
    lon0: float

    def forward(self, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """(lon, lat) degrees -> (x, y) km."""
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        dl = lon - lam0
        cos_c = math.sin(phi0) * np.sin(lat) + math.cos(phi0) * np.cos(lat) * np.cos(dl)
        c = np.arccos(np.clip(cos_c, -1.0, 1.0))
        k = np.where(c > 1e-12, c / np.sin(np.where(c > 1e-12, c, 1.0)), 1.0)
        x = EARTH_RADIUS_KM * k * np.cos(lat) * np.sin(dl)
        y = EARTH_RADIUS_KM * k * (math.cos(phi0) * np.sin(lat) - math.sin(phi0) * np.cos(lat) * np.cos(dl))
        return np.column_stack([x, y])

    def inverse(self, coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """(x, y) km -> (lon, lat) degrees."""
        x, y = coords[:, 0], coords[:, 1]
        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        rho = np.hypot(x, y)
        c = rho / EARTH_RADIUS_KM
        safe_rho = np.where(rho > 1e-12, rho, 1.0)
        lat = np.arcsin(
            np.clip(np.cos(c) * math.sin(phi0) + y * np.sin(c) * math.cos(phi0) / safe_rho, -1, 1)
        )
        lon = lam0 + np.arctan2(
            x * np.sin(c), rho * math.cos(phi0) * np.cos(c) - y * math.sin(phi0) * np.sin(c)
        )
        lat = np.where(rho > 1e-12, lat, phi0)
        return np.column_stack([np.degrees(lon), np.degrees(lat)])

    def project(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self.forward)

    def unproject(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, self.inverse)


@dataclass(frozen=True, slots=True)
class Crossing:
    """A named crossing point; `side` is the party whose territory holds the point."""

    name: str
    alt_names: tuple[str, ...]
    lat: float
    lon: float
    country: str | None
    side: str | None
    km_to_border: float
    confidence: str
    source: str
    note: str
    descriptions: tuple[tuple[str, str], ...] = ()  # (party id, what the crossing is called on that side)


@dataclass(frozen=True, slots=True)
class _Unit:
    name: str
    country: str
    geometry: BaseGeometry
    properties: dict[str, Any] = field(hash=False, compare=False)


class _UnitLayer:
    """Admin polygons with a spatial index: which unit holds a point, preferring the point's own country."""

    def __init__(self, units: list[_Unit], projection: LocalProjection) -> None:
        self.units = units
        self._tree = shapely.STRtree([u.geometry for u in units])
        self._projection = projection

    def find(self, lat: float, lon: float, *, country: str | None) -> _Unit | None:
        point = Point(lon, lat)
        hits = [self.units[int(i)] for i in self._tree.query(point, predicate="intersects")]
        if hits:
            own = [u for u in hits if country is not None and u.country == country]
            return (own or hits)[0]
        if country is None:
            return None
        # Degrees are only used to shortlist; the snap distance itself is measured in km.
        candidates = [self.units[int(i)] for i in self._tree.query(point.buffer(ADMIN_SNAP_KM / 80))]
        best: tuple[float, _Unit] | None = None
        local = self._projection.project(point)
        for unit in candidates:
            if unit.country != country:
                continue
            distance = self._projection.project(unit.geometry).distance(local)
            if distance <= ADMIN_SNAP_KM and (best is None or distance < best[0]):
                best = (distance, unit)
        return best[1] if best else None


class BorderGeography:
    """Answers border questions for one scenario; build it with `get_geography(scenario)`."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        geo = scenario.geography
        self.buffer_km: float = geo.buffer_km
        self.sectors: tuple[Sector, ...] = tuple(geo.sectors)
        boundary = unary_union([shape(f["geometry"]) for f in _features(scenario, geo.boundary)])
        if boundary.is_empty:
            raise ScenarioError(f"{geo.boundary}: expected at least one line feature, found none")
        self.boundary = boundary
        minx, miny, maxx, maxy = boundary.bounds
        self.projection = LocalProjection(lat0=(miny + maxy) / 2, lon0=(minx + maxx) / 2)
        self._boundary_local = self.projection.project(boundary)
        self.countries = self._read_countries(geo.countries)
        self._country_tree = shapely.STRtree([g for _, g in self.countries])
        self.crossings, self.unlocated_crossings = self._read_crossings(geo.crossings)

    # The admin layers are most of the geodata (3 of its 3.4 MB for af-pk-2025) and only the admin and
    # sector questions and the map need them; extraction asks for side and distance, so they load on use.
    @functools.cached_property
    def admin1(self) -> _UnitLayer:
        return _UnitLayer(self._read_units(self.scenario.geography.admin1), self.projection)

    @functools.cached_property
    def admin2(self) -> _UnitLayer | None:
        admin2 = self.scenario.geography.admin2
        return _UnitLayer(self._read_units(admin2), self.projection) if admin2 else None

    # --- questions about a point -------------------------------------------------------------------

    def country_of(self, lat: float, lon: float) -> str | None:
        """ISO country code of the territory holding the point (the scenario's country polygons)."""
        hits = self._country_tree.query(Point(lon, lat), predicate="intersects")
        return self.countries[int(min(hits))][0] if len(hits) else None

    def side_of(self, lat: float, lon: float) -> str | None:
        """Party id whose territory holds the point (Natural Earth polygons), or None outside both."""
        country = self.country_of(lat, lon)
        party = self.scenario.party_of_country(country) if country else None
        return party.id if party else None

    def nearest_border_point(self, lat: float, lon: float) -> tuple[float, float]:
        """(lat, lon) of the point of the line nearest to the given point."""
        local = self.projection.project(Point(lon, lat))
        # shortest_line starts on the first geometry; project/interpolate misbehave on MultiLineStrings.
        start = shapely.get_coordinates(shapely.shortest_line(self._boundary_local, local))[:1]
        lon_n, lat_n = self.projection.inverse(start)[0]
        return float(lat_n), float(lon_n)

    def km_to_border(self, lat: float, lon: float) -> float:
        """Ellipsoidal distance in km from the point to the nearest point of the line."""
        lat_n, lon_n = self.nearest_border_point(lat, lon)
        return geodesic_km(lat, lon, lat_n, lon_n)

    def sides_and_km_to_border(
        self, lats: Sequence[float], lons: Sequence[float]
    ) -> list[tuple[str | None, float]]:
        """`side_of` and `km_to_border` of many points, with one spatial query for all of them.

        The nearest point of the line is found on the segment nearest to each point (an R-tree of the
        line's segments), which is where `shortest_line` finds it on the whole line, without walking
        every vertex for every point.
        """
        if not len(lats):
            return []
        lat_deg, lon_deg = np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
        points = shapely.points(lon_deg, lat_deg)
        first = np.full(len(points), len(self.countries))  # the first polygon holding it, as country_of
        for index in reversed(range(len(self.countries))):
            polygon = self.countries[index][1]
            shapely.prepare(polygon)  # an indexed point-in-polygon test: the polygons have many vertices
            first[shapely.intersects_xy(polygon, lon_deg, lat_deg)] = index
        sides = [self._side_of_country(int(i)) for i in first]
        local = shapely.points(self.projection.forward(np.column_stack([lon_deg, lat_deg])))
        point_at, segment_at = self._segments.query_nearest(local, all_matches=False)
        lines = shapely.shortest_line(self._segments.geometries[segment_at], local[point_at])
        nearest = np.empty((len(points), 2))
        nearest[point_at] = self.projection.inverse(shapely.get_coordinates(lines)[::2])
        return [
            (side, geodesic_km(lat, lon, float(near[1]), float(near[0])))
            for side, lat, lon, near in zip(sides, lat_deg.tolist(), lon_deg.tolist(), nearest, strict=True)
        ]

    def _side_of_country(self, index: int) -> str | None:
        if index >= len(self.countries):
            return None
        party = self.scenario.party_of_country(self.countries[index][0])
        return party.id if party else None

    @functools.cached_property
    def _segments(self) -> shapely.STRtree:
        """The border line's segments (local km), indexed."""
        parts = []
        for line in shapely.get_parts(shapely.line_merge(self._boundary_local)):
            coords = shapely.get_coordinates(line)
            parts.append(shapely.linestrings(np.stack([coords[:-1], coords[1:]], axis=1)))
        return shapely.STRtree(np.concatenate(parts))

    def is_in_buffer(self, lat: float, lon: float) -> bool:
        """Within `buffer_km` of the line, on either party's territory."""
        return self.side_of(lat, lon) is not None and self.km_to_border(lat, lon) <= self.buffer_km

    def nearest_crossing(self, lat: float, lon: float) -> tuple[Crossing, float] | None:
        """The nearest located crossing and its distance in km, or None when the scenario has none."""
        scored = [(geodesic_km(lat, lon, c.lat, c.lon), c) for c in self.crossings]
        if not scored:
            return None
        distance, crossing = min(scored, key=lambda pair: pair[0])
        return crossing, distance

    def admin1_of(self, lat: float, lon: float) -> str | None:
        unit = self.admin1.find(lat, lon, country=self.country_of(lat, lon))
        return unit.name if unit else None

    def admin2_of(self, lat: float, lon: float) -> str | None:
        if self.admin2 is None:
            return None
        unit = self.admin2.find(lat, lon, country=self.country_of(lat, lon))
        return unit.name if unit else None

    def sector_of(self, lat: float, lon: float) -> Sector | None:
        """The sector whose admin units hold the point (district names win over province names)."""
        if not self.sectors:
            return None
        for name in (self.admin2_of(lat, lon), self.admin1_of(lat, lon)):
            if name is None:
                continue
            for sector in self.sectors:
                if name in sector.admin_units:
                    return sector
        return None

    # --- map layers (GeoJSON dicts, lon/lat, rounded and simplified) --------------------------------

    @functools.cached_property
    def _boundary_geojson(self) -> dict[str, Any]:
        feature = _feature(
            self.boundary, {"name": "boundary", "length_km": round(self._boundary_local.length, 1)}
        )
        return _collection([feature])

    def boundary_geojson(self) -> dict[str, Any]:
        return self._boundary_geojson

    @functools.cached_property
    def _admin1_geojson(self) -> dict[str, Any]:
        features = []
        for unit in self.admin1.units:
            geometry = unit.geometry.simplify(MAP_SIMPLIFY_DEG, preserve_topology=True)
            iso = unit.properties.get("iso_3166_2")
            features.append(
                _feature(geometry, {"name": unit.name, "country": unit.country, "iso_3166_2": iso})
            )
        return _collection(features)

    def admin1_geojson(self) -> dict[str, Any]:
        return self._admin1_geojson

    @functools.cached_property
    def _crossings_geojson(self) -> dict[str, Any]:
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "name": c.name,
                    "alt_names": list(c.alt_names),
                    "side": c.side,
                    "km_to_border": round(c.km_to_border, 2),
                    "confidence": c.confidence,
                    "source": c.source,
                },
            }
            for c in self.crossings
        ]
        return _collection(features)

    def crossings_geojson(self) -> dict[str, Any]:
        return self._crossings_geojson

    @functools.cached_property
    def buffer_polygon(self) -> BaseGeometry:
        """The buffer zone (lon/lat): within `buffer_km` of the line, clipped to the parties' territory."""
        territory = self.projection.project(unary_union([g for _, g in self.countries]))
        zone = self._boundary_local.buffer(self.buffer_km, quad_segs=8).intersection(territory)
        return self.projection.unproject(zone.simplify(0.1))

    @functools.cached_property
    def _buffer_geojson(self) -> dict[str, Any]:
        return _collection([_feature(self.buffer_polygon, {"name": "buffer", "buffer_km": self.buffer_km})])

    def buffer_geojson(self) -> dict[str, Any]:
        return self._buffer_geojson

    # --- loading ------------------------------------------------------------------------------------

    def _read_countries(self, relative: str) -> list[tuple[str, BaseGeometry]]:
        countries = []
        for i, feature in enumerate(_features(self.scenario, relative)):
            code = _first_property(feature, COUNTRY_CODE_KEYS)
            if not code:
                raise ScenarioError(
                    f"{relative}: features[{i}].properties: expected one of {', '.join(COUNTRY_CODE_KEYS)}"
                    ", found none"
                )
            countries.append((code.upper(), shape(feature["geometry"])))
        return countries

    def _read_units(self, files: Iterable[str]) -> list[_Unit]:
        units = []
        for relative in files:
            for i, feature in enumerate(_features(self.scenario, relative)):
                name = _first_property(feature, ADMIN_NAME_KEYS)
                if not name:
                    raise ScenarioError(
                        f"{relative}: features[{i}].properties.name: expected a name, found none"
                    )
                country = (_first_property(feature, COUNTRY_CODE_KEYS) or "").upper()
                units.append(_Unit(name, country, shape(feature["geometry"]), dict(feature["properties"])))
        return units

    def _read_crossings(self, relative: str) -> tuple[tuple[Crossing, ...], tuple[str, ...]]:
        located: list[Crossing] = []
        unlocated: list[str] = []
        path = self.scenario.path(relative)
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                name = (row.get("name") or "").strip()
                lat_text, lon_text = (row.get("lat") or "").strip(), (row.get("lon") or "").strip()
                if not name:
                    raise ScenarioError(f"{relative}: line {line}: name: expected a name, found nothing")
                if not lat_text or not lon_text:
                    unlocated.append(name)
                    continue
                try:
                    lat, lon = float(lat_text), float(lon_text)
                except ValueError as exc:
                    raise ScenarioError(
                        f"{relative}: line {line}: lat/lon: expected numbers, found {lat_text!r} {lon_text!r}"
                    ) from exc
                descriptions = tuple(
                    (party.id, (row.get(f"{party.id.lower()}_side") or "").strip())
                    for party in self.scenario.parties
                    if (row.get(f"{party.id.lower()}_side") or "").strip()
                )
                located.append(
                    Crossing(
                        name=name,
                        alt_names=tuple(
                            n.strip() for n in (row.get("alt_names") or "").split("|") if n.strip()
                        ),
                        lat=lat,
                        lon=lon,
                        country=self.country_of(lat, lon),
                        side=self.side_of(lat, lon),
                        km_to_border=self.km_to_border(lat, lon),
                        confidence=(row.get("confidence") or "").strip(),
                        source=(row.get("coord_source") or row.get("source") or "").strip(),
                        note=(row.get("note") or "").strip(),
                        descriptions=descriptions,
                    )
                )
        return tuple(located), tuple(unlocated)


@functools.lru_cache(maxsize=8)
def get_geography(scenario: Scenario) -> BorderGeography:
    """The scenario's border geography, built once per scenario (reading the geodata takes ~1 s)."""
    return BorderGeography(scenario)


def read_geojson(path: Path, *, label: str) -> dict[str, Any]:
    """A GeoJSON file (plain or .gz) as a dict; ScenarioError names the file when it is not GeoJSON."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{label}: expected a GeoJSON file, found unreadable content ({exc})") from exc
    if not isinstance(data, dict) or data.get("type") not in {"FeatureCollection", "Feature"}:
        raise ScenarioError(f"{label}: expected a GeoJSON FeatureCollection, found something else")
    return data


def _features(scenario: Scenario, relative: str) -> list[dict[str, Any]]:
    data = read_geojson(scenario.path(relative), label=relative)
    features: list[dict[str, Any]] = data["features"] if data["type"] == "FeatureCollection" else [data]
    for feature in features:
        feature.setdefault("properties", {})
        feature["properties"] = feature["properties"] or {}
    return features


def _first_property(feature: dict[str, Any], keys: Iterable[str]) -> str | None:
    properties = feature.get("properties") or {}
    for key in keys:
        value = properties.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _rounder(decimals: int) -> Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
    def rounded(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.round(coords, decimals)

    return rounded


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    rounded = shapely.transform(geometry, _rounder(MAP_DECIMALS))
    return {"type": "Feature", "geometry": json.loads(json.dumps(mapping(rounded))), "properties": properties}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}
