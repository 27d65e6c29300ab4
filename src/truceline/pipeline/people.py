"""People: a named person introduced with an affiliation speaks for it everywhere in the article.

Reports introduce a speaker once ('Pakistan's ambassador to the UN, Jane Doe', 'John Roe, the Taliban's
spokesman') and then name them alone ('Doe alleged that ...'). The introduction ties the name to an actor;
every later mention of the full name or the surname becomes an actor span of that actor, so attribution
treats the person as the party they speak for. Actors come from the scenario's dictionary only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from truceline.pipeline.actors import party_patterns
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.nlp import Span

_ROLE = (
    r"(?i:spokes(?:man|woman|person)|minister|ambassador|envoy|representative|diplomat|governor|commander|"
    r"general|chief|director|head|secretary|adviser|advisor|official|president|premier|leader|deputy|"
    r"commissioner|consul|chargé d'affaires|senator|lawmaker|mayor|officer|colonel|major|brigadier)"
)
_MILITARY_ROLE = re.compile(
    r"\b(?:military|army|armed forces|forces|defen[cs]e|ispr|commander|general|colonel|major|brigadier|"
    r"officer|troops)\b",
    re.IGNORECASE,
)
_WORD = r"[A-Z][a-z]+(?:['’-][A-Za-z][a-z]+)*"
_NAME = rf"{_WORD}(?:\s+{_WORD}){{1,3}}"
# 'Pakistan's Permanent Representative to the United Nations, Jane Doe'; 'Taliban spokesman John Roe'
_ROLE_THEN_NAME = re.compile(
    rf"\b{_ROLE}s?\b(?:\s+(?:to|of|for|at)\s+(?:the\s+)?[\w'’-]+(?:\s+[\w'’-]+){{0,4}}?,|,?)\s+"
    rf"(?P<name>{_NAME})"
)
# 'John Roe, the Taliban's spokesman'; 'Jane Doe, a senior Pakistani official'
_NAME_THEN_ROLE = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:the\s+|a\s+|an\s+)?(?P<between>[^,.;:()\"“”]{{0,60}}?)\b{_ROLE}\b"
)
_NOT_NAME_WORD = re.compile(
    rf"^(?:{_ROLE}s?|the|a|an|and|of|to|for|on|in|at|said|says|told|mr|mrs|ms|dr|foreign|interior|defen[cs]e|"
    r"information|prime|deputy|permanent|senior|federal|provincial|acting|interim|state|national|security|"
    r"affairs|ministry|office|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.IGNORECASE,
)


def find_people_spans(text: str, *, spans: Iterable[Span], context: ExtractionContext) -> list[Span]:
    """Actor spans for every mention of a person the article introduces with an affiliation."""
    taken = list(spans)
    people: dict[str, str] = {}  # name -> actor
    for name, start, window in _introductions(text):
        words = name.split()
        while words and _NOT_NAME_WORD.match(words[0]):
            words = words[1:]
        if len(words) < 2 or name.lower() in context.actors.aliases:
            continue
        if any(s.start <= start + name.index(words[0]) < s.end for s in taken):
            continue  # the 'name' is an actor or a place the dictionary knows
        actor = _affiliation(text, window, taken, context)
        if actor is not None:
            people.setdefault(" ".join(words), actor)
    if not people:
        return []
    surnames: dict[str, set[str]] = {}
    for name, actor in people.items():
        surnames.setdefault(name.split()[-1], set()).add(actor)
    found: list[Span] = []
    for name, actor in people.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
            found.append(Span(m.start(), m.end(), m.group(), "ACTOR", actor))
    for surname, actors in surnames.items():
        if len(actors) != 1:
            continue  # two people of different sides share the surname: ambiguous
        (actor,) = actors
        for m in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            if re.search(rf"{_WORD}\s+$", text[max(0, m.start() - 30) : m.start()]):
                continue  # part of a longer name ('Imran Khan' is not 'Khan' the envoy)
            found.append(Span(m.start(), m.end(), m.group(), "ACTOR", actor))
    return [s for s in found if not any(s.start < t.end and t.start < s.end for t in taken)]


def _introductions(text: str) -> list[tuple[str, int, tuple[int, int]]]:
    """(name, start, affiliation window) for each person introduced with a role."""
    out = []
    for m in _ROLE_THEN_NAME.finditer(text):
        clause_start = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start()), -1) + 1
        out.append((m.group("name"), m.start("name"), (max(clause_start, m.start() - 80), m.start("name"))))
    for m in _NAME_THEN_ROLE.finditer(text):
        stop = re.search(r"[,.;:()\"“”]", text[m.end() : m.end() + 80])
        end = m.end() + (stop.start() if stop else 0)
        out.append((m.group("name"), m.start("name"), (m.end("name"), end)))
    return out


def _affiliation(
    text: str, window: tuple[int, int], spans: list[Span], context: ExtractionContext
) -> str | None:
    """The first actor a role phrase names ('Pakistan's military spokesperson' -> Pakistan's military)."""
    start, end = window
    phrase = text[start:end]
    is_military = bool(_MILITARY_ROLE.search(phrase))
    named = [(s.start, s.key) for s in spans if s.label == "ACTOR" and start <= s.start and s.end <= end]
    for party, generic, _ in party_patterns(context.actors).patterns:
        roles = context.actors.party_roles(party)
        if roles is not None:
            # "Pakistan's ambassador", 'the Afghan province's governor': possessives affiliate here
            named.extend(
                (start + m.start(), roles.military if is_military else roles.government)
                for m in generic.finditer(phrase)
            )
    return min(named)[1] if named else None
