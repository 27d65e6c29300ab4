"""Blocking: for a claim, the claims it could score with, so that pairs are not scored across the archive.

Exact by construction: every pair `score_pair` would score (not None) is a candidate pair. Claims are
indexed by kind (family, process type, dataset) and 3-day date bucket and, when located, by a grid cell
whose size follows the claim's uncertainty radius (a *tier*: town/district points on a 0.5° grid, province
points on a 2° grid), so a province-level claim meets the claims within its reach, not its whole date
window. What
the buckets and cells give is then filtered exactly on the day gap and the distance in one numpy pass
(`score_pair`'s own hard rules, with a micrometre of slack for rounding), so only pairs that can score are
handed to `score_pair`. An event imported from a dataset never meets the events of its own dataset (a
dataset codes each happening once): importing 100,000 ACLED rows compares none of them with each other.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from truceline.incidents.geography import haversine_km_many
from truceline.incidents.similarity import ClusterParams, Family, Profile

# A degree of latitude on the haversine sphere is 111.195 km; rounding it down only widens the search.
_KM_PER_DEG_LAT = 111.19
# (largest uncertainty radius in km, grid cell in multiples of `cell_deg`): the town/district points, the
# province points. A located claim wider than the last tier is compared like an unlocated one.
TIERS: tuple[tuple[float, int], ...] = ((25.0, 1), (150.0, 4))
_SLACK_KM = 1e-6  # numpy's and math's sines may differ in the last bit; score_pair decides at the edge
_T = TypeVar("_T", bound=np.generic)
_FEW = 48  # candidates below which the numpy filter costs more than it saves
_Kind = tuple[str, str, str]  # family, process type, dataset ("" for reports)


class BlockIndex:
    """Candidates by (kind, date bucket, tier, grid cell); unlocated claims by (kind, date bucket)."""

    def __init__(self, params: ClusterParams) -> None:
        self.params = params
        # (kind, tier, bucket) -> grid cell -> claims
        self._cells: dict[tuple[str, str, str, int, int], dict[tuple[int, int], list[int]]] = {}
        self._anywhere: dict[tuple[str, str, str, int], list[int]] = defaultdict(
            list
        )  # place cannot rule out
        self._every: dict[tuple[str, str, str, int], list[int]] = defaultdict(list)
        self._undated: dict[_Kind, list[int]] = defaultdict(list)
        self._datasets: set[str] = set()  # "" for reports
        self._day_lo = np.zeros(0, dtype=np.int64)
        self._day_hi = np.zeros(0, dtype=np.int64)
        self._lat = np.zeros(0, dtype=np.float64)  # NaN: not located
        self._lon = np.zeros(0, dtype=np.float64)
        self._radius_km = np.zeros(0, dtype=np.float64)

    def add(self, index: int, p: Profile) -> None:
        kind = self._kind_of(p)
        self._datasets.add(kind[2])
        if p.day_lo is None or p.day_hi is None:
            self._undated[kind].append(index)
            return
        self._store(index, p)
        tier = self._tier(p)
        for bucket in self._buckets(p.day_lo, p.day_hi):
            self._every[(*kind, bucket)].append(index)
            if tier is None:
                self._anywhere[(*kind, bucket)].append(index)
            else:
                assert p.lat is not None and p.lon is not None
                grid = self._cells.setdefault((*kind, tier, bucket), {})
                grid.setdefault(self._cell(p.lat, p.lon, tier), []).append(index)

    def candidates(self, p: Profile) -> list[int]:
        """Indexed claims (ascending; `p` itself too, if indexed) whose day gap and distance to `p` let
        the pair score."""
        kinds = self._kinds_met_by(p)
        if not kinds:
            return []  # e.g. an ACLED event while only ACLED events are indexed
        if p.day_lo is None or p.day_hi is None:
            return sorted(i for kind in kinds for i in self._undated.get(kind, ()))
        window = self.params.process_window_days if p.family is Family.PROCESS else self.params.window_days
        buckets = self._buckets(p.day_lo - window, p.day_hi + window)
        found: list[int] = []
        tier = self._tier(p)
        if tier is None:
            for kind in kinds:
                for bucket in buckets:
                    found.extend(self._every.get((*kind, bucket), ()))
            return self._within_reach(p, found, window=window)
        assert p.lat is not None and p.lon is not None
        for kind in kinds:
            for bucket in buckets:
                found.extend(self._anywhere.get((*kind, bucket), ()))
        for other_tier, (max_radius_km, _) in enumerate(TIERS):
            reach_km = p.radius_km + max_radius_km + self.params.link_km
            size_deg = self._cell_deg(other_tier)
            cos_lat = max(0.1, math.cos(math.radians(min(89.0, abs(p.lat) + reach_km / _KM_PER_DEG_LAT))))
            span_y = math.ceil(reach_km / (size_deg * _KM_PER_DEG_LAT))
            span_x = math.ceil(reach_km / (size_deg * _KM_PER_DEG_LAT * cos_lat))
            cy, cx = self._cell(p.lat, p.lon, other_tier)
            area = (2 * span_y + 1) * (2 * span_x + 1)
            for kind in kinds:
                for bucket in buckets:
                    grid = self._cells.get((*kind, other_tier, bucket))
                    if not grid:
                        continue
                    if len(grid) < area:  # fewer cells hold claims than the search covers: walk those
                        for (y, x), held in grid.items():
                            if abs(y - cy) <= span_y and abs(x - cx) <= span_x:
                                found.extend(held)
                        continue
                    for y in range(cy - span_y, cy + span_y + 1):
                        for x in range(cx - span_x, cx + span_x + 1):
                            found.extend(grid.get((y, x), ()))
        return self._within_reach(p, found, window=window)

    def _within_reach(self, p: Profile, found: list[int], *, window: int) -> list[int]:
        """The found claims, once each, whose day gap to `p` is within the window and place within reach."""
        if len(found) <= _FEW:
            return sorted(set(found))  # score_pair's own checks cost less than a numpy pass here
        assert p.day_lo is not None and p.day_hi is not None
        ids = np.unique(np.asarray(found, dtype=np.int64))
        keep = (self._day_lo[ids] - p.day_hi <= window) & (p.day_lo - self._day_hi[ids] <= window)
        if p.lat is not None and p.lon is not None:
            distance_km = haversine_km_many(p.lat, p.lon, self._lat[ids], self._lon[ids])
            reach_km = p.radius_km + self._radius_km[ids] + self.params.link_km + _SLACK_KM
            keep &= ~(distance_km > reach_km)  # NaN (the other is not located) is kept
        chosen: list[int] = ids[keep].tolist()
        return chosen

    def _kind_of(self, p: Profile) -> _Kind:
        dataset = "" if self.params.allow_same_dataset else p.dataset or ""
        return p.family.value, p.process_type or "", dataset

    def _kinds_met_by(self, p: Profile) -> list[_Kind]:
        """The kinds `p` can pair with: its own family and process type, any dataset but its own."""
        family, process, own = self._kind_of(p)
        return [(family, process, d) for d in sorted(self._datasets) if not (own and d == own)]

    def _store(self, index: int, p: Profile) -> None:
        if index >= len(self._day_lo):
            size = max(1024, 2 * len(self._day_lo), index + 1)
            self._day_lo = _grown(self._day_lo, size)
            self._day_hi = _grown(self._day_hi, size)
            self._lat = _grown(self._lat, size)
            self._lon = _grown(self._lon, size)
            self._radius_km = _grown(self._radius_km, size)
        assert p.day_lo is not None and p.day_hi is not None
        self._day_lo[index] = p.day_lo
        self._day_hi[index] = p.day_hi
        self._lat[index] = math.nan if p.lat is None or p.lon is None else p.lat
        self._lon[index] = math.nan if p.lat is None or p.lon is None else p.lon
        self._radius_km[index] = p.radius_km

    def _tier(self, p: Profile) -> int | None:
        if p.lat is None or p.lon is None:
            return None
        for tier, (max_radius_km, _) in enumerate(TIERS):
            if p.radius_km <= max_radius_km:
                return tier
        return None

    def _cell_deg(self, tier: int) -> float:
        return self.params.cell_deg * TIERS[tier][1]

    def _cell(self, lat: float, lon: float, tier: int) -> tuple[int, int]:
        size = self._cell_deg(tier)
        return math.floor(lat / size), math.floor(lon / size)

    def _buckets(self, lo: int, hi: int) -> range:
        size = self.params.bucket_days
        return range(lo // size, hi // size + 1)


def _grown(values: npt.NDArray[_T], size: int) -> npt.NDArray[_T]:
    grown = np.zeros(size, dtype=values.dtype)  # gaps are never read: only stored positions are indexed
    grown[: len(values)] = values
    return grown
