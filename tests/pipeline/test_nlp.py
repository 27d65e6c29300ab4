"""The spaCy side: what the default model is loaded with."""

from __future__ import annotations

import pytest
import spacy

from truceline.pipeline.nlp import DEFAULT_MODEL, UNUSED_COMPONENTS, load_nlp


def test_the_default_model_keeps_only_the_components_extraction_uses() -> None:
    nlp = load_nlp(DEFAULT_MODEL)
    if not nlp.pipe_names:
        pytest.skip(f"{DEFAULT_MODEL} is not installed")
    assert nlp.pipe_names == ["tok2vec", "ner"]


def test_the_default_models_tokenizer_is_the_one_it_ships() -> None:
    nlp = load_nlp(DEFAULT_MODEL)
    if not nlp.pipe_names:
        pytest.skip(f"{DEFAULT_MODEL} is not installed")
    shipped = spacy.load(DEFAULT_MODEL, exclude=UNUSED_COMPONENTS)
    # Rules, exceptions and patterns; not the vocab, which grows with every text the cached pipeline has seen.
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == shipped.tokenizer.to_bytes(exclude=["vocab"])
    text = "Pakistan’s forces struck Spin Boldak at 3am; e.g. 12 km away, U.S.-brokered talks (Doha) didn't."
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in shipped.make_doc(text)]
