"""Actors: dictionary matches first, then generic mentions of a party ('Pakistani forces', 'Kabul')."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from truceline.pipeline.attribution import Attribution
from truceline.pipeline.context import ActorDictionary, ExtractionContext
from truceline.pipeline.nlp import Span

_POSSESSIVE_NOT_ACTOR = re.compile(
    r"^[’']s\s+(?!(?:forces|troops|military|army|government|side|ambassador|envoy|embassy|diplomats?)\b)"
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|into|of|across|from|inside|near|to|within|on|toward|towards|between|and|with|bordering)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central)[a-z-]*\s+)?$",
    re.IGNORECASE,
)

_PLACE_APPOSITION = re.compile(
    r"(?:\b(?:in|at|near|of|from)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,4}?"
    r"|\b[A-Z][\w'’-]*\s+(?:province|district|region|city|area|village|town)s?),\s*$"
)

# A name opening a report's first line in capitals ('ISLAMABAD –', 'KABUL (AP) —', 'PESHAWAR, Pakistan:') is
# its dateline: where the report was filed, not who acted.
_DATELINE_AFTER = re.compile(
    r"^(?:,\s*[A-Z][\w ]*)?\s*(?:\([^)]*\)\s*(?=[A-Z])|(?:\([^)]*\)\s*)?(?:[:–—]|--?\s))"
)


# 'Kabul [Afghanistan], March 9 (Agency):', 'Quetta, 5 March -': a place then the date opening the report.
_DATED_DATELINE_AFTER = re.compile(
    r"^\s*(?:\[[^\]]*\]|\([^)]*\))?\s*,\s*(?:[A-Z][a-z]+\.?\s+\d{1,2}\b|\d{1,2}\s+[A-Z][a-z]+\b)"
)


def _is_dateline(sentence: str, start: int, end: int) -> bool:
    if sentence[:start].strip():
        return False
    after = sentence[end:]
    return (sentence[start:end].isupper() and bool(_DATELINE_AFTER.match(after))) or bool(
        _DATED_DATELINE_AFTER.match(after)
    )


def _is_inside_a_name(sentence: str, start: int, end: int) -> bool:
    """'Taliban' in 'Tehrik-e-Taliban': a word joined by hyphens to the words of a longer name."""
    return sentence[start - 1 : start] == "-" or bool(re.match(r"-\w", sentence[end:]))


@dataclass(frozen=True, slots=True)
class ActorMention:
    """One mention of an actor; `actor` is None for a generic party mention, resolved later by role."""

    actor: str | None
    party: str | None
    start: int
    end: int
    is_forces: bool
    is_speaker: bool
    is_content: bool


@dataclass(frozen=True, slots=True, eq=False)
class _PartyPatterns:
    patterns: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]


@cache
def party_patterns(dictionary: ActorDictionary) -> _PartyPatterns:
    out = []
    for party, roles in dictionary.parties.items():
        names = "|".join(re.escape(n) for n in sorted(roles.names, key=len, reverse=True))
        demonyms = "|".join(re.escape(d) for d in sorted(roles.demonyms, key=len, reverse=True))
        forces = "|".join(re.escape(f) for f in sorted(roles.force_nouns, key=len, reverse=True))
        generic = re.compile(rf"(?<![\w-])(?:{names}|{demonyms})(?![\w-])".replace("'", "['’]"))
        force = re.compile(rf"(?<![\w-])(?:{demonyms})\s+(?:[a-z]+\s+)?(?:{forces})\b")
        out.append((party, generic, force))
    return _PartyPatterns(tuple(out))


def find_actor_mentions(
    sentence: str, *, spans: Iterable[Span], context: ExtractionContext, attribution: Attribution
) -> list[ActorMention]:
    """Actors named in one sentence (offsets relative to it), marked speaker/content by the attribution."""
    mentions: list[ActorMention] = []
    taken: list[tuple[int, int]] = []
    dictionary = context.actors
    for span in sorted(spans, key=lambda s: s.start - s.end):  # the longest name first
        if span.label != "ACTOR" or _overlaps(span.start, span.end, taken):
            continue
        if _is_dateline(sentence, span.start, span.end) or _is_inside_a_name(sentence, span.start, span.end):
            continue
        if (
            _LOCATIVE_BEFORE.search(sentence[: span.start])
            and not re.match(r"^\s+(?:of|that)\b", sentence[span.end :])
            and any(context.places.lookup(span.text))
        ):
            continue  # 'a strike in Kabul': an alias that is a place name, used as a place
        party = dictionary.party_of.get(span.key)
        is_forces = bool(re.search(r"forces|troops|soldiers|army|military|ispr", span.text, re.I))
        mentions.append(_mention(span.key, party, span.start, span.end, is_forces, attribution))
        taken.append((span.start, span.end))
    for party, generic, force in party_patterns(dictionary).patterns:
        for m in force.finditer(sentence):
            if m.group().endswith("side") and _LOCATIVE_BEFORE.search(sentence[: m.start()]):
                continue  # 'on the Pakistani side': a place
            if not _overlaps(m.start(), m.end(), taken):
                mentions.append(_mention(None, party, m.start(), m.end(), True, attribution))
                taken.append((m.start(), m.end()))
        for m in generic.finditer(sentence):
            if _overlaps(m.start(), m.end(), taken) or _is_dateline(sentence, m.start(), m.end()):
                continue
            if sentence[m.start() - 1 : m.start()] == "[":
                continue  # 'Kabul [Afghanistan]': the country of a place
            after = sentence[m.end() :]
            if _POSSESSIVE_NOT_ACTOR.match(after) or re.match(r"^-\w", after):
                continue  # "Afghanistan's Khost province", 'Pakistan-Afghanistan border'
            if _LOCATIVE_BEFORE.search(sentence[: m.start()]) and not re.match(r"^\s+(?:of|that)\b", after):
                continue  # 'in Kabul', 'across Pakistan': a place, not an actor
            if _PLACE_APPOSITION.search(sentence[: m.start()]) and re.match(r"^\s*(?:[,.;)]|$)", after):
                continue  # 'in Barmal district, Afghanistan,': the country of a place named before
            if re.match(
                r"^\s+(?:[a-z]+\s+)?(?:nationals|families|refugees|residents|border|territory|soil|militants?|insurgents?|"
                r"terrorists?|jihadists?|gunmen|fighters|news|media|journalists?|newspapers?|outlets?|channels?|"
                r"television|broadcasters?|analysts?|experts?|traders?|drivers?|students?|scholars?)\b",
                after,
            ):
                continue
            mentions.append(_mention(None, party, m.start(), m.end(), False, attribution))
            taken.append((m.start(), m.end()))
    return sorted(mentions, key=lambda mention: mention.start)


def resolve_actor(mention: ActorMention, *, is_violence: bool, context: ExtractionContext) -> str | None:
    """The normalized actor of a mention: generic party mentions become its military or government."""
    if mention.actor is not None:
        return mention.actor
    roles = context.actors.party_roles(mention.party)
    if roles is None:
        return None
    return roles.military if (is_violence or mention.is_forces) else roles.government


def _mention(
    actor: str | None, party: str | None, start: int, end: int, is_forces: bool, attribution: Attribution
) -> ActorMention:
    return ActorMention(
        actor=actor,
        party=party,
        start=start,
        end=end,
        is_forces=is_forces,
        is_speaker=attribution.is_speaker(start, end),
        is_content=attribution.is_content(start, end),
    )


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)
