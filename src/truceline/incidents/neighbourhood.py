"""Re-clustering around some claims without the archive: their components, found over claims loaded by date.

A cluster never leaves a connected component of the graph of pairs scoring ≥ threshold (clustering.py),
so the clusters that new, corrected or withdrawn claims can change are those of the components holding
them. `Neighbourhood` finds those components lazily: it walks the graph from the seeds, and a claim is
only visited once every claim whose date could let it score with this one has been loaded (its *reach*,
`reach_of`). Until then `missing_reaches` names the date ranges to load. A reach has two bands: claims of
any time precision within the window plus a week's slack, and month-precision claims (whose date stands
for ± 15 days) in the wider band around it, so the claims dated to the day or week (most of them) are not
loaded for the month of slack only month-precise ones need. When nothing is missing the components are
closed, and `link` gives exactly the clusters `cluster_claims` would give them on the whole archive: same
blocking, same scores, same linkage (`tests/workflows/test_reclustering.py`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from truceline.incidents.clustering import DEFAULT_PARAMS, BlockIndex, link_average
from truceline.incidents.similarity import (
    DATE_SLACK_DAYS,
    ClusterParams,
    Family,
    Profile,
    pair_score,
    profile_claim,
)
from truceline.incidents.values import Cluster, SourceInfo
from truceline.pipeline.claims import ClaimValue

MAX_SLACK_DAYS = max(DATE_SLACK_DAYS.values())  # the widest day range a stored date stands for (month: ±15)
# Time precisions whose date stands for at most ± NEAR_SLACK_DAYS (None and 0 count as 1: `profile_claim`);
# any other stands for ± MAX_SLACK_DAYS.
NARROW_PRECISIONS = (0, 1, 2)
NEAR_SLACK_DAYS = max(DATE_SLACK_DAYS[p] for p in NARROW_PRECISIONS if p in DATE_SLACK_DAYS)
DayRange = tuple[int, int]  # proleptic ordinals, both ends included


class Reach(NamedTuple):
    """Event dates (ordinals) of every claim that could score with one: any claim dated in `near`, and a
    claim of a wide time precision (`is_wide_dated`) dated in `far` (which holds `near`)."""

    near: DayRange
    far: DayRange


class DaysToLoad(NamedTuple):
    """Claims the walk needs: those dated within `days` (None: the undated ones), only the wide-dated if
    `is_wide_only`."""

    days: DayRange | None
    is_wide_only: bool = False


def is_wide_dated(time_precision: int | None) -> bool:
    """Whether a stored date of this precision stands for more than ± NEAR_SLACK_DAYS (a month's)."""
    return time_precision is not None and time_precision not in NARROW_PRECISIONS


def reach_of(profile: Profile, *, params: ClusterParams = DEFAULT_PARAMS) -> Reach | None:
    """The dates of every claim that could score with this one; None: undated, meets the undated."""
    if profile.day_lo is None or profile.day_hi is None:
        return None
    window = params.process_window_days if profile.family is Family.PROCESS else params.window_days
    near = profile.day_lo - window - NEAR_SLACK_DAYS, profile.day_hi + window + NEAR_SLACK_DAYS
    return Reach(near, (profile.day_lo - window - MAX_SLACK_DAYS, profile.day_hi + window + MAX_SLACK_DAYS))


class Neighbourhood:
    """Claims loaded around some seeds, and the components of the seeds in the graph of linking pairs."""

    def __init__(self, *, params: ClusterParams = DEFAULT_PARAMS) -> None:
        self.params = params
        self._claims: list[ClaimValue] = []
        self._profiles: list[Profile] = []
        self._reaches: list[Reach | None] = []
        self._position: dict[str, int] = {}
        self._edges: list[dict[int, float]] = []
        self._index = BlockIndex(params)
        self._loaded: list[DayRange] = []  # every claim dated in these is loaded (merged, sorted)
        self._loaded_wide: list[DayRange] = []  # every wide-dated claim dated in these is loaded
        self._is_undated_loaded = False
        self._reached: list[int] = []  # to visit, or to wait for their reach if it is not loaded
        self._waiting: set[int] = set()  # reached, not yet visited: their reach is not loaded
        self._visited: set[int] = set()

    def __len__(self) -> int:
        return len(self._claims)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._position

    def add(self, claims: Iterable[ClaimValue], *, sources: Mapping[str, SourceInfo]) -> None:
        """Load claims (those already loaded are skipped); they are scored when the walk reaches them."""
        for claim in claims:
            if claim.id in self._position:
                continue
            position = len(self._claims)
            self._position[claim.id] = position
            self._claims.append(claim)
            profile = profile_claim(claim, source=sources.get(claim.id), params=self.params)
            self._profiles.append(profile)
            self._reaches.append(reach_of(profile, params=self.params))
            self._edges.append({})
            self._index.add(position, profile)

    def seed(self, claim_ids: Iterable[str]) -> None:
        """Start the walk at these (loaded) claims."""
        self._reached.extend(self._position[claim_id] for claim_id in claim_ids)

    def mark_loaded(self, loads: Iterable[DaysToLoad]) -> None:
        """Every stored claim these name has been added."""
        spans, wide = list(self._loaded), list(self._loaded_wide)
        for load in loads:
            if load.days is None:
                self._is_undated_loaded = True
                continue
            wide.append(load.days)
            if not load.is_wide_only:
                spans.append(load.days)
        self._loaded, self._loaded_wide = _merged(spans), _merged(wide)
        self._reached.extend(self._waiting)  # some may be ready now
        self._waiting.clear()

    def missing_reaches(self) -> list[DaysToLoad]:
        """Walk as far as the loaded claims allow; the claims still to load: the waiting claims' reaches,
        merged, without the days loaded already (each day is read once, and a wide band's day at most twice:
        wide-dated claims, then all)."""
        threshold, reached, visited = self.params.threshold, self._reached, self._visited
        while reached:
            node = reached.pop()
            if node in visited:
                continue
            if not self._is_loaded(self._reaches[node]):
                self._waiting.add(node)
                continue
            visited.add(node)
            self._score_candidates(node)
            reached.extend(
                o for o, score in self._edges[node].items() if score >= threshold and o not in visited
            )
        reaches = [self._reaches[node] for node in self._waiting]
        missing = [DaysToLoad(None)] if None in reaches else []
        near = _without(_merged(r.near for r in reaches if r is not None), self._loaded)
        missing += [DaysToLoad(span) for span in near]
        far = _merged(r.far for r in reaches if r is not None)
        missing += [DaysToLoad(span, True) for span in _without(far, _merged([*self._loaded_wide, *near]))]
        return missing

    def claim_ids(self) -> list[str]:
        """The claims of the seeds' components as walked so far (closed once nothing is missing)."""
        return sorted(self._claims[node].id for node in self._visited)

    def link(self, *, leaving: Iterable[str] = ()) -> list[Cluster]:
        """The clusters of the seeds' components, without the `leaving` claims (corrected or withdrawn)."""
        if self.missing_reaches():
            raise ValueError("link: expected the components closed, found date ranges still to load")
        gone = {self._position[claim_id] for claim_id in leaving if claim_id in self._position}
        clusters: list[Cluster] = []
        # Component by component (a cluster never leaves one): the same clusters as one linkage of them all,
        # with a heap of one component's pairs instead of all of them (a third of the time for 24k claims).
        for component in self._components(self._visited - gone):
            groups = link_average(component, self._edges, self._claims, self._profiles, params=self.params)
            clusters.extend(Cluster.of(self._claims[node] for node in members) for members in groups.values())
        return sorted(clusters, key=Cluster.sort_key)

    def _components(self, nodes: set[int]) -> list[list[int]]:
        """The connected components of these claims in the graph of pairs ≥ threshold, each sorted by id."""
        threshold, edges = self.params.threshold, self._edges
        seen: set[int] = set()
        found: list[list[int]] = []
        for start in nodes:
            if start in seen:
                continue
            seen.add(start)
            component, stack = [], [start]
            while stack:
                node = stack.pop()
                component.append(node)
                for other, score in edges[node].items():
                    if score >= threshold and other in nodes and other not in seen:
                        seen.add(other)
                        stack.append(other)
            found.append(sorted(component, key=lambda node: self._claims[node].id))
        return found

    def _is_loaded(self, reach: Reach | None) -> bool:
        if reach is None:
            return self._is_undated_loaded
        return _covers(self._loaded, reach.near) and _covers(self._loaded_wide, reach.far)

    def _score_candidates(self, node: int) -> None:
        """Score the claim against its candidates, except those visited: a visited claim was scored against
        every claim that can pair with it (all were loaded: its reach was), this one included."""
        mine, profiles, edges, visited = self._profiles[node], self._profiles, self._edges, self._visited
        min_score, params = self.params.min_pair_score, self.params
        for other in self._index.candidates(mine):
            if other == node or other in visited:
                continue
            score = pair_score(mine, profiles[other], params=params)
            if score is not None and score >= min_score:
                edges[node][other] = score
                edges[other][node] = score


def _covers(spans: list[DayRange], days: DayRange) -> bool:
    """Whether the merged spans hold every day of `days`: then the last span starting at or before it does."""
    at = bisect_right(spans, days[0], key=_first_day) - 1
    return at >= 0 and spans[at][0] <= days[0] and days[1] <= spans[at][1]


def _first_day(span: DayRange) -> int:
    return span[0]


def _without(spans: list[DayRange], loaded: list[DayRange]) -> list[DayRange]:
    """The days of `spans` not in `loaded` (both merged), as ranges."""
    missing: list[DayRange] = []
    for lo, hi in spans:
        for loaded_lo, loaded_hi in loaded:
            if loaded_hi < lo or hi < loaded_lo:
                continue
            if lo < loaded_lo:
                missing.append((lo, loaded_lo - 1))
            lo = loaded_hi + 1
            if lo > hi:
                break
        if lo <= hi:
            missing.append((lo, hi))
    return missing


def _merged(spans: Iterable[DayRange]) -> list[DayRange]:
    """The same days as sorted, disjoint, non-adjacent ranges."""
    merged: list[DayRange] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged
