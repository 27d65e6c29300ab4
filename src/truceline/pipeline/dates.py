"""Event dates: explicit and relative date expressions resolved against the publication date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from truceline.pipeline.lexicons import Lexicons, compile_words


class DateStrength(IntEnum):
    """How directly a date was stated; merging keeps the strongest."""

    DEFAULT = 0  # publication date, nothing said
    INHERITED = 1  # carried over from the happening before
    REPORTED = 2  # the day a statement was made ('said on Tuesday')
    RELATIVE = 3  # 'overnight', 'last night', 'yesterday'
    EXPLICIT = 4  # a weekday or a calendar date


@dataclass(frozen=True, slots=True)
class DateMention:
    """A resolved date expression in a sentence (offsets relative to the sentence)."""

    value: date
    precision: int
    start: int
    end: int
    strength: DateStrength
    is_report: bool = False
    is_vague: bool = False


_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told \w+|announced|claim(?:ed|ing) responsibility|"
    r"confirmed|stated|reported|posted|wrote|added|declared|tweeted|"
    r"addressed reporters(?: in \w+)?|(?:on )?social media platform \w+|on x|in a statement|"
    r"in a post(?: on x)?)"
    r"[^.;]{0,30}?$",
    re.IGNORECASE,
)

# 'The group on Friday claimed responsibility', 'officials on Sunday said': the date of the report
_SPEECH_AFTER = re.compile(
    r"^\s*,?\s*(?:said|says|told|announced|claimed responsibility|confirmed|stated|reported|declared)\b",
    re.IGNORECASE,
)

# A dateline opens the report: 'August 1:', 'Kabul [Afghanistan], March 9 (Agency):'.
_DATELINE_BEFORE = re.compile(
    r"\s*(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*\s*(?:\[[^\]]*\]|\([^)]*\))?\s*,\s*)?"
)
_DATELINE_AFTER = re.compile(r"^\s*(?:[:–—]|--|\(\w+\)\s*[:–—-])")


def _month_pattern(lexicons: Lexicons) -> str:
    return "|".join(sorted(lexicons.dates["months"], key=len, reverse=True))


def is_dated_a_day_behind(text: str, *, published: date, lexicons: Lexicons) -> bool:
    """A report that has something happen 'early Monday' (or 'overnight on Monday') while dated Sunday is
    dated a time zone behind the events (a wire story dated in the Americas about the small hours in Asia):
    its weekdays that fall on the day after its date are that next day, not six days back."""
    weekdays: list[str] = lexicons.dates["weekdays"]
    next_day = weekdays[(published.weekday() + 1) % 7]
    return bool(re.search(rf"\b(?:early|overnight)\s+(?:on\s+)?{next_day}\b", text, re.IGNORECASE))


def find_date_mentions(
    sentence: str, *, published: date, lexicons: Lexicons, next_day_weekdays: bool = False
) -> list[DateMention]:
    """Every date expression of one sentence, resolved; night words shift to the day before.

    With `next_day_weekdays`, the weekday after the publication date resolves to that next day (a report
    dated a time zone behind) instead of six days back."""
    months = lexicons.dates["months"]
    weekdays: list[str] = lexicons.dates["weekdays"]
    month_re = _month_pattern(lexicons)
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, value: date | None, precision: int, strength: DateStrength) -> None:
        if value is None or any(s < end and start < e for s, e in taken):
            return
        if sentence.count("(", 0, start) > sentence.count(")", 0, start):
            return  # '(Sunday, 3am, Tokyo time)', '(Dec 6)': asides, not the event's date
        taken.append((start, end))
        is_report = bool(
            _SPEECH_BEFORE.search(sentence[:start]) or _SPEECH_AFTER.match(sentence[end:])
        ) or bool(
            _DATELINE_BEFORE.fullmatch(sentence[:start]) and _DATELINE_AFTER.match(sentence[end:])
        )  # 'August 1: The group claimed ...' is the report's dateline
        is_since = bool(re.search(r"\b(?:since|as of|until|till)\s+$", sentence[:start], re.IGNORECASE))
        found.append(
            DateMention(value, precision, start, end, strength, is_report, precision > 1 or is_since)
        )

    # Calendar dates: 'October 9', 'Oct 19', 'October 11–12', 'between October 9 and 10', '9 October 2025'.
    for m in re.finditer(
        rf"\b(?:(?P<m1>{month_re})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:\s*[–-]\s*\d{{1,2}}|\s+and\s+\d{{1,2}})?"
        rf"(?:,?\s+(?P<y1>20\d\d))?|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{month_re})\.?(?:,?\s+(?P<y2>20\d\d))?)\b",
        sentence,
        re.IGNORECASE,
    ):
        month = months[(m.group("m1") or m.group("m2")).lower()]
        day = int(m.group("d1") or m.group("d2"))
        year_text = m.group("y1") or m.group("y2")
        add(m.start(), m.end(), _calendar(published, month, day, year_text), 1, DateStrength.EXPLICIT)
    # A month alone ('in October') dates only to the month: background, precision 3.
    capitalized = "|".join(name.capitalize() for name in months)
    for m in re.finditer(
        rf"\b(?i:in|since|during|early|late|mid|the|last)[- ](?P<m>{capitalized})\b(?!\.?\s+\d)", sentence
    ):
        month = months[m.group("m").lower()]
        add(m.start(), m.end(), _calendar(published, month, 1, None), 3, DateStrength.EXPLICIT)
    # Weekdays: 'on Saturday', 'late Sunday', 'Thursday night', "Saturday's", 'late on Friday'.
    weekday_re = "|".join(weekdays)
    for m in re.finditer(
        rf"\b(?:(?:late|early)\s+(?:on\s+)?|(?:on|last|this|overnight on|overnight)\s+)?"
        rf"(?P<w>{weekday_re})(?:['’]s)?"
        rf"(?:\s+(?:night|morning|evening|afternoon))?\b",
        sentence,
        re.IGNORECASE,
    ):
        if re.search(r"\b(?:by|until|till|next)\s+$", sentence[: m.start()], re.IGNORECASE):
            continue  # 'to allow crossings by Friday', 'next Monday': a deadline ahead, not a day past
        target = weekdays.index(m.group("w").lower())
        back = (published.weekday() - target) % 7
        if back == 6 and next_day_weekdays and not m.group().lower().startswith("last"):
            # 'on Monday' in a report dated Sunday: the report's date is a time zone behind (a US-dated
            # wire story), not a week-old event, which reporting would call 'last Monday'.
            back = -1
        add(m.start(), m.end(), published - timedelta(days=back), 1, DateStrength.EXPLICIT)
    # 'two days ago', 'last week', 'a week ago'.
    numbers: dict[str, int] = lexicons.dates["number_words"]
    for m in re.finditer(r"\b(?P<n>\d+|[a-z]+)\s+(?P<u>days?|weeks?)\s+ago\b", sentence, re.IGNORECASE):
        n = int(m.group("n")) if m.group("n").isdigit() else numbers.get(m.group("n").lower())
        if n is not None:
            days = n * (7 if m.group("u").lower().startswith("week") else 1)
            add(
                m.start(),
                m.end(),
                published - timedelta(days=days),
                1 if days < 7 else 2,
                DateStrength.RELATIVE,
            )
    # 'the 7th of this month', '23rd of last month': a day of a month named by its distance from publication.
    for m in re.finditer(
        r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)\s+of\s+"
        r"(?P<which>this|last|the current|the previous)\s+month\b",
        sentence,
        re.IGNORECASE,
    ):
        back = 1 if m.group("which").lower() in {"last", "the previous"} else 0
        add(m.start(), m.end(), _day_of_month(published, int(m.group("d")), back), 1, DateStrength.EXPLICIT)
    # 'a week earlier', 'two days before': back from the publication date (the sentence's own anchor is
    # usually that day too); a week is week precision.
    for m in re.finditer(
        r"\b(?P<n>\d+|[a-z]+)\s+(?P<u>days?|weeks?)\s+(?:earlier|before)\b(?!\s+(?:the|a|an|his|her|its|their)\b)",
        sentence,
        re.IGNORECASE,
    ):
        word = m.group("n").lower()
        n = int(word) if word.isdigit() else numbers.get(word)
        if n is not None:
            days = n * (7 if m.group("u").lower().startswith("week") else 1)
            add(
                m.start(),
                m.end(),
                published - timedelta(days=days),
                1 if days < 7 else 2,
                DateStrength.RELATIVE,
            )
    for m in re.finditer(r"\blast week\b|\bearlier this week\b", sentence, re.IGNORECASE):
        add(m.start(), m.end(), published - timedelta(days=7), 2, DateStrength.RELATIVE)
    # Night words and 'yesterday': the day before the anchor (the sentence's reporting date, else published).
    anchor = _report_anchor(found, published)
    for m in compile_words(lexicons.dates["day_before_anchor"]).finditer(sentence):
        add(m.start(), m.end(), anchor - timedelta(days=1), 1, DateStrength.RELATIVE)
    for m in compile_words(lexicons.dates["same_day_as_anchor"]).finditer(sentence):
        add(m.start(), m.end(), anchor, 1, DateStrength.RELATIVE)
    return sorted(found, key=lambda mention: mention.start)


def _report_anchor(found: list[DateMention], published: date) -> date:
    reports = [mention.value for mention in found if mention.is_report]
    return reports[0] if reports else published


def _day_of_month(published: date, day: int, months_back: int) -> date | None:
    year, month = published.year, published.month - months_back
    if month < 1:
        year, month = year - 1, month + 12
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if value <= published + timedelta(days=1) else None


def _calendar(published: date, month: int, day: int, year_text: str | None) -> date | None:
    year = int(year_text) if year_text else published.year
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    if not year_text and value > published + timedelta(days=31):
        # 'December 30' in a January report means last year's.
        value = value.replace(year=year - 1)
    return value
