"""Border geography on known points: side, distance, buffer, crossings, admin units, map layers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truceline.scenarios import load_scenario
from truceline.scenarios.geography import BorderGeography, geodesic_km, get_geography

RIDGELINE = Path(__file__).parents[1] / "data" / "scenarios" / "ridgeline"
# Reference distances to the Natural Earth line from ../shared/data (its border_dist_km, computed with pyproj
# AEQD lat0=32 lon0=68): GeoNames cities500 Peshawar 1168197, Jalalabad 1139715, Chaman 1181611,
# Landi Kotal 1172208; the crossings table for Torkham.
PESHAWAR = (34.008, 71.57849, 46.8)
JALALABAD = (34.42647, 70.45153, 47.24)
CHAMAN = (30.91769, 66.45259, 4.08)
LANDI_KOTAL = (34.0988, 71.14108, 6.6)
TORKHAM = (34.11472, 71.08472, 1.4)


@pytest.fixture(scope="module")
def af_pk() -> BorderGeography:
    return get_geography(load_scenario("af-pk-2025"))


@pytest.fixture(scope="module")
def ridgeline() -> BorderGeography:
    return get_geography(load_scenario(RIDGELINE))


def test_geography_is_built_once_per_scenario() -> None:
    scenario = load_scenario()
    assert get_geography(scenario) is get_geography(scenario)


def test_side_and_distance_are_answered_without_reading_the_admin_layers() -> None:
    geography = BorderGeography(load_scenario(RIDGELINE))
    assert geography.side_of(10.5, 0.25) is not None and geography.km_to_border(10.5, 0.25) >= 0
    assert "admin1" not in vars(geography) and "admin2" not in vars(geography)
    assert geography.admin1_of(10.5, 0.25) == "North West"
    assert "admin1" in vars(geography)


def test_peshawar_is_on_the_pakistani_side_outside_the_buffer(af_pk: BorderGeography) -> None:
    lat, lon, _ = PESHAWAR
    assert af_pk.side_of(lat, lon) == "PK"
    assert af_pk.admin1_of(lat, lon) == "Khyber Pakhtunkhwa"
    assert not af_pk.is_in_buffer(lat, lon)


def test_jalalabad_is_on_the_afghan_side_in_nangarhar(af_pk: BorderGeography) -> None:
    lat, lon, _ = JALALABAD
    assert af_pk.side_of(lat, lon) == "AF"
    assert af_pk.admin1_of(lat, lon) == "Nangarhar"


@pytest.mark.parametrize("point", [PESHAWAR, JALALABAD, CHAMAN, LANDI_KOTAL, TORKHAM])
def test_km_to_border_matches_the_shared_datas_reference(
    af_pk: BorderGeography, point: tuple[float, float, float]
) -> None:
    lat, lon, reference_km = point
    # 1% or the 0.05 km rounding of the reference, whichever is larger.
    assert af_pk.km_to_border(lat, lon) == pytest.approx(reference_km, rel=0.01, abs=0.05)


def test_torkham_is_in_the_buffer_and_its_nearest_crossing_is_torkham(af_pk: BorderGeography) -> None:
    lat, lon, _ = TORKHAM
    assert af_pk.is_in_buffer(lat, lon)
    found = af_pk.nearest_crossing(lat, lon)
    assert found is not None
    crossing, km = found
    assert crossing.name == "Torkham" and km < 0.1


def test_landi_kotal_nearest_crossing_is_torkham_a_few_km_away(af_pk: BorderGeography) -> None:
    found = af_pk.nearest_crossing(LANDI_KOTAL[0], LANDI_KOTAL[1])
    assert found is not None and found[0].name == "Torkham" and 3 < found[1] < 10


def test_a_point_outside_both_parties_has_no_side_and_is_not_in_the_buffer(af_pk: BorderGeography) -> None:
    doha = (25.28545, 51.53096)
    assert af_pk.side_of(*doha) is None
    assert not af_pk.is_in_buffer(*doha)
    assert af_pk.km_to_border(*doha) > 1000


def test_crossings_without_coordinates_are_listed_not_placed(af_pk: BorderGeography) -> None:
    assert "Nawa Pass" in af_pk.unlocated_crossings
    assert all(c.name != "Nawa Pass" for c in af_pk.crossings)


def test_sectors_follow_admin_units(af_pk: BorderGeography) -> None:
    sector = af_pk.sector_of(TORKHAM[0], TORKHAM[1])
    assert sector is not None and sector.id == "khyber-nangarhar"
    assert af_pk.sector_of(PESHAWAR[0], PESHAWAR[1]) is None


def test_every_sector_unit_is_a_known_admin_unit(af_pk: BorderGeography) -> None:
    known = {u.name for u in af_pk.admin1.units}
    assert af_pk.admin2 is not None
    known |= {u.name for u in af_pk.admin2.units}
    for sector in af_pk.sectors:
        assert set(sector.admin_units) <= known, sector.id


def test_the_map_layers_are_geojson_and_small(af_pk: BorderGeography) -> None:
    layers = {
        "boundary": af_pk.boundary_geojson(),
        "admin1": af_pk.admin1_geojson(),
        "crossings": af_pk.crossings_geojson(),
        "buffer": af_pk.buffer_geojson(),
    }
    for layer in layers.values():
        assert layer["type"] == "FeatureCollection" and layer["features"]
    assert len(layers["admin1"]["features"]) == 41
    assert sum(len(json.dumps(layer)) for layer in layers.values()) < 1_500_000


def test_the_buffer_layer_agrees_with_is_in_buffer(af_pk: BorderGeography) -> None:
    from shapely.geometry import Point

    for lat, lon, _ in (PESHAWAR, JALALABAD, CHAMAN, LANDI_KOTAL):
        assert af_pk.buffer_polygon.contains(Point(lon, lat)) == af_pk.is_in_buffer(lat, lon)


# --- known answers on the made-up straight line -------------------------------------------------------


def test_a_straight_line_gives_the_meridian_arc_as_distance(ridgeline: BorderGeography) -> None:
    # 0.1° of latitude at 10°N on WGS84 is 11.0605 km.
    assert ridgeline.km_to_border(10.1, 0.5) == pytest.approx(11.0605, rel=1e-3)
    assert ridgeline.km_to_border(10.0, 0.5) == pytest.approx(0.0, abs=1e-6)


def test_sides_buffer_admin_units_and_crossings_of_the_made_up_scenario(ridgeline: BorderGeography) -> None:
    assert ridgeline.side_of(10.5, 0.5) == "XN"
    assert ridgeline.side_of(9.5, 0.5) == "XS"
    assert ridgeline.side_of(12.0, 0.5) is None
    assert ridgeline.is_in_buffer(10.1, 0.5)  # 11 km < 15 km
    assert not ridgeline.is_in_buffer(10.2, 0.5)  # 22 km
    assert ridgeline.admin1_of(10.5, 0.25) == "North West"
    assert ridgeline.admin1_of(9.5, 0.75) == "South East"
    found = ridgeline.nearest_crossing(10.0, 0.6)
    assert found is not None and found[0].name == "Ford Gate" and found[1] == pytest.approx(0.0, abs=1e-6)
    assert found[0].descriptions == (("XN", "North East"), ("XS", "South East"))
    assert ridgeline.unlocated_crossings == ("Hill Pass",)
    sector = ridgeline.sector_of(9.9, 0.2)
    assert sector is not None and sector.id == "west"


def test_geodesic_km_matches_known_distances() -> None:
    # One degree of longitude on the equator is 111.3195 km on WGS84.
    assert geodesic_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.3195, rel=1e-4)
    # One degree of latitude from the equator is 110.574 km.
    assert geodesic_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(110.574, rel=1e-4)
    # Kabul–Islamabad: the ellipsoid differs from the 367.41 km great circle by well under 0.5%.
    assert geodesic_km(34.52813, 69.17233, 33.72148, 73.04329) == pytest.approx(367.41, rel=0.005)


def test_many_points_get_the_side_and_distance_each_would_get_alone(af_pk: BorderGeography) -> None:
    import random

    rng = random.Random(7)
    points = [(rng.uniform(27.0, 38.0), rng.uniform(60.0, 76.0)) for _ in range(300)]
    points += [(33.0, 70.0), (34.11472, 71.08472), (0.0, 0.0)]  # near the line, a crossing, far outside
    together = af_pk.sides_and_km_to_border([p[0] for p in points], [p[1] for p in points])
    assert together == [(af_pk.side_of(lat, lon), af_pk.km_to_border(lat, lon)) for lat, lon in points]
    assert af_pk.sides_and_km_to_border([], []) == []
