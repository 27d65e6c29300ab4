"""From a document to claims: the rules extractor, and the protocol every extractor follows."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol

from truceline.pipeline.actors import ActorMention
from truceline.pipeline.casualties import says_no_casualties
from truceline.pipeline.claims import ClaimValue, Evidence
from truceline.pipeline.context import ExtractionContext, Place
from truceline.pipeline.dates import is_dated_a_day_behind
from truceline.pipeline.detect import Detection, detect_happenings
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.geocode import document_admins
from truceline.pipeline.happenings import build_claims
from truceline.pipeline.lexicons import load_lexicons
from truceline.pipeline.merging import merge_detections
from truceline.pipeline.nlp import (
    DEFAULT_MODEL,
    Matchers,
    build_matchers,
    find_entities,
    find_spans,
    load_nlp,
    merge_spans,
)
from truceline.pipeline.people import find_people_spans
from truceline.pipeline.sentences import find_body_lines, find_dateline, reflow, split_sentences
from truceline.pipeline.speakers import speaker_of
from truceline.pipeline.tuning import DEFAULT_TUNING, Tuning

RULES_EXTRACTOR_NAME = "truceline-rules"
RULES_EXTRACTOR_VERSION = "0.3"


class Extractor(Protocol):
    """What an extractor plugin provides: a name, a version, and claims for one document.

    `today` is the caller's clock, the publication date of a document that has none."""

    name: str
    version: str

    def extract(
        self, doc: SourceDocument, context: ExtractionContext, *, today: date
    ) -> list[ClaimValue]: ...


MAX_CACHED_MATCHERS = 4  # the matchers of the latest contexts; a server or a CLI call has one


@dataclass(eq=False)
class RulesExtractor:
    """Trigger lexicons, actor dictionary, gazetteer and date rules; offline, deterministic."""

    model: str = DEFAULT_MODEL
    name: str = RULES_EXTRACTOR_NAME
    version: str = RULES_EXTRACTOR_VERSION
    tuning: Tuning = DEFAULT_TUNING
    _matchers: dict[int, tuple[ExtractionContext, Matchers]] = field(default_factory=dict, repr=False)

    def extract(self, doc: SourceDocument, context: ExtractionContext, *, today: date) -> list[ClaimValue]:
        if not doc.text.strip() or not doc.language.lower().startswith("en"):
            return []  # English rules only; other languages plug in their own extractor
        lexicons = load_lexicons()
        nlp = load_nlp(self.model)
        matchers = self._matchers_for(context)
        published = doc.published or today
        text, index = reflow(doc.text)
        body = find_body_lines(text, title=doc.title, lexicons=lexicons)
        sentences = split_sentences(text, body=body)
        if not sentences:
            return []
        spans = find_spans(nlp.make_doc(text), matchers)
        spans = merge_spans(spans, find_people_spans(text, spans=spans, context=context))
        country_hints = _country_hints(text, context)
        admins = document_admins(text, context=context)
        tuning = self.tuning
        if is_dated_a_day_behind(text, published=published, lexicons=lexicons):
            tuning = replace(tuning, next_day_weekdays=True)
        detections: list[Detection] = []
        speaker: ActorMention | None = None
        cursor = 0
        for sentence in sentences:
            while cursor < len(spans) and spans[cursor].end <= sentence.start:
                cursor += 1
            inside = [s for s in spans[cursor:] if s.start >= sentence.start and s.end <= sentence.end]
            previous_speaker = speaker
            speaker = speaker_of(sentence, spans=inside, context=context, lexicons=lexicons, previous=speaker)
            found = detect_happenings(
                sentence,
                spans=inside,
                published=published,
                context=context,
                lexicons=lexicons,
                country_hints=country_hints,
                tuning=tuning,
                speaker=previous_speaker,
                document_admins=admins,
            )
            if found and not any(d.places for d in found) and "ner" in nlp.pipe_names:
                # Statistical NER only as a fallback, and only where a happening has no place yet:
                # it is most of the cost of a pass over the whole text.
                found = detect_happenings(
                    sentence,
                    spans=merge_spans(inside, find_entities(nlp, sentence.text, offset=sentence.start)),
                    published=published,
                    context=context,
                    lexicons=lexicons,
                    country_hints=country_hints,
                    tuning=tuning,
                    speaker=previous_speaker,
                    document_admins=admins,
                )
            detections.extend(found)
        happenings = merge_detections(detections, published=published, context=context, tuning=tuning)
        detected = {d.sentence.index for d in detections}
        quiet = frozenset(
            s.paragraph
            for s in sentences
            if s.index not in detected and says_no_casualties(s.text, lexicons=lexicons)
        )
        claims = build_claims(
            happenings,
            document_id=doc.id,
            context=context,
            lexicons=lexicons,
            extractor=f"{self.name}/{self.version}",
            dateline=_dateline_place(text, body, context),
            quiet_paragraphs=quiet,
            named_actors=frozenset(s.key for s in spans if s.label == "ACTOR"),
        )
        if text is doc.text:
            return claims
        return [_evidence_in(claim, doc.text, index) for claim in claims]

    def _matchers_for(self, context: ExtractionContext) -> Matchers:
        cached = self._matchers.get(id(context))
        if cached is None or cached[0] is not context:
            cached = (context, build_matchers(load_nlp(self.model), context))
            self._matchers[id(context)] = cached
            # A process that opens many runtimes (the tests) would otherwise keep every context alive.
            while len(self._matchers) > MAX_CACHED_MATCHERS:
                del self._matchers[next(iter(self._matchers))]
        return cached[1]


def _evidence_in(claim: ClaimValue, original: str, index: list[int]) -> ClaimValue:
    """The claim with its evidence span moved from the reflowed text back to the document's own."""
    start, end = index[claim.evidence.start], index[claim.evidence.end - 1] + 1
    return replace(claim, evidence=Evidence(text=original[start:end], start=start, end=end))


def _dateline_place(text: str, body: list[tuple[int, int]], context: ExtractionContext) -> Place | None:
    """The place of an opening dateline ('PESHAWAR, Pakistan:'), a last resort for where violence was."""
    dateline = find_dateline(text, body=body)
    if dateline is None:
        return None
    found = [p for p in context.places.lookup(dateline[0].title()) if p.level == "town"]
    return max(found, key=lambda p: p.population) if found else None


def _country_hints(text: str, context: ExtractionContext) -> tuple[str, ...]:
    """The scenario parties in order of how often the document names them (disambiguates places)."""
    counts = []
    for party, roles in context.actors.parties.items():
        n = sum(text.count(name) for name in (*roles.names[:1], *roles.demonyms[:1]))
        counts.append((n, party))
    return tuple(party for n, party in sorted(counts, reverse=True) if n)
