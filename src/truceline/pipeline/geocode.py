"""Geocoding: place names in a sentence resolved against the gazetteer, disambiguated by context."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from truceline.pipeline.claims import Location
from truceline.pipeline.context import ExtractionContext, Place
from truceline.pipeline.nlp import Span

# 'a van coming from Quetta', 'families returning from Karachi': where someone came from, not where
# the happening was.
_ORIGIN_BEFORE = re.compile(
    r"\b(?:coming|came|travell?ing|travell?ed|returning|returned|arriving|arrived|fleeing|fled)\s+from\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|of|across|from|inside|into|on|around|outside|targeted|targeting|hit|struck|bombed|"
    r"shelled|between|along|toward|towards|including|and|spanning|over|through|to)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?\s+|central\s+|"
    r"downtown\s+|eastern\s+|remote\s+|border\s+town\s+of\s+)?|[’']s\s+(?:\w+ern\s+)?)$",
    re.IGNORECASE,
)
_IN_COUNTRY = re.compile(r"\b(?:in|inside|into|to|at)\s+(?:the\s+)?$", re.IGNORECASE)
_LEVEL_AFTER = re.compile(
    r"^\s+(?P<w>district|province|provinces|area|village|town|city|border|crossing|region|valley|tehsil|agency|"
    r"garrison|camp|bazaar|market)\b",
    re.IGNORECASE,
)
_CAPITALIZED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}\b")
_NOT_PLACES = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|The|A|An|He|She|They|It|In|On|At|Major|General|Minister|"
    r"President|Prime|Army|Police|Foreign|Defence|Defense|Ministry|Islamic|State|Taliban|Afghan|Pakistani|"
    r"Reuters|AFP|Dawn|Amu|Asia|Europe|Last|Other|Several|Both|Pakistan|Afghanistan)$"
)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in a sentence; offsets relative to the sentence."""

    place: Place
    start: int
    end: int
    is_locative: bool
    precision: int


def find_place_mentions(
    sentence: str,
    *,
    spans: Iterable[Span],
    context: ExtractionContext,
    country_hints: tuple[str, ...] = (),
    document_admins: frozenset[str] = frozenset(),
) -> list[PlaceMention]:
    """Places named in a sentence: phrase-matched names, NER entities and capitalized names.

    `document_admins` names the districts and provinces the whole article mentions: among namesakes the
    one inside them wins ('Mir Ali' in an article that names North Waziristan).
    """
    candidates: dict[tuple[int, int], str] = {}
    actor_ranges = [(s.start, s.end) for s in spans if s.label == "ACTOR"]
    for span in spans:
        if span.label in {"PLACE", "GPE", "LOC", "FAC", "ORG"}:
            candidates[(span.start, span.end)] = span.text
    for m in _CAPITALIZED_RUN.finditer(sentence):
        candidates.setdefault((m.start(), m.end()), m.group())
    admin_hints = _admin_hints(sentence) | document_admins
    mentions: list[PlaceMention] = []
    for (start, end), name in sorted(candidates.items()):
        if _ORIGIN_BEFORE.search(sentence[:start]):
            continue
        if any(s <= start and end <= e for s, e in actor_ranges) and not _LOCATIVE_BEFORE.search(
            sentence[:start]
        ):
            continue
        name = re.sub(r"^(?:the|The)\s+|^.*[’']s\s+", "", name)
        name = re.sub(r"\s+(?:District|Province|Agency|Tehsil|district|province)$", "", name)
        if name != text_at(sentence, start, end):
            shift = sentence.find(name, start, end)
            start, end = (shift, shift + len(name)) if shift >= 0 else (start, end)
        level_match = _LEVEL_AFTER.match(sentence[end:]) or _LEVEL_AFTER.match(
            " " + sentence[start:end].split()[-1]
        )
        level_word = level_match.group("w").lower() if level_match else ""
        words = name.split()
        while words and _NOT_PLACES.match(words[0]):
            words = words[1:]
        if not words or _NOT_PLACES.match(" ".join(words)):
            continue
        place = _best_place(
            " ".join(words),
            context=context,
            level_word=level_word,
            country_hints=country_hints,
            admin_hints=admin_hints,
        )
        if place is None:
            continue
        elsewhere = _district_instead(place, document_admins, context=context)
        if elsewhere is not None:
            place, level_word = elsewhere, "district"
        place = _seat_of(place, context=context)
        is_locative = bool(
            _LOCATIVE_BEFORE.search(sentence[:start]) or level_word or place.level == "crossing"
        )
        if place.level == "country":
            # 'brokered by Qatar and Turkey': a country is a place only after 'in', 'to', 'inside' ...
            is_locative = bool(_IN_COUNTRY.search(sentence[:start]))
        precision = {"district": 2, "province": 3, "area": 2, "region": 3}.get(
            level_word, place.geo_precision
        )
        mentions.append(PlaceMention(place, start, end, is_locative, precision))
    return _without_overlaps(mentions)


def text_at(sentence: str, start: int, end: int) -> str:
    return sentence[start:end]


def _without_overlaps(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """Where resolved names overlap keep the longest ('Spin Boldak' over 'Spin')."""
    kept: list[PlaceMention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(mention.start < k.end and k.start < mention.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _seat_of(place: Place, *, context: ExtractionContext) -> Place:
    """A district or province is placed at its namesake town when there is one (ACLED codes an admin area at
    its seat); the name, level and admin1 stay those of the area."""
    if place.level not in {"district", "province"}:
        return place
    towns = [
        p
        for p in context.places.lookup(place.name)
        if p.level == "town" and p.country == place.country and (not place.admin1 or p.admin1 == place.admin1)
    ]
    if not towns:
        return place
    seat = max(towns, key=lambda p: p.population)
    return replace(place, lat=seat.lat, lon=seat.lon)


def _district_instead(place: Place, admins: frozenset[str], *, context: ExtractionContext) -> Place | None:
    """A village the gazetteer knows only in a district the article never names, far from the one district of
    its province the article does name, is an unlisted namesake in that district ('the Palosin area' in a
    report on Kurram): the happening is placed at that district, not on the namesake."""
    if place.level != "town" or place.population > 0 or not place.admin2 or place.admin2.lower() in admins:
        return None
    districts = [
        p
        for name in admins
        for p in context.places.lookup(name)
        if p.level == "district" and p.country == place.country and p.admin1 == place.admin1
    ]
    if len({d.name for d in districts}) != 1:
        return None
    district = _seat_of(districts[0], context=context)
    return district if km_between(place, district) > 50 else None


def document_admins(text: str, *, context: ExtractionContext) -> frozenset[str]:
    """The district and province names a whole document mentions (lower case)."""
    out = set()
    for name in {m.group() for m in _CAPITALIZED_RUN.finditer(text)}:
        if _NOT_PLACES.match(name):
            continue
        if any(p.level in {"district", "province"} for p in context.places.lookup(name)):
            out.add(name.lower())
    return frozenset(out)


def _admin_hints(sentence: str) -> set[str]:
    return {m.group(1).lower() for m in re.finditer(r"\b([A-Z][a-z]+(?: [A-Z][a-z]+)?) province\b", sentence)}


def _best_place(
    name: str,
    *,
    context: ExtractionContext,
    level_word: str,
    country_hints: tuple[str, ...],
    admin_hints: set[str],
) -> Place | None:
    found = list(context.places.lookup(name))
    if not found and name.endswith("s"):
        found = list(context.places.lookup(name[:-1]))
    if not found:
        return None
    # A spelling the gazetteer knows exactly beats a looser match that folds letters ('Qatar' is not 'Katar').
    exact = [p for p in found if _fold(name) in {_fold(n) for n in (p.name, *p.alt_names)}]
    found = exact or found
    wanted = {
        "district": "district",
        "province": "province",
        "provinces": "province",
        "crossing": "crossing",
    }.get(level_word)

    def score(place: Place) -> float:
        value = math.log10(place.population + 10)
        if wanted and place.level == wanted:
            value += 10
        elif not wanted and place.level == "town" and place.population > 0:
            value += 3
        elif not wanted and place.level == "crossing" and level_word == "border":
            value += 4
        if place.feature_code in {"PPLC", "PPLA", "PPLA2"}:
            value += 2
        if place.country in country_hints:
            value += 4 - country_hints.index(place.country)
        if place.admin1 and place.admin1.lower() in admin_hints:
            value += 4
        if place.admin2 and place.admin2.lower() in admin_hints and place.level == "town":
            value += 3
        if place.border_km is not None and place.border_km < 60:
            value += 1  # the scenario is a border conflict
        if place.name.lower() == name.lower():
            value += 1
        return value

    return max(found, key=score)


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(r"[\W_]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def location_of(
    place: Place, *, precision: int, context: ExtractionContext, name: str | None = None
) -> Location:
    """The claim location of a resolved place, with border side and distance from the scenario geography.

    A province is placed at its seat (ACLED's convention for geo-precision 3), keeping the province's name."""
    point = (context.seat_of(place) if place.level == "province" else None) or place
    side: str | None = None
    km: float | None = None
    if context.geography is not None and place.country in context.actors.parties:
        side = context.geography.side_of(point.lat, point.lon)
        raw_km = context.geography.km_to_border(point.lat, point.lon)
        km = round(raw_km, 1) if raw_km is not None else None
    return Location(
        name=name or place.name,
        country=place.country or None,
        admin1=place.admin1 or (place.name if place.level == "province" else None),
        lat=round(point.lat, 4),
        lon=round(point.lon, 4),
        geo_precision=precision,
        border_side=side,
        km_to_border=km,
    )


def capital_of(party: str, *, context: ExtractionContext) -> Place | None:
    """A party's capital (where its statements are placed when the text gives no place)."""
    roles = context.actors.party_roles(party)
    if roles is None:
        return None
    found = [p for p in context.places.lookup(roles.capital) if p.country == party]
    towns = [p for p in found if p.level == "town"] or found
    return max(towns, key=lambda p: (p.feature_code == "PPLC", p.population)) if towns else None


def is_within(narrow: PlaceMention, wide: PlaceMention) -> bool:
    """Whether a more precise place lies inside a district (by its admin2) or province (by its admin1)
    named as well ('Mir Ali' in 'North Waziristan', 'Chaman' in 'Balochistan')."""
    if wide.precision == 2:
        return (
            narrow.precision < 2
            and bool(narrow.place.admin2)
            and narrow.place.admin2
            in {
                wide.place.admin2,
                wide.place.name,
            }
        )
    return (
        wide.precision == 3
        and bool(wide.place.admin1)
        and narrow.place.country == wide.place.country
        and narrow.place.admin1 == wide.place.admin1
    )


def km_between(a: Place, b: Place) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
