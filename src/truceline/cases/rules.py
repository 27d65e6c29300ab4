"""Pure rules for verification: the case status machine, finding vocabularies and the
signed finding message, penalties, and the areas of notified activities. No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from shapely.geometry import Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from truceline.db.versions import base_id
from truceline.errors import Conflict, InvalidInput
from truceline.ledger.encoding import canonical_json

# --- the case status machine -------------------------------------------------------------------------


class CaseStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    FINDING_PROPOSED = "finding_proposed"
    FINDING_ADOPTED = "finding_adopted"
    CLOSED = "closed"


# Every legal move. A proposed finding that the mediators reject sends the case back to investigation.
TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.INVESTIGATING}),
    CaseStatus.INVESTIGATING: frozenset({CaseStatus.FINDING_PROPOSED}),
    CaseStatus.FINDING_PROPOSED: frozenset({CaseStatus.FINDING_ADOPTED, CaseStatus.INVESTIGATING}),
    CaseStatus.FINDING_ADOPTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}


def parse_case_status(value: str) -> CaseStatus:
    try:
        return CaseStatus(value)
    except ValueError:
        choices = ", ".join(s.value for s in CaseStatus)
        raise InvalidInput(f"status: expected one of {choices}, got {value!r}") from None


def check_transition(case_id: str, current: str, new: str) -> CaseStatus:
    """The new status if the move is legal; Conflict "case X: cannot go from A to B" otherwise."""
    target = parse_case_status(new)
    source = parse_case_status(current)
    if target not in TRANSITIONS[source]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[source])) or "nothing (final)"
        raise Conflict(
            f"case {case_id}: cannot go from {source.value} to {target.value} (allowed: {allowed})"
        )
    return target


# --- findings ----------------------------------------------------------------------------------------


class Verdict(StrEnum):
    VIOLATION_CONFIRMED = "violation_confirmed"
    NOT_CONFIRMED = "not_confirmed"
    INCONCLUSIVE = "inconclusive"


class Responsibility(StrEnum):
    """`forces`: the party's own forces acted; `host`: it hosts an armed group it failed to act against."""

    FORCES = "forces"
    HOST = "host"


class Confidence(StrEnum):
    """Estimative language (ICD 203 style), strongest first."""

    ALMOST_CERTAIN = "almost_certain"
    LIKELY = "likely"
    ROUGHLY_EVEN = "roughly_even"
    UNLIKELY = "unlikely"


class FindingStatus(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    PUBLISHED = "published"


FINDING_DOMAIN = "truceline-finding/v1"


def parse_choice(enum: type[StrEnum], field: str, value: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(f"{field}: expected one of {choices}, got {value!r}") from None


def check_finding_fields(*, verdict: str, responsible_party: str | None, responsibility: str | None) -> None:
    """A confirmed violation names who is responsible and how; other verdicts may name no one."""
    parse_choice(Verdict, "verdict", verdict)
    if responsibility is not None:
        parse_choice(Responsibility, "responsibility", responsibility)
    if verdict == Verdict.VIOLATION_CONFIRMED and (responsible_party is None or responsibility is None):
        raise InvalidInput(
            "a confirmed violation needs responsible_party and responsibility (forces or host)"
        )
    if (responsible_party is None) != (responsibility is None):
        raise InvalidInput("give responsible_party and responsibility together, or neither")


def finding_message(content: Mapping[str, Any]) -> bytes:
    """What a mediator signs: RFC 8785 bytes of the domain tag and the finding's substance.

    `content` is `finding_content(...)`; the status and version are left out, so signatures made on
    the proposed finding stay valid for the adopted and published versions of the same substance.
    """
    return canonical_json({"domain": FINDING_DOMAIN, **dict(content)})


def finding_content(
    *,
    finding_id: str,
    case_id: str,
    verdict: str,
    responsible_party: str | None,
    responsibility: str | None,
    clause_ids: list[Any],
    confidence: str,
    rationale: str,
) -> dict[str, Any]:
    return {
        "finding_id": base_id(finding_id),
        "case_id": base_id(case_id),
        "verdict": verdict,
        "responsible_party": responsible_party,
        "responsibility": responsibility,
        "clause_ids": list(clause_ids),
        "confidence": confidence,
        "rationale": rationale,
    }


# --- notified activities -----------------------------------------------------------------------------


class NotificationKind(StrEnum):
    TROOP_ROTATION = "troop_rotation"
    REPAIRS = "repairs"
    EVACUATION = "evacuation"
    CROSSING_REOPENING = "crossing_reopening"
    EXERCISE = "exercise"
    OTHER = "other"


MAX_RADIUS_KM = 200.0
EARTH_RADIUS_KM = 6371.0088


def check_area(area: Mapping[str, Any]) -> BaseGeometry:
    """A notified area: a GeoJSON Polygon, or a Point with `radius_km`; coordinates are [lon, lat]."""
    kind = area.get("type")
    if kind == "Point":
        radius = area.get("radius_km")
        if not isinstance(radius, int | float) or isinstance(radius, bool) or not 0 < radius <= MAX_RADIUS_KM:
            raise InvalidInput(f"area: a Point needs radius_km in (0, {MAX_RADIUS_KM:g}], got {radius!r}")
        point = _geometry({"type": "Point", "coordinates": area.get("coordinates")})
        if not isinstance(point, Point) or point.is_empty:
            raise InvalidInput("area: the Point has no coordinates")
        _check_lon_lat(point.x, point.y)
        return point
    if kind == "Polygon":
        polygon = _geometry({"type": "Polygon", "coordinates": area.get("coordinates")})
        if not isinstance(polygon, Polygon) or polygon.is_empty or not polygon.is_valid or polygon.area == 0:
            raise InvalidInput("area: the Polygon is empty, self-intersecting or has no area")
        for lon, lat, *_ in polygon.exterior.coords:
            _check_lon_lat(lon, lat)
        return polygon
    raise InvalidInput(f"area: expected a GeoJSON Polygon or a Point with radius_km, got type {kind!r}")


def _geometry(geojson: Mapping[str, Any]) -> BaseGeometry:
    try:
        return shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise InvalidInput(f"area: not valid GeoJSON {geojson.get('type')}: {exc}") from exc


def _check_lon_lat(lon: float, lat: float) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"area: coordinates must be [lon, lat] in degrees, got [{lon}, {lat}]")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def is_in_area(area: Mapping[str, Any], *, lat: float, lon: float) -> bool:
    geometry = check_area(area)
    if isinstance(geometry, Point):
        return distance_km(geometry.y, geometry.x, lat, lon) <= float(area["radius_km"])
    return bool(geometry.covers(Point(lon, lat)))


def is_in_window(day: date, *, starts_at: datetime, ends_at: datetime) -> bool:
    """Claims are dated to the day, so a claim counts when its day overlaps the notified window."""
    return starts_at.date() <= day <= ends_at.date()
