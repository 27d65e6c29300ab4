"""One happening per distinct event: the detections of an article merged (same family and kind, compatible
dates, places within 25 km or one inside the other's district or province, the same claimant for statements);
undated mentions take the date of the happening they continue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from truceline.pipeline.context import ExtractionContext
from truceline.pipeline.dates import DateStrength
from truceline.pipeline.detect import PROCESS, STATEMENTS, VIOLENCE, Detection
from truceline.pipeline.geocode import PlaceMention, is_within, km_between
from truceline.pipeline.tuning import DEFAULT_TUNING, Tuning

MERGE_KM = 25.0
_REPORT_LAG_DAYS = 3


@dataclass
class Happening:
    """Detections judged to report one happening (mutable only while merging)."""

    detections: list[Detection]
    event_date: date | None
    strength: DateStrength
    place: PlaceMention | None
    claimant_party: str | None
    date_source: Happening | None = field(default=None, repr=False)

    @property
    def first(self) -> Detection:
        return self.detections[0]


def merge_detections(
    detections: list[Detection],
    *,
    published: date,
    context: ExtractionContext,
    tuning: Tuning = DEFAULT_TUNING,
) -> list[Happening]:
    """One happening per distinct event: same family and type, compatible date and place."""
    happenings: list[Happening] = []
    for detection in detections:
        event_date, strength = _date_of(detection, published)
        claimant = _speaker_party(detection, context)
        target = _find_match(happenings, detection, event_date, strength, claimant)
        place = detection.places[0] if detection.places else None
        if place is not None and detection.process_type in STATEMENTS and claimant:
            place = place if place.place.country == claimant else None
        if target is not None:
            target.detections.append(detection)
            if strength > target.strength and event_date is not None:
                target.event_date, target.strength = event_date, strength
            if place is not None and (target.place is None or place.precision < target.place.precision):
                target.place = place
            target.claimant_party = target.claimant_party or claimant
            continue
        source = None
        if event_date is None:
            previous = _previous_dated(happenings, detection, tuning.inherit_within)
            if previous is not None:
                event_date, strength, source = previous.event_date, DateStrength.INHERITED, previous
            elif (
                detection.sentence.index < tuning.lead_sentences
                or detection.is_perfect
                or tuning.undated_later
            ):
                # Undated: the coding convention is the publication date at week precision.
                event_date, strength = published, DateStrength.DEFAULT
            else:
                continue
        happenings.append(Happening([detection], event_date, strength, place, claimant, source))
    for happening in happenings:
        # A date carried over follows its source, which later sentences may have made more precise.
        if happening.strength == DateStrength.INHERITED and happening.date_source is not None:
            happening.event_date = happening.date_source.event_date
    _refine_wide_places(happenings)
    return happenings


def _refine_wide_places(happenings: list[Happening]) -> None:
    """A happening placed only in a province takes the town or crossing inside that province where the
    same article places another happening ('the border at Chaman was closed ... clashes in Balochistan')."""
    precise = [h.place for h in happenings if h.place is not None and h.place.precision == 1]
    for happening in happenings:
        place = happening.place
        if place is None or place.precision < 3:
            continue
        inside = [p for p in precise if is_within(p, place)]
        if len({(p.place.lat, p.place.lon) for p in inside}) == 1:
            happening.place = inside[0]


def _date_of(detection: Detection, published: date) -> tuple[date | None, DateStrength]:
    mention = detection.date
    if mention is None:
        if detection.is_perfect:
            return published, DateStrength.DEFAULT
        return None, DateStrength.DEFAULT
    if mention.is_report:
        return mention.value, DateStrength.REPORTED
    return mention.value, mention.strength


def _dates_compatible(a: date | None, sa: DateStrength, b: date | None, sb: DateStrength) -> bool:
    if a is None or b is None:
        return True
    if sa == DateStrength.EXPLICIT and sb == DateStrength.EXPLICIT:
        return a == b
    if {sa, sb} & {DateStrength.REPORTED} and {sa, sb} & {DateStrength.EXPLICIT, DateStrength.RELATIVE}:
        # a report's date bounds the happening it reports from above: it happened that day or shortly before
        reported, other = (a, b) if sa == DateStrength.REPORTED else (b, a)
        return 0 <= (reported - other).days <= _REPORT_LAG_DAYS
    return abs((a - b).days) <= 1


def _places_compatible(a: PlaceMention | None, b: PlaceMention | None) -> bool:
    if a is None or b is None:
        return True
    if km_between(a.place, b.place) <= MERGE_KM:
        return True
    wide, narrow = (a, b) if a.precision >= b.precision else (b, a)
    return is_within(narrow, wide)


def _find_match(
    happenings: list[Happening],
    detection: Detection,
    event_date: date | None,
    strength: DateStrength,
    claimant: str | None,
) -> Happening | None:
    place = detection.places[0] if detection.places else None
    for happening in reversed(happenings):
        first = happening.first
        if first.family != detection.family:
            continue
        if detection.family == PROCESS:
            if first.process_type != detection.process_type:
                continue
            if (
                detection.process_type in STATEMENTS
                and claimant
                and happening.claimant_party not in {None, claimant}
            ):
                continue
        if not _dates_compatible(happening.event_date, happening.strength, event_date, strength):
            continue
        if detection.family == VIOLENCE:
            if place is None and detection.is_distinct:
                continue
            same_kind = first.sub_event_type == detection.sub_event_type
            if detection.is_sequel and not same_kind:
                continue  # 'an exchange of fire ensued': what followed the attack, not the attack
            if place is not None and happening.place is None and not (detection.is_anaphor or same_kind):
                continue
        if detection.process_type in STATEMENTS:
            if detection.process_type == "accusation" and _accuses_another(happening, detection, claimant):
                continue  # 'X is behind it' and 'Y harbours them': one accusation per accused
            return happening
        if not _places_compatible(happening.place, place):
            continue
        return happening
    return None


def _accused_key(detection: Detection, claimant: str | None) -> str | None:
    for mention in detection.actors:
        if mention.is_speaker or (claimant is not None and mention.party == claimant):
            continue
        key = mention.actor or mention.party
        if key and not key.startswith(("Civilians", "Unidentified")):
            return mention.party or key
    return None


def _accuses_another(happening: Happening, detection: Detection, claimant: str | None) -> bool:
    new = _accused_key(detection, claimant)
    old = {_accused_key(d, claimant) for d in happening.detections} - {None}
    return new is not None and bool(old) and new not in old


def _previous_dated(happenings: list[Happening], detection: Detection, within: int) -> Happening | None:
    """The happening an undated mention continues: the same family (or any, for 'during the clashes'),
    or violence for a statement about it, a few sentences back at most."""
    for happening in reversed(happenings):
        last = happening.detections[-1].sentence.index
        if detection.sentence.index - last > within or happening.event_date is None:
            continue
        family = happening.first.family
        if (
            family == detection.family
            or detection.is_anaphor
            or (detection.process_type in STATEMENTS and family == VIOLENCE)
        ):
            return happening
    return None


def _speaker_party(detection: Detection, context: ExtractionContext) -> str | None:
    for mention in detection.actors:
        if mention.is_speaker and mention.party:
            return mention.party
    return None
