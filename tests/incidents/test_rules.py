from __future__ import annotations

from datetime import date

from truceline.incidents.rules import (
    build_incident,
    build_incidents,
    canonical_actors,
    canonical_dates,
    canonical_fatalities,
    canonical_place,
    canonical_type,
)
from truceline.incidents.values import Cluster
from truceline.scenarios import load_scenario
from truceline.scenarios.geography import get_geography

from .builders import CHAMAN, KHOST, PESHAWAR, make_claim, make_source


def test_best_is_the_most_conservative_well_supported_figure():
    claims = [
        make_claim("A-c1", best=4),
        make_claim("B-c1", best=6, high=9),
        make_claim("C-c1", best=2, alleged=True, claimant="Government of Pakistan"),
    ]
    fat = canonical_fatalities(claims)
    assert (fat.best, fat.low, fat.high) == (4, 2, 9)


def test_a_figure_two_parties_repeat_is_well_supported():
    alleged = {"alleged": True, "claimant": "Taliban (Afghanistan)"}
    claims = [make_claim("A-c1", best=10, **alleged), make_claim("B-c1", best=10, **alleged)]
    claims.append(make_claim("C-c1", best=30, alleged=True, claimant="Government of Pakistan"))
    assert canonical_fatalities(claims).best == 10


def test_only_alleged_single_figures_still_give_a_best():
    claims = [make_claim("A-c1", best=23, alleged=True, claimant="Government of Pakistan")]
    assert canonical_fatalities(claims).best == 23
    assert canonical_fatalities([make_claim("B-c1")]).best is None


def test_date_range_prefers_day_precise_members():
    claims = [
        make_claim("A-c1", day=date(2025, 12, 5)),
        make_claim("B-c1", day=date(2025, 12, 6)),
        make_claim("C-c1", day=date(2025, 12, 1), time_precision=2),
    ]
    dates = canonical_dates(claims)
    assert (dates.start, dates.end, dates.time_precision) == (date(2025, 12, 5), date(2025, 12, 6), 1)


def test_place_is_the_most_precise_member():
    claims = [
        make_claim("A-c1", place=(30.3, 66.9), place_name="Balochistan", geo_precision=3),
        make_claim("B-c1"),
    ]
    place = canonical_place(claims)
    assert (place.name, place.lat, place.lon, place.radius_km, place.is_centroid) == (
        "Chaman",
        *CHAMAN,
        5.0,
        False,
    )


def test_disagreeing_precise_places_give_a_centroid_with_a_radius():
    claims = [make_claim("A-c1", place=KHOST, place_name="Khost"), make_claim("B-c1", place=PESHAWAR)]
    place = canonical_place(claims)
    assert place.is_centroid
    assert place.radius_km is not None and 70 < place.radius_km < 100


def test_type_and_actors_by_majority():
    claims = [
        make_claim("A-c1"),
        make_claim("B-c1"),
        make_claim(
            "C-c1",
            event_type="Explosions/Remote violence",
            sub_event_type="Shelling/artillery/missile attack",
        ),
    ]
    assert canonical_type(claims) == ("Battles", "Armed clash", None)
    actor1, actor2, actors = canonical_actors([*claims, make_claim("D-c1", actor1="TTP")])
    assert (actor1, actor2) == ("Military Forces of Pakistan", "Taliban (Afghanistan)")
    assert actors == ("Taliban (Afghanistan)", "Military Forces of Pakistan", "TTP")


def test_build_incident_fills_every_field():
    claims = [make_claim("A-c1", best=4), make_claim("B-c1", best=5, evidence="Five died in the clash.")]
    sources = {"A-c1": make_source("One", grade="B"), "B-c1": make_source("Two")}
    incident = build_incident(Cluster.of(claims), sources=sources)
    assert incident.title == "Armed clash — Chaman, 2025-12-05"
    assert incident.claim_ids == ("A-c1", "B-c1")
    assert incident.independent_sources == 2
    assert 0.75 < incident.corroboration < 1.0
    data = incident.to_json()
    assert data["claims"] == ["A-c1", "B-c1"] and data["fatalities"]["best"] == 4


def test_incidents_built_together_are_those_built_one_by_one():
    geography = get_geography(load_scenario("af-pk-2025"))
    clusters = [
        Cluster.of([make_claim("A-c1", best=4), make_claim("B-c1", best=5)]),
        Cluster.of([make_claim("C-c1", place=None)]),
        Cluster.of([make_claim("D-c1", place=KHOST, place_name="Khost", country="AF")]),
    ]
    together = build_incidents(clusters, geography=geography)
    assert together == [build_incident(cluster, geography=geography) for cluster in clusters]
    assert [i.location.border_side for i in together] == ["PK", None, "AF"]
    assert together[0].location.km_to_border == geography.km_to_border(CHAMAN[0], CHAMAN[1])
