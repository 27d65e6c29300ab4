"""The gazetteer: lookups by any spelling, in any of the area's scripts, with crossings and admin units."""

from __future__ import annotations

from pathlib import Path

import pytest

from truceline.scenarios import load_scenario
from truceline.scenarios.gazetteer import Gazetteer, loose_name, normalize_name
from truceline.scenarios.gazetteer_cache import load_gazetteer

RIDGELINE = Path(__file__).parents[1] / "data" / "scenarios" / "ridgeline"


@pytest.fixture(scope="module")
def af_pk() -> Gazetteer:
    return load_gazetteer(load_scenario("af-pk-2025"))


def test_names_are_normalized_for_case_diacritics_and_punctuation() -> None:
    assert normalize_name("Spīn Bōldak") == normalize_name("spin-boldak") == "spin boldak"
    assert normalize_name("Jalālābād") == "jalalabad"
    assert loose_name("Angoor Adda") == loose_name("Angur Ada")


def test_lookup_finds_a_town_by_an_alternate_spelling(af_pk: Gazetteer) -> None:
    towns = [p for p in af_pk.lookup("Jelalabad") if p.kind == "place" and p.country == "AF"]
    assert towns and towns[0].admin1 == "Nangarhar"
    assert af_pk.lookup("JALALABAD")[0].name in {"Jalalabad", "Jalālābād"}


def test_lookup_finds_a_town_in_arabic_script(af_pk: Gazetteer) -> None:
    found = af_pk.lookup("پشاور")
    assert any(p.name.startswith("Pesh") and p.country == "PK" and p.kind == "place" for p in found)


def test_crossings_are_in_the_gazetteer_under_their_alternate_names(af_pk: Gazetteer) -> None:
    found = af_pk.lookup("Angur Adda")
    assert found[0].kind == "crossing" and found[0].name == "Angoor Adda"
    assert found[0].border_km is not None and found[0].border_km < 2
    assert af_pk.lookup("Bab-e-Dosti")[0].kind == "crossing"


def test_admin_units_have_a_kind_and_a_label_point(af_pk: Gazetteer) -> None:
    provinces = [p for p in af_pk.lookup("Paktika") if p.kind == "admin1"]
    assert provinces and provinces[0].country == "AF" and 31 < provinces[0].lat < 34
    districts = [p for p in af_pk.lookup("Kurram") if p.kind == "admin2"]
    assert districts and districts[0].admin1 == "Khyber Pakhtunkhwa"


def test_a_populated_town_comes_before_the_district_named_after_it(af_pk: Gazetteer) -> None:
    found = af_pk.lookup("Peshawar")
    assert found[0].kind == "place" and found[0].population > 1_000_000


def test_talks_venues_outside_the_area_are_known(af_pk: Gazetteer) -> None:
    for name, country in (("Doha", "QA"), ("Istanbul", "TR"), ("Riyadh", "SA"), ("New Delhi", "IN")):
        found = af_pk.lookup(name)
        assert found and found[0].country == country, name


def test_unknown_names_find_nothing(af_pk: Gazetteer) -> None:
    assert af_pk.lookup("Atlantis-on-Sea") == []
    assert af_pk.lookup("") == []


def test_the_made_up_scenarios_gazetteer_loads_through_the_same_code() -> None:
    gazetteer = load_gazetteer(load_scenario(RIDGELINE))
    assert gazetteer.lookup("Norðville")[0].name == "Northville"
    assert gazetteer.lookup("sudport")[0].name == "Southport"
    crossing = gazetteer.lookup("Gate of the Ford")[0]
    assert (crossing.kind, crossing.country, crossing.admin1) == ("crossing", "XN", "North East")
