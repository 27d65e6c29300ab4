from tests.pipeline.builders import make_context
from truceline.pipeline.geocode import find_place_mentions


def places(sentence: str, hints: tuple[str, ...] = ()) -> list[tuple[str, str, str, int, bool]]:
    found = find_place_mentions(sentence, spans=[], context=make_context(), country_hints=hints)
    return [(m.place.name, m.place.country, m.place.level, m.precision, m.is_locative) for m in found]


def test_a_district_word_picks_the_district_not_the_town():
    assert places("Fighting broke out in Spin Boldak district.")[0][:4] == (
        "Spin Boldak",
        "AF",
        "district",
        2,
    )


def test_a_district_is_placed_at_its_namesake_town():
    found = find_place_mentions("Shelling hit Spin Boldak district.", spans=[], context=make_context())
    assert (found[0].place.lat, found[0].place.lon) == (31.01, 66.40)


def test_a_province_word_gives_precision_three():
    assert places("Strikes targeted eastern Paktika province.")[0][:4] == ("Paktika", "AF", "province", 3)


def test_the_admin1_named_in_the_sentence_disambiguates():
    assert places("A strike hit a market in the Barmal district, Paktika province.")[0][1] == "AF"


def test_the_country_the_document_names_disambiguates():
    assert places("Gunmen attacked a post near Barmal.", hints=("PK",))[0][1] == "PK"


def test_a_crossing_is_a_location_even_without_a_preposition():
    assert places("Torkham was closed to traffic.") == [("Torkham", "PK", "crossing", 1, True)]


def test_a_city_used_as_a_subject_is_not_a_locative_mention():
    assert places("Peshawar condemned the attack.")[0][4] is False
    assert places("Police in Peshawar said two were hurt.")[0][4] is True


def test_talks_venues_outside_the_area_come_from_the_rules_data():
    assert places("Delegations met in Doha.")[0][:2] == ("Doha", "QA")
