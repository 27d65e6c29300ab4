from tests.pipeline.builders import lexicons
from truceline.pipeline.attribution import find_attribution


def zones(sentence: str) -> tuple[list[str], list[str], bool]:
    found = find_attribution(sentence, lexicons=lexicons())
    return (
        [sentence[s:e].strip(" ,") for s, e in found.speaker_zones],
        [sentence[s:e].strip(" ,") for s, e in found.content_zones],
        found.is_hedged,
    )


def test_a_sentence_final_said_names_the_speaker_before_it():
    speakers, contents, _ = zones("A strike hit a shop in Khost, Afghan officials said Tuesday.")
    assert speakers == ["Afghan officials"]
    assert contents == ["A strike hit a shop in Khost"]


def test_according_to_names_the_speaker_after_it():
    speakers, _, _ = zones("Two posts were shelled, according to the Pakistani military.")
    assert speakers == ["the Pakistani military."] or speakers == ["the Pakistani military"]


def test_a_speaker_before_said_that_owns_the_rest_as_content():
    speakers, contents, _ = zones("The spokesman said that Pakistani troops struck first.")
    assert speakers == ["The spokesman"]
    assert contents == ["that Pakistani troops struck first."]


def test_accusations_and_reported_claims_are_hedged():
    assert zones("Kabul accused Islamabad of shelling the crossing.")[2]
    assert zones("The drone reportedly hit a school.")[2]
    assert not zones("Three soldiers were killed in the clash.")[2]


def test_claiming_responsibility_is_not_an_allegation():
    speakers, _, hedged = zones("The TTP claimed responsibility for the attack.")
    assert speakers == []
    assert not hedged
