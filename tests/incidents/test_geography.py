from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from truceline.errors import ScenarioError
from truceline.incidents.geography import (
    BufferStatus,
    haversine_km,
    locate_on_border,
    radius_km_for,
)


@dataclass(frozen=True)
class Crossing:
    name: str
    lat: float
    lon: float


class MeridianBorder:
    """A stand-in border: the meridian 70°E, PK to the east, a 10 km buffer, one crossing at 33°N."""

    buffer_km = 10.0
    gate = Crossing("Test Gate", 33.0, 70.0)

    def side_of(self, lat: float, lon: float) -> str | None:
        return "PK" if lon >= 70.0 else "AF"

    def km_to_border(self, lat: float, lon: float) -> float | None:
        return abs(lon - 70.0) * 111.2 * math.cos(math.radians(lat))

    def is_in_buffer(self, lat: float, lon: float) -> bool:
        return (self.km_to_border(lat, lon) or 0.0) <= self.buffer_km

    def nearest_crossing(self, lat: float, lon: float) -> tuple[Crossing, float] | None:
        return self.gate, haversine_km(lat, lon, self.gate.lat, self.gate.lon)

    def admin1_of(self, lat: float, lon: float) -> str | None:
        return "East" if lon >= 70.0 else "West"


GEO = MeridianBorder()


def test_precision_radii_are_the_documented_ones():
    assert [radius_km_for(p) for p in (1, 2, 3, None, 6)] == [5.0, 25.0, 150.0, 150.0, 150.0]


def test_a_town_well_inside_pakistan():
    position = locate_on_border(33.0, 70.5, geo_precision=1, geography=GEO)
    assert position.side == "PK" and position.is_side_certain
    assert position.km_to_border == pytest.approx(46.6, abs=0.1)
    assert position.in_buffer is BufferStatus.NO
    assert position.nearest_crossing == "Test Gate" and position.admin1 == "East"
    assert "PK side, 46.6 km from the border" in position.describe()


def test_a_town_on_the_afghan_side_inside_the_buffer():
    position = locate_on_border(33.0, 69.95, geo_precision=1, geography=GEO)
    assert position.side == "AF" and not position.is_side_certain  # 4.7 km from the line, ± 5 km
    assert position.in_buffer is BufferStatus.YES


def test_a_point_on_the_line_has_no_certain_side():
    position = locate_on_border(33.0, 70.0, geo_precision=1, geography=GEO)
    assert position.km_to_border == 0.0 and position.km_to_border_range == (0.0, 5.0)
    assert not position.is_side_certain
    assert position.in_buffer is BufferStatus.YES


def test_a_district_level_point_near_the_buffer_edge_is_uncertain():
    position = locate_on_border(33.0, 70.15, geo_precision=2, geography=GEO)
    assert position.in_buffer is BufferStatus.UNCERTAIN
    low, high = position.km_to_border_range or (0, 0)
    assert low == 0.0 and high == pytest.approx(39.0, abs=0.1)


def test_a_province_level_point_is_reported_as_within_150_km():
    position = locate_on_border(33.0, 70.004, geo_precision=3, geography=GEO)
    assert position.in_buffer is BufferStatus.UNCERTAIN
    assert "within 150 km" in position.describe()
    assert "0.4 km" not in position.describe()
    assert "province-level" in position.describe()


def test_without_a_buffer_width_only_exact_points_get_a_yes():
    class NoWidth(MeridianBorder):
        def __getattribute__(self, name: str) -> object:
            if name == "buffer_km":
                raise AttributeError(name)
            return super().__getattribute__(name)

        def is_in_buffer(self, lat: float, lon: float) -> bool:
            return (self.km_to_border(lat, lon) or 0.0) <= 10.0

    geo = NoWidth()
    assert locate_on_border(33.0, 70.01, geo_precision=1, geography=geo).in_buffer is BufferStatus.YES
    assert locate_on_border(33.0, 70.01, geo_precision=3, geography=geo).in_buffer is BufferStatus.UNCERTAIN
    assert locate_on_border(33.0, 72.0, geo_precision=3, geography=geo).in_buffer is BufferStatus.NO


def scenario_geography():  # type: ignore[no-untyped-def]
    try:
        from truceline.scenarios import load_scenario  # type: ignore[attr-defined,unused-ignore]
        from truceline.scenarios.geography import get_geography  # type: ignore[import-not-found,unused-ignore]

        return get_geography(load_scenario("af-pk-2025"))
    except (ImportError, ScenarioError) as exc:
        pytest.skip(f"the af-pk-2025 scenario geography is not available yet: {exc}")


@pytest.mark.parametrize(
    ("lat", "lon", "side"),
    [(33.99, 71.56, "PK"), (34.53, 69.17, "AF"), (31.01, 66.40, "AF"), (30.92, 66.45, "PK")],
)
def test_known_places_fall_on_their_side_of_the_real_line(lat: float, lon: float, side: str):
    position = locate_on_border(lat, lon, geo_precision=1, geography=scenario_geography())
    assert position.side == side


def test_torkham_is_in_the_buffer_and_its_crossing_is_nearest():
    position = locate_on_border(34.11472, 71.08472, geo_precision=1, geography=scenario_geography())
    assert position.in_buffer in {BufferStatus.YES, BufferStatus.UNCERTAIN}
    assert position.nearest_crossing is not None and "Torkham" in position.nearest_crossing
    assert position.km_to_border is not None and position.km_to_border < 5
