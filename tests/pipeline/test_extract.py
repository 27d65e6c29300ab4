from datetime import date

import pytest

from tests.pipeline.builders import TODAY, make_context, make_document, make_extractor
from truceline.errors import NotFound
from truceline.pipeline.claims import ClaimValue
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import RULES_EXTRACTOR_NAME, RULES_EXTRACTOR_VERSION, RulesExtractor
from truceline.pipeline.extractors import (
    ExtractorRegistry,
    extract_claims,
    get_extractor,
    list_extractors,
    register_extractor,
)


def extract(text: str, **kwargs: object) -> list[ClaimValue]:
    return make_extractor().extract(make_document(text, **kwargs), make_context(), today=TODAY)  # type: ignore[arg-type]


def test_a_clash_becomes_one_claim_with_date_place_actors_and_toll():
    [claim] = extract(
        "Afghan and Pakistani troops exchanged intense fire near Chaman late Friday night, "
        "killing three soldiers."
    )
    assert (claim.event_type, claim.sub_event_type) == ("Battles", "Armed clash")
    assert claim.event_date == date(2025, 12, 5)
    assert claim.location.name == "Chaman"
    assert {claim.actor1, claim.actor2} == {"Military Forces of Pakistan", "Taliban (Afghanistan)"}
    assert claim.fatalities.best == 3
    assert claim.extractor == f"{RULES_EXTRACTOR_NAME}/{RULES_EXTRACTOR_VERSION}"
    assert 0.0 <= claim.confidence <= 1.0


def test_evidence_offsets_point_into_the_text():
    text = (
        "Officials met on Monday. "
        "A drone strike hit a home in Khost province on Friday, killing two children."
    )
    doc = make_document(text)
    [claim] = make_extractor().extract(doc, make_context(), today=TODAY)
    assert doc.text[claim.evidence.start : claim.evidence.end] == claim.evidence.text
    assert claim.evidence.text.startswith("A drone strike")


def test_mentions_of_one_happening_in_several_sentences_merge():
    claims = extract(
        "A Pakistani air strike hit a home in Khost province on Friday, Afghan officials said. "
        "The strike killed two children."
    )
    assert len(claims) == 1
    assert claims[0].fatalities.best == 2


def test_a_partys_report_of_the_other_partys_strike_is_an_allegation():
    [claim] = extract("A Pakistani air strike hit a home in Khost province on Friday, Afghan officials said.")
    assert claim.alleged is True
    assert claim.claimant == "Taliban (Afghanistan)"
    assert claim.actor1 == "Military Forces of Pakistan"


def test_background_mentions_without_a_date_are_not_coded():
    assert extract("Relations stayed tense after the clashes in October that left dozens dead.") == []


def test_talks_and_border_closures_are_strategic_developments():
    claims = extract(
        "Pakistan and Afghanistan held a second round of talks in Doha on Saturday. "
        "Pakistan closed the Torkham crossing on Friday."
    )
    assert [(c.event_type, c.process_type) for c in claims] == [
        ("Strategic developments", "talks_held"),
        ("Strategic developments", "border_closed"),
    ]
    assert claims[0].location.country == "QA"


def test_claim_ids_are_stable_for_the_same_input():
    text = "Troops clashed near Chaman on Friday. A blast in Peshawar on Thursday killed two policemen."
    first = [c.to_json() for c in extract(text)]
    assert [c["id"] for c in first] == ["T1-c1", "T1-c2"]
    assert first == [c.to_json() for c in extract(text)]


def test_empty_and_non_english_documents_give_no_claims():
    context = make_context()
    assert make_extractor().extract(make_document(""), context, today=TODAY) == []
    urdu = SourceDocument(id="U", text="چمن میں فائرنگ", published=date(2025, 12, 6), language="ur")
    assert make_extractor().extract(urdu, context, today=TODAY) == []


def test_a_document_without_a_publication_date_is_read_as_published_on_the_callers_today():
    [claim] = extract("Troops clashed near Chaman on Friday.", published=None)
    assert claim.event_date == date(2025, 12, 5)  # the Friday before TODAY, Monday 8 December
    [claim] = make_extractor().extract(
        make_document("Troops clashed near Chaman on Friday.", published=None),
        make_context(),
        today=date(2025, 11, 24),
    )
    assert claim.event_date == date(2025, 11, 21)


class EchoExtractor:
    name = "echo"
    version = "9"

    def extract(self, doc: SourceDocument, context: ExtractionContext, *, today: date) -> list[ClaimValue]:
        return []


def test_the_built_in_registry_lists_the_rules_extractor():
    assert ExtractorRegistry().names() == ["rules"]
    assert isinstance(ExtractorRegistry().get("rules"), RulesExtractor)


def test_an_extractor_plugin_registers_by_name():
    registry = ExtractorRegistry()
    registry.register("echo", EchoExtractor)
    assert registry.names() == ["echo", "rules"]
    assert registry.get("echo").version == "9"
    assert registry.get("echo") is registry.get("echo")  # made once
    assert "echo" not in ExtractorRegistry().names()  # a registry of its own, nothing global changed


def test_extract_claims_runs_the_extractor_registered_under_the_name_given():
    register_extractor("echo", EchoExtractor)
    assert "echo" in list_extractors()
    assert get_extractor("echo").version == "9"
    doc = make_document("Troops clashed near Chaman on Friday.")
    assert extract_claims(doc, context=make_context(), today=TODAY, extractor="echo") == []


def test_an_unknown_extractor_is_not_found():
    with pytest.raises(NotFound):
        get_extractor("no-such-extractor")
    with pytest.raises(NotFound):
        ExtractorRegistry().get("no-such-extractor")
