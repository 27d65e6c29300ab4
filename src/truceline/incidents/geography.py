"""Border geography of a claim or incident, honest about how precisely its place is known.

A place coded to a province (`geo_precision` 3) is somewhere within ~150 km of its point, so its
distance to the border is a range and "inside the buffer" may be uncertain; this module says so
instead of reporting "0.4 km from the border" for a province centroid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

# ACLED geo precision -> uncertainty radius around the point, in km:
#   1 town or exact place: the town's extent (~5 km);
#   2 near a town / district: a typical district in the border provinces (~25 km);
#   3 province or wider: a border province (~150 km).
# Unknown precision is treated as 3: claiming more would overstate what we know.
PRECISION_RADIUS_KM: dict[int, float] = {1: 5.0, 2: 25.0, 3: 150.0}
UNKNOWN_PRECISION = 3
EARTH_RADIUS_KM = 6371.0088


def radius_km_for(geo_precision: int | None) -> float:
    """The uncertainty radius of a location coded with `geo_precision` (see PRECISION_RADIUS_KM)."""
    if geo_precision is None or geo_precision not in PRECISION_RADIUS_KM:
        geo_precision = UNKNOWN_PRECISION if geo_precision is None or geo_precision > 3 else 1
    return PRECISION_RADIUS_KM[geo_precision]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance on the mean Earth sphere (IUGG mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km_many(
    lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """`haversine_km` from one point to many (NaN where a coordinate is NaN); equal to it up to rounding."""
    p1, p2 = math.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    h = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return distance


class BorderGeography(Protocol):
    """What this module asks of a scenario's geography (`truceline.scenarios.geography.get_geography`)."""

    def side_of(self, lat: float, lon: float) -> str | None: ...

    def km_to_border(self, lat: float, lon: float) -> float | None: ...

    def sides_and_km_to_border(
        self, lats: Sequence[float], lons: Sequence[float]
    ) -> list[tuple[str | None, float]]: ...

    def is_in_buffer(self, lat: float, lon: float) -> bool: ...

    def nearest_crossing(self, lat: float, lon: float) -> tuple[Any, float] | None: ...

    def admin1_of(self, lat: float, lon: float) -> str | None: ...


class BufferStatus(StrEnum):
    YES = "yes"
    NO = "no"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True, slots=True)
class BorderPosition:
    """Where a located point stands relative to the border, with the uncertainty of its precision."""

    lat: float
    lon: float
    geo_precision: int | None
    radius_km: float
    side: str | None
    is_side_certain: bool
    km_to_border: float | None
    km_to_border_range: tuple[float, float] | None
    in_buffer: BufferStatus
    buffer_km: float | None
    admin1: str | None
    nearest_crossing: str | None
    km_to_crossing: float | None
    sector: str | None

    def describe(self) -> str:
        """One human line, e.g. "PK side, 0–150 km from the border (province-level location)"."""
        level = {1: "town-level", 2: "district-level"}.get(self.geo_precision or 3, "province-level")
        side = f"{self.side} side" if self.side else "side unknown"
        if self.side and not self.is_side_certain:
            side += " (either side within the uncertainty)"
        if self.km_to_border is None or self.km_to_border_range is None:
            distance = "distance to the border unknown"
        elif self.geo_precision == 1:
            distance = f"{self.km_to_border:.1f} km from the border (± {self.radius_km:.0f} km)"
        else:
            low, high = self.km_to_border_range
            distance = (
                f"{low:.0f}–{high:.0f} km from the border"
                if low > 0
                else f"within {high:.0f} km of the border"
            )
        buffer = {
            BufferStatus.YES: "inside the buffer zone",
            BufferStatus.NO: "outside the buffer zone",
            BufferStatus.UNCERTAIN: "possibly inside the buffer zone",
        }[self.in_buffer]
        parts = [side, distance, buffer]
        if self.nearest_crossing and self.km_to_crossing is not None:
            parts.append(f"nearest crossing {self.nearest_crossing} ({self.km_to_crossing:.0f} km)")
        if self.sector:
            parts.append(f"sector {self.sector}")
        return f"{', '.join(parts)} ({level} location)"


def locate_on_border(
    lat: float, lon: float, *, geo_precision: int | None, geography: BorderGeography
) -> BorderPosition:
    """Side, distance range, buffer status, nearest crossing and sector for a point of given precision.

    The distance to the line is given as [max(0, d - r), d + r] where r is the precision radius; the
    side is certain only when d > r; the buffer status is "yes" when d + r is inside the buffer width,
    "no" when d - r is beyond it, "uncertain" otherwise.
    """
    radius = radius_km_for(geo_precision)
    side = geography.side_of(lat, lon)
    distance = geography.km_to_border(lat, lon)
    buffer_km = _buffer_km(geography)
    if distance is None:
        km_range = None
        is_side_certain = False
        in_buffer = BufferStatus.UNCERTAIN
    else:
        km_range = (max(0.0, distance - radius), distance + radius)
        is_side_certain = distance > radius
        in_buffer = _buffer_status(
            lat, lon, distance=distance, radius=radius, buffer_km=buffer_km, geo=geography
        )
    crossing_name: str | None = None
    crossing_km: float | None = None
    found = geography.nearest_crossing(lat, lon)
    if found is not None:
        crossing, crossing_km = found
        crossing_name = str(getattr(crossing, "name", crossing))
        crossing_km = float(crossing_km)
    return BorderPosition(
        lat=lat,
        lon=lon,
        geo_precision=geo_precision,
        radius_km=radius,
        side=side,
        is_side_certain=is_side_certain and side is not None,
        km_to_border=distance,
        km_to_border_range=km_range,
        in_buffer=in_buffer,
        buffer_km=buffer_km,
        admin1=geography.admin1_of(lat, lon),
        nearest_crossing=crossing_name,
        km_to_crossing=crossing_km,
        sector=_sector_of(geography, lat, lon),
    )


def _buffer_km(geography: BorderGeography) -> float | None:
    for name in ("buffer_km", "buffer_width_km"):
        value = getattr(geography, name, None)
        if isinstance(value, int | float):
            return float(value)
    return None


def _buffer_status(
    lat: float, lon: float, *, distance: float, radius: float, buffer_km: float | None, geo: BorderGeography
) -> BufferStatus:
    if buffer_km is not None:
        if distance + radius <= buffer_km:
            return BufferStatus.YES
        if distance - radius > buffer_km:
            return BufferStatus.NO
        return BufferStatus.UNCERTAIN
    # Without a known width only the point itself can be tested: exact points get a yes/no answer.
    inside = geo.is_in_buffer(lat, lon)
    if radius <= PRECISION_RADIUS_KM[1] and inside:
        return BufferStatus.YES
    return BufferStatus.NO if not inside and distance > radius else BufferStatus.UNCERTAIN


def _sector_of(geography: BorderGeography, lat: float, lon: float) -> str | None:
    """Sectors are optional in a scenario's geography; when present they answer `sector_of(lat, lon)`."""
    sector_of = getattr(geography, "sector_of", None)
    if sector_of is None:
        return None
    found = sector_of(lat, lon)
    if found is None:
        return None
    return str(getattr(found, "name", found))
