"""When a happening happened, and whether it did: a happening dated from another ('two days after'), a
closure counted back from its day count, conditions, irrealis and negation, and the date nearest a trigger."""

from __future__ import annotations

import re
from datetime import date, timedelta

from truceline.pipeline.dates import DateMention, DateStrength
from truceline.pipeline.lexicons import Lexicons, TriggerRule

EARLIER_BY = re.compile(
    r"\b(?P<n>\d+|an?|one|two|three|four|five|six|seven|several|a few)\s+(?P<u>days?|weeks?)\s+after\b|"
    r"\b(?:a|one)\s+(?P<u1>day|week)\s+after\b|\b(?:hours|shortly|soon|just)\s+after\b",
    re.IGNORECASE,
)
_COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "several": 3,
    "a few": 3,
}


def earlier_happening(
    text: str, violence: tuple[TriggerRule, int], lexicons: Lexicons
) -> tuple[TriggerRule, int, int, int] | None:
    """A second, earlier happening the sentence dates against the first ('... three days after gunmen raided a
    post'): its rule, start, where its clause starts, and how many days before the first."""
    for m in EARLIER_BY.finditer(text):
        if m.start() < violence[1]:
            continue
        unit = (m.group("u") or m.group("u1") or "day").lower()
        count = m.group("n")
        n = int(count) if count and count.isdigit() else _COUNTS.get((count or "a").lower(), 0)
        offset = n * (7 if unit.startswith("week") else 1)
        clause = text[m.end() : m.end() + 90]
        for rule in lexicons.violence_triggers:
            if rule.is_generic:
                continue
            found = rule.pattern.search(clause)
            if found is not None:
                return rule, m.end() + found.start(), m.end(), offset
    return None


_ORDINALS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
_NTH_DAY_CLOSED = re.compile(
    r"\b(?:closed|shut|sealed|suspended|remained closed|remains closed)\b[^.;]{0,40}?\bfor (?:the|a) "
    r"(?P<n>\d{1,2}(?:st|nd|rd|th)|"
    + "|".join(_ORDINALS)
    + r")\s+(?:consecutive|straight|successive)\s+days?\b",
    re.IGNORECASE,
)


def closure_start(text: str, dates: list[DateMention], published: date) -> list[DateMention]:
    """'shut for the third straight day on Monday': shut two days before Monday."""
    m = _NTH_DAY_CLOSED.search(text)
    if m is None:
        return dates
    raw = m.group("n").lower()
    n = _ORDINALS.get(raw) or int(re.sub(r"\D", "", raw))
    anchor = date_for(dates, m.start())
    day = (anchor.value if anchor is not None else published) - timedelta(days=n - 1)
    return [DateMention(day, 1, m.start(), m.end(), DateStrength.RELATIVE)]


# 'unless the group ends its raids', 'if fighting resumes': a condition, not a report.
_CONDITIONAL = re.compile(r"\b(?:if|unless|until|lest|in case)\b[^,.;:]{0,60}$", re.IGNORECASE)
_PREPOSITIONAL_TO = re.compile(
    r"\b(?:due|owing|according|prior|response|reaction|related|thanks|linked|close|next|subjected|exposed)\s+to\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_PERFECT_INFINITIVE = re.compile(r"\bto\s+have\s+(?:been\s+)?(?:\w+\s+)?$", re.IGNORECASE)


# 'has not reopened', 'did not attack', 'were never shelled', 'no longer fire': negated, nothing happened.
_NEGATED = re.compile(
    r"\b(?:not|never|no longer|\w+n['’]t)\s+(?:\w+ly\s+)?(?:yet\s+)?(?:(?:been|be|being)\s+)?$", re.IGNORECASE
)


def is_irrealis(text: str, start: int, lexicons: Lexicons) -> bool:
    """'will strike', 'threat of clashes', 'has not reopened': not a happening. 'said to have exchanged fire'
    is one (past)."""
    before = text[max(0, start - 40) : start]
    if _CONDITIONAL.search(text[max(0, start - 70) : start]) or _NEGATED.search(before):
        return True
    if _PREPOSITIONAL_TO.search(before):
        return False  # 'died due to airstrikes', 'in response to the shelling': 'to' is a preposition here
    return bool(lexicons.irrealis.search(before)) and not _PERFECT_INFINITIVE.search(before)


def date_for(dates: list[DateMention], trigger_start: int) -> DateMention | None:
    """The date of a trigger: the strongest day-level mention, the nearest one on ties."""
    usable = [d for d in dates if not d.is_vague]
    if not usable:
        return None
    events = [d for d in usable if not d.is_report]
    return min(events or usable, key=lambda d: abs(d.start - trigger_start))
