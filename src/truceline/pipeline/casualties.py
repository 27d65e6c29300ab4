"""Casualty figures: killed vs injured, victim groups, ACLED vague amounts, best/low/high."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from truceline.pipeline.claims import Fatalities
from truceline.pipeline.lexicons import Lexicons, compile_words


@dataclass(frozen=True, slots=True)
class CasualtyMention:
    """One figure: `count` people of `group` killed (or injured); `is_open` for 'at least'/'more than'."""

    count: int
    group: str
    is_killed: bool
    is_open: bool
    is_vague: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Patterns:
    figure: re.Pattern[str]
    killed: re.Pattern[str]
    injured: re.Pattern[str]
    none: re.Pattern[str]
    verb_before: re.Pattern[str]
    governs_after: re.Pattern[str]
    groups: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def _patterns(lexicons: Lexicons) -> _Patterns:
    rules = lexicons.casualties
    words = sorted([*rules["number_words"], *rules["vague_amounts"]], key=len, reverse=True)
    number = rf"(?:\d[\d,]*|{'|'.join(re.escape(w) for w in words)})"
    qualifier = rf"(?:(?P<q>{rules['lower_bound']})\s+)?"
    group_words = "|".join(rules["groups"].values())
    # 'at least 23 Pakistani soldiers', 'nine children', 'dozens', 'three soldiers and two civilians'
    figure = re.compile(
        rf"(?<![\w.,]){qualifier}(?P<n>{number})(?P<others>\s+(?:other|more|others|of\s+them))?"
        rf"(?P<tail>(?:\s+[\w'’-]+){{0,4}}?\s+(?:{group_words})\b|\s+others\b)?",
        re.IGNORECASE,
    )
    return _Patterns(
        figure=figure,
        killed=compile_words(rules["killed"]),
        injured=compile_words(rules["injured"]),
        none=compile_words(rules["none"]),
        verb_before=re.compile(rf"\b(?:{rules['killed']}|{rules['injured']})\s+$", re.IGNORECASE),
        governs_after=re.compile(
            rf"\s+(?:[\w'’-]+\s+){{0,2}}?(?:(?:was|were|is|are|has|have|had|been|also|later|reportedly)\s+)+"
            rf"(?:{rules['killed']}|{rules['injured']})\b",
            re.IGNORECASE,
        ),
        groups=tuple((name, compile_words(pattern)) for name, pattern in rules["groups"].items()),
    )


_INCLUDING_CIVILIANS = re.compile(
    r"^[^.;]{0,25}?\b(?:including|among them|most of them|mostly)\s+"
    r"(?:\w+\s+){0,2}?(?:women|children|civilians)\b",
    re.IGNORECASE,
)


_SUBSET_BEFORE = re.compile(
    r"\b(?:including|among them|among whom|of whom|of them)\s+(?:at least\s+)?$", re.I
)


def find_casualties(sentence: str, *, lexicons: Lexicons) -> list[CasualtyMention]:
    """Figures in one sentence, each tied to the nearest killed/injured word after (or before) it."""
    patterns = _patterns(lexicons)
    rules = lexicons.casualties
    numbers: dict[str, int] = rules["number_words"]
    vague: dict[str, int] = rules["vague_amounts"]
    open_high = compile_words(rules["open_high"])
    civilian_groups = set(rules["civilian_groups"])
    killed = [m.start() for m in patterns.killed.finditer(sentence)]
    injured = [m.start() for m in patterns.injured.finditer(sentence)]
    if not killed and not injured:
        return []
    if (
        killed
        and injured
        and re.search(r"killed and (?:wounded|injured) (?:\w+ )?(?:dozens|scores|hundreds)", sentence)
    ):
        return []  # 'killed and wounded dozens': no split between dead and hurt
    mentions: list[CasualtyMention] = []
    masked = re.sub(r"\([^)]*\)|\[[^\]]*\]", lambda m: " " * len(m.group()), sentence)
    pos = 0
    while (m := patterns.figure.search(masked, pos)) is not None:
        # A figure that is no toll may span one that is ('a convoy near the post killed four guards'):
        # the search goes on right after its number, and after the whole figure only when it counts.
        pos = m.end("n")
        raw = m.group("n").lower()
        tail = (m.group("tail") or "").lower()
        if raw in {"a", "an", "one", "some", "both", "several", "a few"} and not tail:
            continue
        if raw in {"a", "an", "one"} and not _is_single_victim(masked, m.start(), m.end(), patterns):
            continue  # 'a suicide bomber struck a police post': an article, not a count of victims
        if re.search(
            r"\b(?:minutes?|hours?|days?|weeks?|months?|km|kilometres?|kilometers?|years?|gmt|pm|am|million|"
            r"percent)\b",
            tail,
        ):
            continue  # 'two days after militants killed ...': a span of time, not a toll
        if re.match(r"\d", raw):
            count = int(raw.replace(",", ""))
            if count >= 1900 and not tail:
                continue  # a year
        else:
            count = numbers.get(raw, vague.get(raw, 0))
        if count <= 0 or _is_time_or_date(masked, m.start(), m.end()):
            continue
        if mentions and _SUBSET_BEFORE.search(masked[: m.start()]):
            continue  # '38 people, including six women': part of the figure before, not more dead
        if tail.strip() == "others" or (m.group("others") and not tail):
            group = "others"
        elif tail:
            group = _group_of(tail, patterns)
        elif raw in vague or patterns.verb_before.search(masked[: m.start()]):
            group = "unspecified"  # 'dozens', or 'injuring 29'
        else:
            continue
        is_killed = _closest_is_killed(masked, m.start(), m.end(), killed, injured)
        if is_killed is None:
            continue
        if group not in civilian_groups and _INCLUDING_CIVILIANS.match(masked[m.end() : m.end() + 60]):
            group = "civilian"  # '15 dead, among them women': a civilian toll
        qualifier = (m.group("q") or "").lower()
        mentions.append(
            CasualtyMention(
                count=count,
                group=group,
                is_killed=is_killed,
                is_open=bool(qualifier and open_high.fullmatch(qualifier)) or raw in vague,
                is_vague=raw in vague,
                start=m.start(),
                end=m.end(),
            )
        )
        pos = m.end()
    if not mentions:
        single = re.search(r"\bwas (?:killed|martyred|shot dead|gunned down)\b", masked)
        if single:
            mentions.append(
                CasualtyMention(1, "unspecified", True, False, False, single.start(), single.end())
            )
    return mentions


def says_no_casualties(sentence: str, *, lexicons: Lexicons) -> bool:
    return bool(_patterns(lexicons).none.search(sentence))


def summarize_fatalities(
    by_sentence: list[list[CasualtyMention]], *, none_reported: bool, lexicons: Lexicons
) -> Fatalities:
    """Figures of one sentence add up per victim group; across sentences a group keeps its larger figure
    (the same dead counted again); groups add up. Injuries only, or 'no casualties', give 0."""
    per_group = _per_group(by_sentence, is_killed=True)
    if not per_group:
        if none_reported or any(by_sentence):
            return Fatalities(best=0, low=0, high=None, civilians=0)
        return Fatalities()
    best = sum(per_group.values())
    civilian_groups = set(lexicons.casualties["civilian_groups"])
    civilians = sum(n for group, n in per_group.items() if group in civilian_groups)
    return Fatalities(best=best, low=best, high=None, civilians=civilians or None)


def summarize_injuries(by_sentence: list[list[CasualtyMention]]) -> int | None:
    per_group = _per_group(by_sentence, is_killed=False)
    return sum(per_group.values()) if per_group else None


def _per_group(by_sentence: list[list[CasualtyMention]], *, is_killed: bool) -> dict[str, int]:
    per_group: dict[str, int] = {}
    for mentions in by_sentence:
        sentence_sum: dict[str, int] = {}
        for mention in mentions:
            if mention.is_killed == is_killed:
                sentence_sum[mention.group] = sentence_sum.get(mention.group, 0) + mention.count
        for group, count in sentence_sum.items():
            per_group[group] = max(per_group.get(group, 0), count)
    return per_group


def _is_single_victim(text: str, start: int, end: int, patterns: _Patterns) -> bool:
    """'killing a soldier', 'the death of one soldier', 'a woman civilian was killed': the casualty word
    governs the figure directly."""
    before = re.sub(r"\s+of\s+(?:the\s+)?$", " ", text[:start])
    return bool(patterns.verb_before.search(before) or patterns.governs_after.match(text[end:]))


def _group_of(tail: str, patterns: _Patterns) -> str:
    for name, pattern in patterns.groups:
        if pattern.search(tail):
            return name
    return "unspecified"


def _closest_is_killed(text: str, start: int, end: int, killed: list[int], injured: list[int]) -> bool | None:
    """The casualty word that governs a figure: the nearest one, preferring words after the figure."""

    def distance(position: int) -> int | None:
        if position >= end:
            if re.fullmatch(r"\s*,?\s*and\s*", text[end:position]):
                return None  # 'killing 23 troops and injuring 29': 'injuring' has its own figure
            return position - end if position - end <= 80 else None
        # 'killing 23 troops', 'the deaths of 13 soldiers': a casualty word just before the figure governs it.
        between = text[position:start]
        if re.search(r"\band\b|,", between):
            return None  # 'two died ... killed and nine hurt': a word before 'and' ends the clause before
        return 0 if start - position <= 12 or re.fullmatch(r"\w+\s+of\s+", between) else None

    best_killed = min((d for d in map(distance, killed) if d is not None), default=None)
    best_injured = min((d for d in map(distance, injured) if d is not None), default=None)
    if best_killed is None and best_injured is None:
        return None
    if best_injured is None:
        return True
    if best_killed is None:
        return False
    return best_killed <= best_injured


def _is_time_or_date(text: str, start: int, end: int) -> bool:
    after = text[end : end + 12].lower()
    before = text[max(0, start - 12) : start].lower()
    return bool(re.match(r"\s*(?:[:.]\d|pm|am|p\.m|a\.m|o['’]clock|gmt|hours|-hour)", after)) or bool(
        re.search(
            r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
            r"sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s*$",
            before,
        )
    )
