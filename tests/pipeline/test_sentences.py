from tests.pipeline.builders import lexicons
from truceline.pipeline.sentences import find_body_lines, find_dateline, split_sentences

PAGE = (
    "Border clash at Chaman\n"
    "Monday, 3 March 2014\n"
    "CHAMAN, Pakistan: Troops exchanged fire at the crossing on Friday. Two soldiers were hurt.\n"
    "Share this\n"
    "Leave a Reply\n"
    "Officials said the crossing was closed again on Saturday after new fire.\n"
)


def test_page_noise_headlines_and_stale_date_headers_are_not_body():
    body = find_body_lines(PAGE, title="Border clash at Chaman", lexicons=lexicons())
    texts = [PAGE[s:e] for s, e in body]
    assert texts == [
        "CHAMAN, Pakistan: Troops exchanged fire at the crossing on Friday. Two soldiers were hurt."
    ]


def test_sentences_carry_exact_offsets():
    body = find_body_lines(PAGE, title="", lexicons=lexicons())
    sentences = split_sentences(PAGE, body=body)
    assert [s.text for s in sentences] == [
        "CHAMAN, Pakistan: Troops exchanged fire at the crossing on Friday.",
        "Two soldiers were hurt.",
    ]
    assert all(PAGE[s.start : s.end] == s.text for s in sentences)


def test_abbreviations_do_not_end_a_sentence():
    text = "Lt. Gen. Ahmed said on Dec. 5 that two posts were hit by mortar fire."
    sentences = split_sentences(text, body=[(0, len(text))])
    assert len(sentences) == 1


def test_the_dateline_place_is_found():
    body = find_body_lines(PAGE, title="", lexicons=lexicons())
    assert find_dateline(PAGE, body=body) == ("CHAMAN", body[0][0], body[0][0] + 6)
