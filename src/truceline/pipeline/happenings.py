"""Claims from happenings: who did what to whom (actors, allegation, claimant), where, the toll, evidence."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from truceline.pipeline.actors import resolve_actor
from truceline.pipeline.casualties import summarize_fatalities, summarize_injuries
from truceline.pipeline.claims import ClaimValue, Evidence, Fatalities, Location, claim_id
from truceline.pipeline.context import ExtractionContext, Place
from truceline.pipeline.dates import DateStrength
from truceline.pipeline.detect import PROCESS, STATEMENTS, VIOLENCE
from truceline.pipeline.geocode import capital_of, location_of
from truceline.pipeline.lexicons import Lexicons
from truceline.pipeline.merging import Happening

_CROSSING_KM = 25.0  # a placeless closure takes the article's last place only this close to the border
_UNIDENTIFIED_MILITARY = "Unidentified Military Forces"
_UNIDENTIFIED_ARMED = "Unidentified Armed Group"
# Non-party actors a party's accusation or denial may name (armed groups and third states).
_COORDINATED = re.compile(r"^\s*(?:,|and|,\s*and|&)\s+(?:the\s+)?$", re.IGNORECASE)
_ARMED_GROUP, _FOREIGN_STATE = "armed_group", "foreign_state"
_UNNAMED_FIGHTERS = re.compile(
    r"\b(?:militants?|insurgents?|terrorists?|gunm[ae]n|attackers?|assailants?|khwarij|khawarij)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Roles:
    actor1: str | None
    actor2: str | None
    alleged: bool
    claimant: str | None


def build_claims(
    happenings: list[Happening],
    *,
    document_id: str,
    context: ExtractionContext,
    lexicons: Lexicons,
    extractor: str,
    dateline: Place | None = None,
    quiet_paragraphs: frozenset[int] = frozenset(),
    named_actors: frozenset[str] = frozenset(),
) -> list[ClaimValue]:
    """One claim per happening, numbered in evidence order; `named_actors` are those the article names.

    A strike reported without a perpetrator or a source continues the one before it of the same kind
    ('A second strike targeted ...'): it takes that one's perpetrator and attribution.
    """
    claims: list[ClaimValue] = []
    last_roles: dict[str, _Roles] = {}
    last_violence_place: Location | None = None
    for happening in sorted(happenings, key=lambda h: h.first.sentence.start):
        first = happening.first
        kind = first.sub_event_type if first.family == VIOLENCE else f"process:{first.process_type}"
        location = _location_of(
            happening,
            context=context,
            is_violence=first.family == VIOLENCE,
            dateline=dateline,
            previous=last_violence_place,
        )
        if first.family == VIOLENCE:
            roles = _violence_roles(
                happening,
                context,
                lexicons,
                last_roles.get(kind),
                country=location.country,
                named_actors=named_actors,
            )
        else:
            roles = _process_roles(happening, context)
            if roles.actor1 is None and roles.actor2 is None and first.process_type in STATEMENTS:
                continue
        last_roles[kind] = roles
        if first.family == VIOLENCE and happening.place is not None:
            last_violence_place = location
        fatalities = Fatalities()
        injuries = None
        if first.family == VIOLENCE:
            by_sentence = [list(d.casualties) for d in happening.detections]
            none_reported = any(
                d.is_none_reported or d.sentence.paragraph in quiet_paragraphs for d in happening.detections
            )
            fatalities = summarize_fatalities(by_sentence, none_reported=none_reported, lexicons=lexicons)
            injuries = summarize_injuries(by_sentence)
        sentence = first.sentence
        for each in _per_accused(happening, roles, context) if first.family == PROCESS else [roles]:
            claims.append(
                ClaimValue(
                    id=claim_id(document_id, len(claims) + 1),
                    document_id=document_id,
                    event_type=first.event_type,
                    sub_event_type=first.sub_event_type,
                    process_type=first.process_type,
                    event_date=happening.event_date,
                    time_precision=1 if happening.strength >= DateStrength.REPORTED else 2,
                    actor1=each.actor1,
                    actor2=each.actor2,
                    alleged=each.alleged,
                    claimant=each.claimant,
                    location=location,
                    fatalities=fatalities,
                    evidence=Evidence(text=sentence.text, start=sentence.start, end=sentence.end),
                    confidence=_confidence(happening, location),
                    extractor=extractor,
                    injuries=injuries,
                )
            )
    return claims


def _participants(happening: Happening, context: ExtractionContext, *, is_violence: bool) -> list[str]:
    out: list[str] = []
    for detection in happening.detections:
        for mention in detection.actors:
            if mention.is_speaker:
                continue
            actor = resolve_actor(mention, is_violence=is_violence, context=context)
            if actor and actor not in out:
                out.append(actor)
    return out


def _claimant_actor(happening: Happening, context: ExtractionContext) -> str | None:
    for detection in happening.detections:
        for mention in detection.actors:
            if mention.is_speaker:
                actor = resolve_actor(mention, is_violence=False, context=context)
                if actor:
                    return actor
    return None


def _violence_roles(
    happening: Happening,
    context: ExtractionContext,
    lexicons: Lexicons,
    previous: _Roles | None,
    *,
    country: str | None,
    named_actors: frozenset[str] = frozenset(),
) -> _Roles:
    """Who did it to whom; `country` is where it happened (its own place, else the one it takes from the
    article), which says whose civilians were hurt. Unnamed militants are the one armed group the article
    names, if it names exactly one (`named_actors`)."""
    first = happening.first
    parties = context.actors.parties
    militaries = {roles.military for roles in parties.values()}
    actors = _participants(happening, context, is_violence=True)
    has_source = any(d.attribution.has_speaker or d.attribution.is_hedged for d in happening.detections)
    if not [a for a in actors if not a.startswith("Civilians")] and previous is not None and previous.actor1:
        actors = [previous.actor1, *actors]
    if first.event_type == "Battles":
        named = {context.actors.party_of.get(a) for a in actors}
        texts = " ".join(d.sentence.text for d in happening.detections)
        for roles in parties.values():
            if roles.party not in named and any(
                name in texts for name in (*roles.names[:1], *roles.demonyms[:1])
            ):
                actors.append(roles.military)
        if len([a for a in actors if not a.startswith("Civilians")]) == 1 and _UNNAMED_FIGHTERS.search(texts):
            actors.append(_UNIDENTIFIED_ARMED)  # 'militants attacked a police station': the other side
    texts = " ".join(d.sentence.text for d in happening.detections)
    groups = {c.group for d in happening.detections for c in d.casualties}
    security_toll_only = "security" in groups and "civilian" not in groups
    civilian_toll = _civilian_toll(happening)
    if (lexicons.civilian_targets.search(texts) or civilian_toll) and not security_toll_only:
        roles_here = context.actors.party_roles(country)
        if roles_here and roles_here.civilians not in actors:
            actors.append(roles_here.civilians)
    targets: set[str] = set()
    if first.event_type != "Battles":
        # 'a convoy of the army was targeted', 'an attack on police': the target is not the attacker
        targets = _targets(happening, context)
        attackers = [a for a in actors if a not in targets]
        if targets and not [a for a in attackers if not a.startswith("Civilians")]:
            attackers.insert(0, _UNIDENTIFIED_ARMED)
        civilians_named = [a for a in attackers if a.startswith("Civilians")]
        attackers = [a for a in attackers if a not in civilians_named]
        actors = [*attackers, *[a for a in actors if a in targets], *civilians_named]
    named_groups = [a for a in actors if a in _outside_actors(context, _ARMED_GROUP)]
    if named_groups:
        # 'militants' and 'attackers' in the same report are the named group, not another actor
        actors = [a for a in actors if a != _UNIDENTIFIED_ARMED]
    elif _UNIDENTIFIED_ARMED in actors:
        article_groups = named_actors & _outside_actors(context, _ARMED_GROUP)
        if len(article_groups) == 1:
            # 'Pakistani Taliban' in the lead, 'militants' later: the article's one armed group
            [group] = article_groups
            actors = [group if a == _UNIDENTIFIED_ARMED else a for a in actors]
    non_civilian = [a for a in actors if not a.startswith("Civilians")]
    protesters = getattr(context.actors.party_roles(country), "protesters", None)
    if first.event_type == "Protests" and protesters and not non_civilian:
        actors.insert(0, protesters)  # those who protest, where they protest, when the report names no one
    elif first.sub_event_type == "Air/drone strike" and not (set(non_civilian) & militaries):
        actors.insert(0, _UNIDENTIFIED_MILITARY)
    elif not non_civilian:
        actors.insert(0, _UNIDENTIFIED_ARMED)
    actor1 = actors[0]
    actor2 = actors[1] if len(actors) > 1 else None
    civilians = [a for a in actors if a.startswith("Civilians")]
    forces_died = any(
        c.group == "security" and c.is_killed for d in happening.detections for c in d.casualties
    )
    if first.event_type != "Battles" and civilians and civilian_toll and not (targets and forces_died):
        # A one-sided attack whose dead or wounded are civilians: they are its target, whatever else
        # the sentence names (the militants a strike was said to aim at, the side that reports it),
        # unless it names a target whose members died ('bombers attacked the police headquarters').
        actor2 = civilians[0]
    claimant_actor = _claimant_actor(happening, context)
    speaker_party = happening.claimant_party
    perpetrator_party = context.actors.party_of.get(actor1)
    is_one_sided = first.event_type != "Battles"
    alleged = first.attribution.is_hedged or bool(
        is_one_sided and speaker_party and perpetrator_party and speaker_party != perpetrator_party
    )
    if not alleged and not has_source and previous is not None and previous.alleged:
        return _Roles(actor1, actor2, True, previous.claimant)
    return _Roles(actor1, actor2, alleged, claimant_actor if alleged else None)


def _outside_actors(context: ExtractionContext, *kinds: str) -> frozenset[str]:
    """Actors of no party, of these kinds (armed groups, third states) in the scenario's dictionary; a
    dictionary without kinds counts every party-less actor but the unidentified ones."""
    dictionary = context.actors
    if dictionary.kinds:
        return dictionary.of_kind(*kinds)
    named = set(dictionary.aliases.values()) - set(dictionary.party_of)
    return frozenset(a for a in named if not a.startswith(("Unidentified", "Civilians")))


def _civilian_toll(happening: Happening) -> bool:
    """Civilians among the dead, or among the hurt when no member of the forces died."""
    tolls = [c for d in happening.detections for c in d.casualties]
    if any(c.group == "civilian" and c.is_killed for c in tolls):
        return True
    return any(c.group == "civilian" for c in tolls) and not any(
        c.group == "security" and c.is_killed for c in tolls
    )


_TARGET_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s+[\w'’-]+){0,4}?\s+(?:was|were|had been|has been|have been|being)\s+(?:\w+ly\s+)?"
    r"(?:targeted|attacked|ambushed|struck|hit|bombed|fired (?:up)?on|raided|stormed)\b",
    re.IGNORECASE,
)
# 'an attack on the police', 'bombers attacked the headquarters of the constabulary' (not 'attacked by ...')
_TARGET_BEFORE = re.compile(
    r"\b(?:(?:attacks?|assault|ambush|raid|strike|bombing|firing|fire)\s+on|targeting|targeted|ambushed|"
    r"attacked|stormed|raided|bombed|shelled)\s+(?!by\b)"
    r"(?:an?\s+|the\s+)?(?:(?!by\b)[\w-]+\s+){0,3}(?:of\s+(?:the\s+)?(?:[\w-]+\s+)?)?$",
    re.IGNORECASE,
)


def _targets(happening: Happening, context: ExtractionContext) -> set[str]:
    """Actors a sentence names as the target of the attack, by the words around the mention."""
    out: set[str] = set()
    for detection in happening.detections:
        text = detection.sentence.text
        for mention in detection.actors:
            if mention.is_speaker:
                continue
            if _TARGET_AFTER.match(text[mention.end :]) or _TARGET_BEFORE.search(text[: mention.start]):
                actor = resolve_actor(mention, is_violence=True, context=context)
                if actor:
                    out.add(actor)
    return out


def _process_roles(happening: Happening, context: ExtractionContext) -> _Roles:
    first = happening.first
    process_type = first.process_type
    parties = context.actors.parties
    if process_type in {"talks_held", "ceasefire_agreed", "ceasefire_collapsed"}:
        governments = [roles.government for roles in parties.values()]
        return _Roles(
            governments[0] if governments else None,
            governments[1] if len(governments) > 1 else None,
            False,
            None,
        )
    if process_type in {"border_closed", "border_reopened"}:
        before = [m for m in first.actors if m.start < first.trigger_start and m.party and not m.is_speaker]
        actor = resolve_actor(before[0], is_violence=False, context=context) if before else None
        subject = first.sentence.text[: first.trigger_start]
        if actor is None and happening.place is not None and _UNNAMED_AUTHORITY.search(subject):
            # 'the government reopened the crossing': each side opens and closes its own gate, so
            # unnamed authorities are those of the side the crossing is on
            roles = context.actors.party_roles(happening.place.place.country)
            actor = roles.government if roles else None
        return _Roles(actor, None, False, None)
    speaker = happening.claimant_party
    if speaker is None:
        speaker = next((m.party for m in first.actors if m.party and m.start < first.trigger_start), None)
    if speaker is None or speaker not in parties:
        return _group_statement_roles(happening, context)
    roles = parties[speaker]
    speaker_actor = _claimant_actor(happening, context) or roles.government
    if context.actors.party_of.get(speaker_actor) != speaker:
        speaker_actor = roles.government
    accused = _accused(happening, speaker, context)
    if accused is None:
        if process_type == "threat_or_warning":
            return _Roles(speaker_actor, None, False, None)
        if process_type == "denial":  # 'Pakistan denied blocking the crossing': a denial needs no accuser
            return _Roles(speaker_actor, None, True, speaker_actor)
        return _Roles(None, None, False, None)
    if process_type == "threat_or_warning":
        return _Roles(speaker_actor, accused, False, None)
    return _Roles(speaker_actor, accused, True, speaker_actor)


_UNNAMED_AUTHORITY = re.compile(r"\b(?:government|authorities|administration|officials)\b", re.IGNORECASE)


def _group_statement_roles(happening: Happening, context: ExtractionContext) -> _Roles:
    """A statement by an armed group or a third state (no party of the scenario): it speaks for itself."""
    first = happening.first
    speaker = next(
        (
            m.actor
            for m in first.actors
            if m.actor in _outside_actors(context, _ARMED_GROUP, _FOREIGN_STATE)
            and m.party is None
            and (m.is_speaker or m.start < first.trigger_start)
        ),
        None,
    )
    if speaker is None:
        return _Roles(None, None, False, None)
    accused = next(
        (
            resolve_actor(m, is_violence=False, context=context)
            for d in happening.detections
            for m in d.actors
            if m.party and not m.is_speaker
        ),
        None,
    )
    if first.process_type == "threat_or_warning":
        return _Roles(speaker, accused, False, None)
    if accused is None and first.process_type != "denial":
        return _Roles(None, None, False, None)
    return _Roles(speaker, accused, True, speaker)


def _accused(happening: Happening, speaker: str, context: ExtractionContext) -> str | None:
    found = _all_accused(happening, speaker, context)
    return found[0] if found else None


def _all_accused(happening: Happening, speaker: str, context: ExtractionContext) -> list[str]:
    """Whom a party's statement is about, in order: the actors named that are not the speaker's side.

    Any actor of the dictionary counts (another party, an armed group, a third state); a generic mention of
    the other party ('Kabul', 'Afghanistan') stands for its government, its forces for its military.
    """
    out: list[str] = []
    for detection in happening.detections:
        for mention in detection.actors:
            if mention.is_speaker or mention.party == speaker:
                continue
            actor = resolve_actor(mention, is_violence=False, context=context)
            if actor is None or actor.startswith("Civilians") or actor == _UNIDENTIFIED_ARMED:
                continue
            if (
                mention.actor is not None
                and mention.party is None
                and mention.actor not in _outside_actors(context, _ARMED_GROUP, _FOREIGN_STATE)
            ):
                continue
            if actor not in out:
                out.append(actor)
    return out


def _per_accused(happening: Happening, roles: _Roles, context: ExtractionContext) -> list[_Roles]:
    """An accusation naming coordinated accused ('accused Kabul and New Delhi of ...') is one claim per
    accused; other actors a sentence names are context, not more accusations."""
    speaker = happening.claimant_party or context.actors.party_of.get(roles.actor1 or "")
    if happening.first.process_type != "accusation" or speaker is None or roles.actor2 is None:
        return [roles]
    text = happening.first.sentence.text
    mentions = [
        m
        for m in happening.first.actors
        if not m.is_speaker and m.party != speaker and resolve_actor(m, is_violence=False, context=context)
    ]
    out = [roles]
    for a, b in itertools.pairwise(mentions):
        if not _COORDINATED.match(text[a.end : b.start]):
            continue
        for mention in (a, b):
            actor = resolve_actor(mention, is_violence=False, context=context)
            if actor and actor not in {r.actor2 for r in out}:
                out.append(replace(roles, actor2=actor))
    return out


def _location_of(
    happening: Happening,
    *,
    context: ExtractionContext,
    is_violence: bool,
    dateline: Place | None,
    previous: Location | None = None,
) -> Location:
    if happening.place is not None:
        mention = happening.place
        return location_of(mention.place, precision=mention.precision, context=context)
    first = happening.first
    if is_violence:
        if previous is not None:
            return previous  # the article's last placed happening: where its story is
        if dateline is not None and dateline.country in context.actors.parties:
            return location_of(dateline, precision=2, context=context)
        return Location()
    if first.process_type in {"border_closed", "border_reopened"} and previous is not None:
        km = previous.km_to_border
        if km is not None and km <= _CROSSING_KM:
            return previous  # 'the border has been closed' after a clash at a crossing: that crossing
    party = happening.claimant_party
    if party is None and first.process_type in {"threat_or_warning", "border_closed", "border_reopened"}:
        party = next((m.party for m in first.actors if m.party), None)
    if party is None:
        return Location()
    capital = capital_of(party, context=context)
    return location_of(capital, precision=3, context=context) if capital is not None else Location()


def _confidence(happening: Happening, location: Location) -> float:
    """A rough score: stated dates, resolved places and repeated mentions raise it."""
    score = 0.4
    score += 0.15 if happening.strength >= DateStrength.REPORTED else 0.0
    score += 0.15 if location.lat is not None else 0.0
    score += 0.1 if len(happening.detections) > 1 else 0.0
    score += 0.1 if happening.first.date is not None else 0.0
    return round(min(score, 0.95), 2)
