"""Comparing claims: profiles (family, day range, point and radius, actors, toll, text) and pair scores.

`score_pair` gives a pair's similarity in [0, 1] as a weighted mean of date, place, actors, type,
fatalities and evidence-text similarity, or None when a hard rule keeps them apart (different family or
process type, dates or places too far apart, same document, two events of one dataset, a statement by a
different claimant).
`clustering.py` blocks, links and groups with it; `interop.py` links imported events with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz

from truceline.incidents.geography import haversine_km, radius_km_for
from truceline.incidents.values import IncidentValue, SourceInfo
from truceline.pipeline.claims import ClaimValue

VIOLENCE_TYPES = frozenset({"battles", "explosions/remote violence", "violence against civilians"})
UNREST_TYPES = frozenset({"protests", "riots"})
ACLED_EXTRACTOR = "acled-csv/1"
GED_EXTRACTOR = "ucdp-ged-csv/1"
# Events imported from a dataset (interop.py), by the dataset that coded them.
DATASET_OF_EXTRACTOR = {ACLED_EXTRACTOR: "ACLED", GED_EXTRACTOR: "UCDP GED"}
# Half-width in days of the range a date stands for, by ACLED time precision (1 day, 2 week, 3 month).
DATE_SLACK_DAYS = {1: 0, 2: 3, 3: 15}
# How much a place agreement counts, by the coarser geo precision of the two (1 town, 2 district; else 0.3).
_TRUST_OF_PRECISION = {1: 1.0, 2: 0.7}


class Family(StrEnum):
    """Type families as the dev scorer groups them: a claim is only ever linked within its family."""

    VIOLENCE = "violence"
    UNREST = "unrest"
    PROCESS = "process"


def family_of(event_type: str | None, process_type: str | None) -> Family:
    if process_type:
        return Family.PROCESS
    kind = " ".join((event_type or "").lower().replace("_", " ").split())
    if kind in VIOLENCE_TYPES:
        return Family.VIOLENCE
    if kind in UNREST_TYPES:
        return Family.UNREST
    return Family.PROCESS


@dataclass(frozen=True, slots=True)
class SimilarityWeights:
    """Weights of the similarity components; they are normalised, so only their ratios matter."""

    date: float = 0.20
    place: float = 0.25
    actors: float = 0.20
    event_type: float = 0.15
    fatalities: float = 0.10
    text: float = 0.10


@dataclass(frozen=True, slots=True)
class ClusterParams:
    """Every knob of the clustering, with the defaults measured in docs/incidents.md."""

    window_days: int = 2  # violence/unrest: most days between the two date ranges
    process_window_days: int = 1  # statements, talks and closures are dated acts: tighter
    link_km: float = 25.0  # beyond both precision radii, place similarity reaches 0 here (and links stop)
    threshold: float = 0.6  # mean pair score needed to merge two clusters
    min_pair_score: float = 0.3  # pair scores below this count as 0 in the mean
    cell_deg: float = 0.5  # blocking grid
    bucket_days: int = 3  # blocking date buckets
    unknown_score: float = 0.5  # what a component scores when one side does not know it
    text_chars: int = 400  # evidence text compared, from the start
    allow_same_document: bool = False  # one document codes one happening once (the extractor merges)
    allow_same_dataset: bool = False  # and so does an event dataset: two ACLED events are two happenings
    max_span_days: int = 3  # a cluster's members' date ranges must all come within this many days
    max_extent_km: float = 75.0  # and its town/district-level points within a box this wide (diagonal)
    weights: SimilarityWeights = SimilarityWeights()


@dataclass(frozen=True, slots=True)
class Profile:
    """The comparable view of a claim (or of an incident, for linking to external events)."""

    key: str
    document: str
    dataset: str | None  # the dataset an imported event comes from (DATASET_OF_EXTRACTOR)
    family: Family
    event_type: str
    sub_event_type: str
    process_type: str | None
    day_lo: int | None
    day_hi: int | None
    is_day_precise: bool
    lat: float | None
    lon: float | None
    radius_km: float
    geo_precision: int | None
    place_name: str | None
    actors: frozenset[str]
    actor1: str | None
    claimant: str | None
    fatalities: int | None
    text: str

    @property
    def is_located(self) -> bool:
        return self.lat is not None and self.lon is not None


def profile_claim(
    claim: ClaimValue, *, source: SourceInfo | None = None, params: ClusterParams = ClusterParams()
) -> Profile:
    day_lo = day_hi = None
    family = family_of(claim.event_type, claim.process_type)
    if claim.event_date is not None:
        slack = DATE_SLACK_DAYS.get(claim.time_precision or 1, 15)
        if family is Family.PROCESS and slack <= DATE_SLACK_DAYS[2]:
            # Statements, talks and closures are dated by the day they were made public; a week
            # precision there reflects the report's vagueness, and widening it merges separate statements.
            slack = 0
        ordinal = claim.event_date.toordinal()
        day_lo, day_hi = ordinal - slack, ordinal + slack
    loc = claim.location
    located = loc.lat is not None and loc.lon is not None
    fat = claim.fatalities
    fatalities = fat.best if fat.best is not None else fat.low
    document = source.url if source is not None and source.url else claim.document_id
    return Profile(
        key=claim.id,
        document=document,
        dataset=DATASET_OF_EXTRACTOR.get(claim.extractor),
        family=family,
        event_type=_norm(claim.event_type),
        sub_event_type=_norm(claim.sub_event_type),
        process_type=claim.process_type or None,
        day_lo=day_lo,
        day_hi=day_hi,
        is_day_precise=(claim.time_precision or 1) == 1,
        lat=loc.lat if located else None,
        lon=loc.lon if located else None,
        radius_km=radius_km_for(loc.geo_precision),
        geo_precision=loc.geo_precision,
        place_name=_norm(loc.name) or None,
        actors=frozenset(a for a in (claim.actor1, claim.actor2) if a),
        actor1=claim.actor1,
        claimant=claim.claimant if claim.alleged else None,
        fatalities=fatalities,
        text=" ".join(claim.evidence.text.lower().split())[: params.text_chars],
    )


def profile_incident(incident: IncidentValue, *, params: ClusterParams = ClusterParams()) -> Profile:
    """An incident as one wide claim: its whole date range and its place radius."""
    day_lo = incident.date_start.toordinal() if incident.date_start else None
    day_hi = incident.date_end.toordinal() if incident.date_end else day_lo
    loc = incident.location
    located = loc.lat is not None and loc.lon is not None
    return Profile(
        key=incident.id,
        document=incident.id,
        dataset=None,
        family=family_of(incident.event_type, incident.process_type),
        event_type=_norm(incident.event_type),
        sub_event_type=_norm(incident.sub_event_type),
        process_type=incident.process_type,
        day_lo=day_lo,
        day_hi=day_hi,
        is_day_precise=day_lo == day_hi,
        lat=loc.lat if located else None,
        lon=loc.lon if located else None,
        radius_km=loc.radius_km if loc.radius_km is not None else radius_km_for(loc.geo_precision),
        geo_precision=loc.geo_precision,
        place_name=_norm(loc.name) or None,
        actors=frozenset(incident.actors),
        actor1=incident.actor1,
        claimant=None,
        fatalities=incident.fatalities.best,
        text=incident.title.lower()[: params.text_chars],
    )


@dataclass(frozen=True, slots=True)
class PairScore:
    """A pair's score and its components (for explaining why two claims were or were not linked)."""

    score: float
    date: float
    place: float
    actors: float
    event_type: float
    fatalities: float
    text: float
    distance_km: float | None
    day_gap: int | None


def score_pair(a: Profile, b: Profile, *, params: ClusterParams = ClusterParams()) -> PairScore | None:
    """Similarity of two profiles in [0, 1], or None when a hard rule keeps them apart."""
    parts = _pair_parts(a, b, params)
    if parts is None:
        return None
    date_sim, place_sim, actor_sim, type_sim, fat_sim, text_sim, distance, gap = parts
    return PairScore(
        score=_weighted(params.weights, parts),
        date=date_sim,
        place=place_sim,
        actors=actor_sim,
        event_type=type_sim,
        fatalities=fat_sim,
        text=text_sim,
        distance_km=distance,
        day_gap=gap,
    )


def pair_score(a: Profile, b: Profile, *, params: ClusterParams = ClusterParams()) -> float | None:
    """`score_pair(a, b).score`, without the components (the clustering's inner loop: no object per pair)."""
    parts = _pair_parts(a, b, params)
    return None if parts is None else _weighted(params.weights, parts)


_Parts = tuple[float, float, float, float, float, float, float | None, int | None]


def _pair_parts(a: Profile, b: Profile, params: ClusterParams) -> _Parts | None:
    """date, place, actors, type, fatalities and text similarity, distance and day gap; None: kept apart."""
    if a.key > b.key:
        a, b = b, a  # symmetric to the last bit: the linkage must not depend on argument order
    if a.family != b.family or (a.family is Family.PROCESS and a.process_type != b.process_type):
        return None
    if a.document == b.document and not params.allow_same_document:
        return None
    if a.dataset is not None and a.dataset == b.dataset and not params.allow_same_dataset:
        return None  # a dataset codes each happening once, as a document does
    if a.family is Family.PROCESS and a.claimant and b.claimant and a.claimant != b.claimant:
        return None  # two parties' statements are two happenings, however alike
    window = params.process_window_days if a.family is Family.PROCESS else params.window_days
    date_sim, gap = _date_similarity(a, b, window=window)
    if date_sim is None:
        return None
    place_sim, distance = _place_similarity(a, b, params=params)
    if place_sim is None:
        return None
    unknown = params.unknown_score
    actor_sim = _actor_similarity(a, b, unknown=unknown)
    type_sim = _type_similarity(a, b)
    fat_sim = _fatality_similarity(a.fatalities, b.fatalities, unknown=unknown)
    text_sim = fuzz.token_set_ratio(a.text, b.text) / 100.0 if a.text and b.text else unknown
    return date_sim, place_sim, actor_sim, type_sim, fat_sim, text_sim, distance, gap


def _weighted(w: SimilarityWeights, parts: _Parts) -> float:
    date_sim, place_sim, actor_sim, type_sim, fat_sim, text_sim, _, _ = parts
    total = w.date + w.place + w.actors + w.event_type + w.fatalities + w.text
    return (
        w.date * date_sim
        + w.place * place_sim
        + w.actors * actor_sim
        + w.event_type * type_sim
        + w.fatalities * fat_sim
        + w.text * text_sim
    ) / total


def _date_similarity(a: Profile, b: Profile, *, window: int) -> tuple[float | None, int | None]:
    if a.day_lo is None or a.day_hi is None or b.day_lo is None or b.day_hi is None:
        both_undated = a.day_lo is None and b.day_lo is None
        return (0.5 if both_undated else None), None
    gap = max(0, b.day_lo - a.day_hi, a.day_lo - b.day_hi)
    if gap > window:
        return None, gap
    sim = 1.0 - gap / (window + 1.0)
    if not (a.is_day_precise and b.is_day_precise):
        sim *= 0.8  # overlapping week-long ranges agree less than two exact days
    return sim, gap


def _place_similarity(a: Profile, b: Profile, *, params: ClusterParams) -> tuple[float | None, float | None]:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return params.unknown_score, None
    distance = haversine_km(a.lat, a.lon, b.lat, b.lon)
    reach = a.radius_km + b.radius_km + params.link_km
    if distance > reach:
        return None, distance  # a shared name does not bridge the distance: Barmal is in PK and in AF
    same_name = a.place_name is not None and a.place_name == b.place_name
    # Quadratic decay: two reports of one happening rarely put it more than a few km apart.
    raw = 1.0 if same_name else max(0.0, 1.0 - distance / reach) ** 2
    if not same_name and a.place_name and b.place_name and a.geo_precision == b.geo_precision == 1:
        raw *= 0.7  # two different towns named, each precisely: a disagreement, not just a distance
    # A province centroid near another says little: pull imprecise agreement toward "unknown".
    trust = _TRUST_OF_PRECISION.get(max(a.geo_precision or 3, b.geo_precision or 3), 0.3)
    return params.unknown_score + (raw - params.unknown_score) * trust, distance


def _actor_similarity(a: Profile, b: Profile, *, unknown: float) -> float:
    if not a.actors or not b.actors:
        return unknown
    overlap = len(a.actors & b.actors) / len(a.actors | b.actors)
    if a.family is Family.PROCESS and a.actor1 and b.actor1:
        # Who speaks, accuses or acts first is the heart of a process event.
        return 0.5 * overlap + 0.5 * (1.0 if a.actor1 == b.actor1 else 0.0)
    return overlap


def _type_similarity(a: Profile, b: Profile) -> float:
    if a.event_type == b.event_type:
        return 1.0 if a.sub_event_type == b.sub_event_type else 0.8
    return 0.5


def _fatality_similarity(x: int | None, y: int | None, *, unknown: float) -> float:
    if x is None or y is None:
        return unknown
    if x == y:
        return 1.0
    if x == 0 or y == 0:
        return 0.0  # "no one was killed" against a death toll is a real disagreement
    return min(x, y) / max(x, y)


@lru_cache(maxsize=65536)  # types and place names repeat: 100,000 imported events name ~4,000 places
def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().replace("_", " ").split())
