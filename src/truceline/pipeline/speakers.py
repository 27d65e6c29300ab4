"""Who speaks in a sentence: named speakers, pronouns and roles standing for the last one named, and the
officials of a place speaking for its party."""

from __future__ import annotations

import re

from truceline.pipeline.actors import ActorMention, find_actor_mentions
from truceline.pipeline.attribution import Attribution, find_attribution
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.geocode import PlaceMention
from truceline.pipeline.lexicons import Lexicons, TriggerRule
from truceline.pipeline.nlp import Span
from truceline.pipeline.sentences import Sentence

ALLEGATIONS = frozenset({"accusation", "denial"})  # statements that accuse or deny


# Speakers named by a pronoun or a role ('he said', 'the spokesman added', 'officials told'): they stand
# for the last speaker the article named.
_ANAPHORIC_SPEAKER = re.compile(
    r"^\W*(?:(?:he|she|they|it)|(?:the|a|an|this|that|its|their|his|her)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:spokes(?:man|woman|person)|officials?|ministers?|ministry|statement|military|army|office|group|"
    r"sources?|envoy|ambassador|diplomat|commander|governor|administration|government|authorities|"
    r"police|department|leader|chief|head))\W*$",
    re.IGNORECASE,
)


def speaker_of(
    sentence: Sentence,
    *,
    spans: list[Span],
    context: ExtractionContext,
    lexicons: Lexicons,
    previous: ActorMention | None,
) -> ActorMention | None:
    """Who speaks in a sentence: an actor named in its speaker zone, else the previous speaker when the
    zone is a pronoun or a role ('he said', 'the spokesman added'), else the previous speaker unchanged."""
    text = sentence.text
    attribution = find_attribution(text, lexicons=lexicons)
    if not attribution.has_speaker:
        return previous
    local = [Span(s.start - sentence.start, s.end - sentence.start, s.text, s.label, s.key) for s in spans]
    named = [
        a
        for a in find_actor_mentions(text, spans=local, context=context, attribution=attribution)
        if a.is_speaker and (a.actor or a.party)
    ]
    return named[0] if named else previous


_OFFICIALS = re.compile(
    r"\b(?:officials?|authorities|administration|governor|police|spokes\w+|department|ministry|council)\b",
    re.IGNORECASE,
)


def officials_of_a_place(
    text: str, attribution: Attribution, places: list[PlaceMention], context: ExtractionContext
) -> ActorMention | None:
    """'Officials of Khost province said ...', 'the Kunar police said': the authorities of a place speak for
    the party whose country it is in."""
    for start, end in attribution.speaker_zones:
        if not _OFFICIALS.search(text[start:end]):
            continue
        for mention in places:
            country = mention.place.country
            if start <= mention.start and mention.end <= end and country in context.actors.parties:
                return ActorMention(None, country, mention.start, mention.end, False, True, False)
    return None


def unnamed_subject_zone(
    text: str, process: list[tuple[TriggerRule, int]], actors: list[ActorMention]
) -> tuple[int, int] | None:
    """'Army officials sharply criticised the raid': the unnamed subject of a statement verb."""
    for rule, start in process:
        if rule.process_type not in ALLEGATIONS:
            continue
        clause = max(text.rfind(", ", 0, start), text.rfind("; ", 0, start), -1) + 1
        subject = re.sub(
            r"\s+(?:\w+ly|also|have|has|had|were|was|again|further|then)\b", "", text[clause:start]
        )
        if any(clause <= a.start < start for a in actors):
            return None
        if _ANAPHORIC_SPEAKER.match(subject) or re.match(
            r"^\W*(?:[\w-]+\s+){0,2}(?:officials?|authorities|sources|spokes\w+)\W*$", subject, re.IGNORECASE
        ):
            return clause, start
    return None


def anaphoric_speaker_zone(text: str, attribution: Attribution) -> tuple[int, int] | None:
    for start, end in attribution.speaker_zones:
        if _ANAPHORIC_SPEAKER.match(text[start:end]):
            return start, end
    return None
