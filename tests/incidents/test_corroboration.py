from __future__ import annotations

from truceline.incidents.corroboration import (
    corroborate,
    fingerprint_similarity,
    fingerprint_text,
)
from truceline.incidents.values import Reliability, SourceInfo

from .builders import make_claim, make_source

WIRE = (
    "Pakistani and Afghan forces exchanged heavy fire late on Friday at the Chaman border crossing, "
    "officials on both sides said, in the latest clash since a ceasefire brokered in Doha in October. "
    "Four civilians were killed on the Afghan side, a district spokesman said on Saturday."
)


def test_fingerprints_of_syndicated_copies_are_close_and_of_other_stories_far():
    copy = "By our correspondent. " + WIRE + " Leave a reply."
    other = "Talks between the two delegations resumed in Istanbul on Thursday after a pause of two days."
    assert fingerprint_similarity(fingerprint_text(WIRE), fingerprint_text(copy)) > 0.6
    assert fingerprint_similarity(fingerprint_text(WIRE), fingerprint_text(other)) < 0.2


def test_syndicated_copies_of_one_wire_story_count_once():
    claims = [make_claim("A-c1"), make_claim("B-c1"), make_claim("C-c1")]
    sources = {
        "A-c1": make_source("Wire Service", text=WIRE, grade="B"),
        "B-c1": make_source("Daily Mirror of the North", text="Reprinted. " + WIRE),
        "C-c1": make_source("Local Radio", text="Our reporter at the crossing heard gunfire for two hours."),
    }
    result = corroborate(claims, sources=sources)
    assert result.independent_sources == 2
    assert any("syndicated copies" in reason for reason in result.reasons)


def test_identical_evidence_without_document_texts_counts_once():
    sentence = "Four civilians were killed when the two sides exchanged fire at Chaman."
    claims = [make_claim("A-c1", evidence=sentence), make_claim("B-c1", evidence=sentence)]
    sources = {"A-c1": make_source("One"), "B-c1": make_source("Two")}
    assert corroborate(claims, sources=sources).independent_sources == 1


def test_reports_that_only_quote_one_party_count_once():
    quoted = {"alleged": True, "claimant": "Taliban (Afghanistan)"}
    claims = [
        make_claim("A-c1", evidence="The Taliban said Pakistan fired first.", **quoted),
        make_claim("B-c1", evidence="Mujahid said the attack began from the Pakistani side.", **quoted),
        make_claim("C-c1", evidence="Our reporter saw the shelling."),
    ]
    sources = {"A-c1": make_source("One"), "B-c1": make_source("Two"), "C-c1": make_source("Three")}
    result = corroborate(claims, sources=sources)
    assert result.independent_sources == 2
    assert any("only relay a statement by Taliban (Afghanistan)" in r for r in result.reasons)
    statement = next(g for g in result.groups if g.claimant)
    assert statement.weight == 0.55 * 0.5


def test_the_same_outlet_twice_is_one_source_and_claims_of_one_document_one_report():
    claims = [make_claim("A-c1"), make_claim("A-c2", evidence="Shops were closed."), make_claim("B-c1")]
    sources = {c.id: make_source("Same Outlet") for c in claims}
    sources["B-c1"] = SourceInfo(outlet="same outlet", reliability=Reliability.B)
    result = corroborate(claims, sources=sources)
    assert result.independent_sources == 1
    assert result.groups[0].reliability is Reliability.B


def test_score_grows_with_independent_sources_and_better_grades():
    def score(grades: str) -> float:
        words = (
            "Gunfire was heard at dusk.",
            "Shells fell near the market.",
            "Two posts were hit, police said.",
        )
        claims = [make_claim(f"D{i}-c1", evidence=words[i]) for i in range(len(grades))]
        sources = {
            c.id: make_source(f"Outlet {i}", grade=g)
            for i, (c, g) in enumerate(zip(claims, grades, strict=True))
        }
        return corroborate(claims, sources=sources).score

    assert 0.0 < score("F") < score("FF") < score("FFF") < 1.0
    assert score("A") > score("C") > score("E")
    assert score("B") == 0.75
    assert round(score("BB"), 4) == round(1 - 0.25 * 0.25, 4)


def test_without_source_information_every_document_is_graded_f():
    result = corroborate([make_claim("A-c1")])
    assert result.independent_sources == 1
    assert result.groups[0].reliability is Reliability.F
    assert result.reasons[0].startswith("1 report(s)")


def test_no_claims_no_corroboration():
    assert corroborate([]).score == 0.0
