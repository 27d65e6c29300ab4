"""Sentence-level detection: which happenings a sentence reports, with its dates, places, actors, figures."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from truceline.pipeline.actors import ActorMention, find_actor_mentions
from truceline.pipeline.attribution import Attribution, find_attribution
from truceline.pipeline.casualties import CasualtyMention, find_casualties, says_no_casualties
from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.dates import DateMention, DateStrength, find_date_mentions
from truceline.pipeline.geocode import PlaceMention, find_place_mentions, is_within
from truceline.pipeline.lexicons import Lexicons, TriggerRule
from truceline.pipeline.nlp import Span
from truceline.pipeline.sentences import Sentence
from truceline.pipeline.speakers import (
    ALLEGATIONS,
    anaphoric_speaker_zone,
    officials_of_a_place,
    unnamed_subject_zone,
)
from truceline.pipeline.timing import EARLIER_BY, closure_start, date_for, earlier_happening, is_irrealis
from truceline.pipeline.tuning import DEFAULT_TUNING, Tuning

VIOLENCE = "violence"
PROCESS = "process"
STATEMENTS = {"accusation", "denial", "threat_or_warning", "ceasefire_violation_alleged"}
# When several violence triggers share a sentence, the most specific kind names the happening.
SUB_PRIORITY = [
    "Suicide bomb",
    "Remote explosive/landmine/IED",
    "Air/drone strike",
    "Shelling/artillery/missile attack",
    "Armed clash",
    "Abduction/forced disappearance",
    "Peaceful protest",
]
_PERFECT = re.compile(r"\b(?:has|have)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
# 'Khost and Paktika provinces', 'in Kunar, Nangarhar and Khost': coordinated places, one happening each.
_COORDINATION = re.compile(r"^\s*(?:,|and|,\s*and|&)\s+(?:the\s+)?(?:\w+ern\s+)?$", re.IGNORECASE)
_STATEMENT_OBJECT = re.compile(
    r"\b(?:over|about|against|condemn(?:ed|ing|s)?|denounc(?:ed|ing|es))\s+(?:the|these|those|its|their|this|that|"
    r"recent|latest)\s+(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)
_WHERE_BEFORE = re.compile(r"\b(?:in|at|near|inside|outside)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_COORDINATED_SPLIT = re.compile(r"\b(?:spanning|between)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Detection:
    """One happening as one sentence reports it (offsets relative to the sentence)."""

    sentence: Sentence
    family: str
    event_type: str
    sub_event_type: str
    process_type: str | None
    trigger_start: int
    date: DateMention | None
    places: tuple[PlaceMention, ...]
    actors: tuple[ActorMention, ...]
    casualties: tuple[CasualtyMention, ...]
    attribution: Attribution
    is_none_reported: bool
    is_anaphor: bool
    is_distinct: bool
    is_sequel: bool
    is_perfect: bool


def detect_happenings(
    sentence: Sentence,
    *,
    spans: list[Span],
    published: date,
    context: ExtractionContext,
    lexicons: Lexicons,
    country_hints: tuple[str, ...],
    tuning: Tuning = DEFAULT_TUNING,
    speaker: ActorMention | None = None,
    document_admins: frozenset[str] = frozenset(),
) -> list[Detection]:
    """Every happening one sentence reports; background mentions and hypotheticals are left out."""
    text = sentence.text
    local = [Span(s.start - sentence.start, s.end - sentence.start, s.text, s.label, s.key) for s in spans]
    attribution = find_attribution(text, lexicons=lexicons)
    violence = _violence_triggers(text, lexicons)
    connective = EARLIER_BY.search(text)
    if violence and connective:
        before = _violence_triggers(text[: connective.start()], lexicons)
        violence = before or violence  # the later happening is the one before 'two days after'
    process = _process_triggers(text, lexicons, attribution)
    if lexicons.reciprocal.search(text):
        process = []  # 'each side blamed the other for the impasse in the talks': a summary, not news
    process = [p for p in process if not _is_consequence_subject(text, p[1])]
    if violence and _is_consequence_subject(text, violence[1]):
        violence = None  # 'The closure has caused shortages': a known happening's effects, not a new one
    if lexicons.commemoration.search(text):
        violence = None  # funerals and tributes look back at a happening reported elsewhere
    if not violence and not process:
        return []
    dates = find_date_mentions(
        text, published=published, lexicons=lexicons, next_day_weekdays=tuning.next_day_weekdays
    )
    if any(d.is_vague for d in dates) and not any(not d.is_vague for d in dates):
        return []  # 'clashes in October': a month only, background
    is_background = _has_background(text, lexicons, published) and not lexicons.not_background.search(text)
    if is_background and not any(d.strength >= DateStrength.RELATIVE and not d.is_report for d in dates):
        # A time marker ('recent', 'since 2021', 'initially') dates the happenings of its own clause to the
        # past; another clause of the sentence may still report news ('..., but the group now denies it').
        reach = tuning.background_reach
        if violence and _in_background_clause(text, violence[1], lexicons, reach, published):
            violence = None
        process = [
            p
            for p in process
            if not _in_background_clause(
                text, p[1], lexicons, reach, published, before_only=p[0].process_type in STATEMENTS
            )
        ]
        if not violence and not process:
            return []
    places = find_place_mentions(
        text, spans=local, context=context, country_hints=country_hints, document_admins=document_admins
    )
    actors = find_actor_mentions(text, spans=local, context=context, attribution=attribution)
    if not any(a.is_speaker for a in actors):
        officials = officials_of_a_place(text, attribution, places, context)
        if officials is not None:
            actors = sorted([*actors, officials], key=lambda a: a.start)
    if not any(a.is_speaker for a in actors):
        zone = anaphoric_speaker_zone(text, attribution) or unnamed_subject_zone(text, process, actors)
        stand_in = speaker
        if stand_in is None and zone is not None and country_hints and not attribution.has_speaker:
            # 'Officials condemned the attack' with no one named before: the reporting country's officials
            stand_in = ActorMention(None, country_hints[0], 0, 0, False, True, False)
        if zone is not None and stand_in is not None:
            actors = sorted(
                [*actors, replace(stand_in, start=zone[0], end=zone[1], is_speaker=True)],
                key=lambda a: a.start,
            )
    casualties = find_casualties(text, lexicons=lexicons)
    none_reported = says_no_casualties(text, lexicons=lexicons)
    dates = [d for d in dates if (published - d.value).days <= tuning.max_age_days or d.is_report]
    if not dates and any(
        not d.is_vague
        for d in find_date_mentions(
            text, published=published, lexicons=lexicons, next_day_weekdays=tuning.next_day_weekdays
        )
    ):
        return []  # dated weeks before the report: background
    places = [p for p in places if not attribution.is_speaker(p.start, p.end)]
    triggers = ([violence[1]] if violence else []) + [start for _, start in process]
    dates_of = {t: [d for d in dates if _nearest(d.start, triggers) == t] for t in triggers}
    if violence:
        # 'accused X of firing from the 7th': a day in what is alleged dates the happening, not the
        # allegation, which is dated by its report.
        for _, start in (p for p in process if p[0].process_type in ALLEGATIONS):
            moved = [d for d in dates_of[start] if not d.is_report]
            dates_of[start] = [d for d in dates_of[start] if d.is_report]
            dates_of[violence[1]] = sorted([*dates_of[violence[1]], *moved], key=lambda d: d.start)
    for rule, start in process:
        if rule.process_type == "border_closed":
            dates_of[start] = closure_start(text, dates_of[start], published)
    detections: list[Detection] = []
    cause = earlier_happening(text, violence, lexicons) if violence else None
    if cause is not None and violence is not None:
        # 'The raid came three days after a bombing that killed five': two happenings; the
        # figures after the connective belong to the earlier one, which is dated from the later.
        cause_rule, cause_start, cut, offset = cause
        main_date = date_for(dates_of[violence[1]], violence[1])
        anchor = main_date.value if main_date is not None else published
        cause_date = DateMention(
            anchor - timedelta(days=offset), 1, cause_start, cause_start + 1, DateStrength.RELATIVE
        )
        detections.extend(
            _with_places(
                sentence,
                VIOLENCE,
                cause_rule,
                cause_start,
                [cause_date],
                [p for p in places if p.start >= cut],
                [a for a in actors if a.start >= cut or a.is_speaker],
                [c for c in casualties if c.start >= cut],
                attribution,
                False,
                lexicons,
            )
        )
        casualties = [c for c in casualties if c.start < cut]
        places = [p for p in places if p.start < cut] or places
    if violence:
        rule, start = violence
        if _is_background_violence(text, start, dates, casualties, process, attribution, lexicons):
            pass
        elif not rule.is_generic or any(c.is_killed for c in casualties) or lexicons.anaphora.search(text):
            if rule.is_generic and _is_one_sided_on_civilians(text, start, casualties, lexicons):
                rule = replace(rule, event_type="Violence against civilians", sub_event_type="Attack")
            detections.extend(
                _with_places(
                    sentence,
                    VIOLENCE,
                    rule,
                    start,
                    dates_of[start],
                    places,
                    actors,
                    casualties,
                    attribution,
                    none_reported,
                    lexicons,
                )
            )
    for rule, start in process:
        detections.extend(
            _with_places(
                sentence,
                PROCESS,
                rule,
                start,
                dates_of[start],
                places,
                actors,
                (),
                attribution,
                False,
                lexicons,
            )
        )
    return detections


_CLAUSE_BOUNDARY = re.compile(
    r"(?:[;:]|,\s*(?:but|while|though|although|whereas|and|as)\b|\b(?:but|while|whereas)\b)", re.IGNORECASE
)


def _has_background(text: str, lexicons: Lexicons, published: date) -> bool:
    """A background marker other than the publication's own year ('March 13, 2025' in a 2025 report)."""
    return any(m.group() != str(published.year) for m in lexicons.background.finditer(text))


# 'blamed for similar previous assaults', 'accuses it of years of attacks': a standing grievance, not news
_HABITUAL = re.compile(r"\b(?:similar|previous|past|repeated(?:ly)?|years|decades|long)\b", re.I)


def _in_background_clause(
    text: str,
    start: int,
    lexicons: Lexicons,
    reach: int | None,
    published: date,
    *,
    before_only: bool = False,
) -> bool:
    """Whether a background marker sits in the clause of the trigger at `start`. For a statement only
    the words before it count: 'protested over the recent strikes' is news about the past."""
    left = text[:start]
    cut = max((m.end() for m in _CLAUSE_BOUNDARY.finditer(left)), default=0)
    right = text[start:]
    stop = _CLAUSE_BOUNDARY.search(right)
    end = stop.start() if stop else len(right)
    if before_only and not _HABITUAL.search(right[:end]):
        end = 0
    if reach is not None:  # a marker modifies what is near it ('the recent strikes')
        cut, end = max(cut, start - reach), min(end, reach)
    clause = text[cut : start + end]
    return _has_background(clause, lexicons, published)


_DEFINITE_OPENING = re.compile(r"^\W*(?:the|this|that|these|those|its|their)\s+(?:[\w-]+\s+){0,2}$", re.I)
_CONSEQUENCE_AFTER = re.compile(
    r"^[\w-]*\s+(?:of\s+[^,.;]{0,40}?\s+)?(?:has\s+|have\s+|had\s+)?(?:also\s+)?"
    r"(?:caused|led to|resulted in|prompted|sparked|triggered|forced|disrupted|left|hit|hurt|affected|"
    r"stranded|raised|pushed|created|worsened|deepened|strained|cost)\b",
    re.IGNORECASE,
)


def _is_consequence_subject(text: str, start: int) -> bool:
    """'The suspension of trade has caused shortages': a definite mention opening the sentence as the subject
    of its consequences refers to a happening already known; it reports no new one."""
    return bool(_DEFINITE_OPENING.match(text[:start]) and _CONSEQUENCE_AFTER.match(text[start:]))


def _is_background_violence(
    text: str,
    start: int,
    dates: list[DateMention],
    casualties: list[CasualtyMention],
    process: list[tuple[TriggerRule, int]],
    attribution: Attribution,
    lexicons: Lexicons,
) -> bool:
    """'following weeks of clashes' (a cause, not news) or 'accused X of strikes' with no date or figure."""
    has_date_after = any(d.start > start for d in dates)
    if lexicons.cause_reference.search(text[max(0, start - 60) : start]) and not has_date_after:
        return True
    is_statement = any(rule.process_type in STATEMENTS for rule, _ in process)
    if is_statement and not casualties and _STATEMENT_OBJECT.search(text[max(0, start - 40) : start]):
        return True  # 'protested over the strikes', 'condemned the attack': the object of a statement
    is_accused = any(rule.process_type == "accusation" for rule, _ in process)
    return is_accused and attribution.is_content(start, start + 1) and not dates and not casualties


_ARMED_SIDE = re.compile(
    r"\b(?:forces|soldiers?|troops|police\w*|army|military|security|personnel|guards?|posts?|checkpoints?|"
    r"militants?|fighters?|terrorists?|clash\w*|fire)\b",
    re.IGNORECASE,
)


def _is_one_sided_on_civilians(
    text: str, start: int, casualties: list[CasualtyMention], lexicons: Lexicons
) -> bool:
    """'Gunmen attacked passenger vans, killing 12 people, including women': an attack (no more specific
    trigger) on civilians, with no armed side hit or named, is violence against civilians (ACLED), not a
    battle."""
    if _ARMED_SIDE.search(text) or any(c.group in {"security", "militant"} for c in casualties):
        return False
    civilian_toll = any(c.group == "civilian" for c in casualties)
    return civilian_toll or bool(lexicons.civilian_targets.search(text[start : start + 50]))


def _violence_triggers(text: str, lexicons: Lexicons) -> tuple[TriggerRule, int] | None:
    found: list[tuple[TriggerRule, int]] = []
    for rule in lexicons.violence_triggers:
        for m in rule.pattern.finditer(text):
            if not is_irrealis(text, m.start(), lexicons):
                found.append((rule, m.start()))
                break
    if not found:
        return None
    specific = [f for f in found if not f[0].is_generic]
    if specific:
        return min(specific, key=lambda f: (SUB_PRIORITY.index(f[0].sub_event_type), f[1]))
    return found[0]


def _process_triggers(
    text: str, lexicons: Lexicons, attribution: Attribution
) -> list[tuple[TriggerRule, int]]:
    found: dict[str, tuple[TriggerRule, int]] = {}
    for rule in lexicons.process_triggers:
        assert rule.process_type is not None
        for m in rule.pattern.finditer(text):
            if is_irrealis(text, m.start(), lexicons):
                continue
            if rule.process_type == "border_reopened" and not lexicons.border_words.search(text):
                continue
            if rule.process_type in {"accusation", "denial"} and lexicons.reciprocal.search(text):
                continue
            found.setdefault(rule.process_type, (rule, m.start()))
            break
    blame = lexicons.blame.search(text)
    if (
        blame
        and attribution.has_speaker
        and not lexicons.reciprocal.search(text)
        and "accusation" not in found
    ):
        accusation_rule = next(r for r in lexicons.process_triggers if r.process_type == "accusation")
        found["accusation"] = (accusation_rule, blame.start())
    if "ceasefire_violation_alleged" in found:
        found.pop("accusation", None)
    if "accusation" in found or "denial" in found:
        found.pop("threat_or_warning", None)
    if "border_closed" in found and "border_reopened" in found:
        found.pop("border_closed")
    return sorted(found.values(), key=lambda f: f[1])


def _nearest(position: int, triggers: list[int]) -> int:
    return min(triggers, key=lambda t: abs(t - position))


def _with_places(
    sentence: Sentence,
    family: str,
    rule: TriggerRule,
    start: int,
    dates: list[DateMention],
    places: list[PlaceMention],
    actors: list[ActorMention],
    casualties: tuple[CasualtyMention, ...] | list[CasualtyMention],
    attribution: Attribution,
    none_reported: bool,
    lexicons: Lexicons,
) -> list[Detection]:
    """One detection per place when a sentence lists several places of one kind ('Kunar and Paktika')."""
    text = sentence.text
    located = [p for p in places if p.is_locative]
    if rule.process_type in STATEMENTS:
        located = [p for p in located if not attribution.is_content(p.start, p.end)]
    # Where it happened: a place introduced by 'in', 'at', 'near' first ('officials from X and Y met in Z'),
    # the nearest to the trigger among those.
    ranked = sorted(
        located,
        key=lambda p: (not _WHERE_BEFORE.search(text[max(0, p.start - 25) : p.start]), abs(p.start - start)),
    )
    if ranked and ranked[0].precision >= 2:
        # 'the Chaman garrison in Balochistan': a town inside the province named after 'in' is the more
        # precise answer to where
        inside = [p for p in ranked[1:] if p.precision < ranked[0].precision and is_within(p, ranked[0])]
        if inside:
            ranked = [inside[0], *[p for p in ranked if p is not inside[0]]]
    groups: list[tuple[PlaceMention, ...]] = [tuple(ranked)]
    splittable = family == VIOLENCE or rule.process_type in {"border_closed", "border_reopened"}
    if splittable and len(located) > 1 and not _COORDINATED_SPLIT.search(text):
        distinct = {(p.place.lat, p.place.lon) for p in located}
        joined = all(_COORDINATION.search(text[a.end : b.start]) for a, b in itertools.pairwise(located))
        if len(distinct) > 1 and joined:
            groups = [(p,) for p in located]
    date_mention = date_for(dates, start)
    is_perfect = bool(_PERFECT.search(text[max(0, start - 30) : start]))
    return [
        Detection(
            sentence=sentence,
            family=family,
            event_type=rule.event_type,
            sub_event_type=rule.sub_event_type,
            process_type=rule.process_type,
            trigger_start=start,
            date=date_mention,
            places=group,
            actors=tuple(actors),
            casualties=tuple(casualties),
            attribution=attribution,
            is_none_reported=none_reported,
            is_anaphor=bool(lexicons.anaphora.search(text)),
            is_distinct=bool(lexicons.distinct_markers.search(text[max(0, start - 40) : start])),
            is_sequel=bool(lexicons.sequel_markers.search(text)),
            is_perfect=is_perfect,
        )
        for group in groups
    ]
