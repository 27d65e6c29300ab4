"""Clustering claims into incidents: blocking, average linkage, incremental clustering; merge and split.

The algorithm (docs/incidents.md has the long form; steps 1 and 3 live in `similarity.py`):

1. *Profile* every claim: type family (violence / unrest / process, as the dev scorer defines it), the day
   range its date stands for (time precision 1 day, 2 week ±3 days, 3 month ±15 days), point and
   uncertainty radius (geography.PRECISION_RADIUS_KM), actors, fatalities and evidence text.
2. *Block* (`blocking.py`): claims are indexed by (family, process type, dataset, 3-day bucket, grid
   cell sized to their precision radius); a claim is only compared with claims in the buckets and cells
   it can reach, filtered exactly on day gap and distance, so the work grows with the local density,
   not with the square of the archive. Unlocated claims are compared with everything of their family
   in the date window.
3. *Score* each candidate pair in [0, 1]: a weighted mean of date, place, actors, type, fatalities and
   evidence-text similarity; hard rules give 0 (different family or process type, dates or places too
   far apart, same document, a statement by a different claimant).
4. *Link*: greedy average linkage: the pair of clusters with the highest mean pair score (pairs
   below `min_pair_score` count 0) is merged while that mean is ≥ `threshold`, never putting two claims
   of one document, or two events of one dataset, into one cluster. Clusters never leave a connected
   component of the graph of pairs scoring ≥ `threshold`, so the linkage runs per component; the
   incremental clusterer re-runs only the components that new claims touch, which gives exactly the
   batch answer.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from truceline.errors import InvalidInput
from truceline.incidents.blocking import BlockIndex as BlockIndex  # neighbourhood.py imports it here
from truceline.incidents.geography import haversine_km
from truceline.incidents.similarity import ClusterParams, Profile, pair_score, profile_claim
from truceline.incidents.values import Cluster, SourceInfo
from truceline.pipeline.claims import ClaimValue

DEFAULT_PARAMS = ClusterParams()


class IncrementalClusterer:
    """Adds claims to existing clusters; the clusters equal `cluster_claims` on all claims added so far.

    New claims are scored against the index; only the connected components (pairs ≥ threshold) that
    they touch are re-linked, so adding a day's claims costs what that day's neighbourhood costs.
    """

    def __init__(
        self, *, params: ClusterParams = DEFAULT_PARAMS, sources: Mapping[str, SourceInfo] | None = None
    ) -> None:
        self.params = params
        self._sources: dict[str, SourceInfo] = dict(sources or {})
        self._claims: list[ClaimValue] = []
        self._profiles: list[Profile] = []
        self._position: dict[str, int] = {}
        self._edges: list[dict[int, float]] = []
        self._label: list[int] = []  # cluster label = position of the member with the smallest id
        self._members: dict[int, list[int]] = {}
        self._index = BlockIndex(params)

    def __len__(self) -> int:
        return len(self._claims)

    def add(
        self, claims: Iterable[ClaimValue], *, sources: Mapping[str, SourceInfo] | None = None
    ) -> list[Cluster]:
        """Add claims (ids must be new); returns the clusters that changed or were created, sorted."""
        changed = self._add(claims, sources=sources)
        return sorted((self._cluster(label) for label in changed), key=Cluster.sort_key)

    def _add(self, claims: Iterable[ClaimValue], *, sources: Mapping[str, SourceInfo] | None) -> set[int]:
        """`add`, returning the labels of the clusters that changed or were created."""
        if sources:
            self._sources.update(sources)
        new: list[int] = []
        for claim in claims:
            if claim.id in self._position:
                raise InvalidInput(f"claim {claim.id!r}: already clustered; expected a new claim id")
            position = len(self._claims)
            self._position[claim.id] = position
            self._claims.append(claim)
            profile = profile_claim(claim, source=self._sources.get(claim.id), params=self.params)
            self._profiles.append(profile)
            self._edges.append({})
            self._label.append(position)
            self._members[position] = [position]
            self._link(position, self._index.candidates(profile))
            self._index.add(position, profile)
            new.append(position)
        changed: list[int] = []
        seen: set[int] = set()
        for start in new:
            if start in seen:
                continue
            component = self._component(start)
            seen.update(component)
            changed.extend(self._relink(component))
        return set(changed)

    def clusters(self) -> list[Cluster]:
        """Every cluster, sorted by first date then first claim id."""
        return sorted((self._cluster(label) for label in self._members), key=Cluster.sort_key)

    def _cluster(self, label: int) -> Cluster:
        return Cluster.of(self._claims[i] for i in self._members[label])

    def _link(self, node: int, others: Iterable[int]) -> None:
        mine, profiles, params = self._profiles[node], self._profiles, self.params
        for other in others:
            score = pair_score(mine, profiles[other], params=params)
            if score is not None and score >= params.min_pair_score:
                self._edges[node][other] = score
                self._edges[other][node] = score

    def _component(self, start: int) -> list[int]:
        threshold = self.params.threshold
        seen = {start}
        stack = [start]
        while stack:
            node = stack.pop()
            for other, score in self._edges[node].items():
                if score >= threshold and other not in seen:
                    seen.add(other)
                    stack.append(other)
        return sorted(seen, key=lambda i: self._claims[i].id)

    def _relink(self, component: list[int]) -> list[int]:
        for node in component:
            self._members.pop(self._label[node], None)
        if len(component) == 1:  # a claim alone (every imported event, on import): its own cluster
            node = component[0]
            self._members[node] = [node]
            self._label[node] = node
            return [node]
        for label, members in link_average(
            component, self._edges, self._claims, self._profiles, params=self.params
        ).items():
            self._members[label] = members
            for node in members:
                self._label[node] = label
        return sorted({self._label[node] for node in component})


def link_average(
    component: Sequence[int],
    edges: Sequence[Mapping[int, float]],
    claims: Sequence[ClaimValue],
    profiles: Sequence[Profile],
    *,
    params: ClusterParams,
) -> dict[int, list[int]]:
    """Greedy average linkage with a same-document cannot-link, inside one component.

    Ties break on claim ids, so the answer depends only on the claims, not on the order they came in.
    """
    # Claim ids ranked once: comparing two ranks orders as comparing the ids, at the cost of two ints.
    rank = {node: at for at, node in enumerate(sorted(component, key=lambda node: claims[node].id))}
    members: dict[int, list[int]] = {}
    sources: dict[int, set[str]] = {}  # documents and datasets that code a happening once
    extents: dict[int, _Extent] = {}
    sums: dict[int, dict[int, float]] = {}
    for node in component:
        members[node] = [node]
        sources[node] = _coding_sources(profiles[node], params)
        extents[node] = _Extent.of(profiles[node])
        sums[node] = {other: s for other, s in edges[node].items() if other in rank}

    heap: list[tuple[float, int, int, int, int, float, int]] = []
    threshold = params.threshold

    def push(x: int, y: int) -> None:
        total = sums[x][y]
        mean = total / (len(members[x]) * len(members[y]))
        if mean >= threshold:
            if rank[x] > rank[y]:
                x, y = y, x
            heapq.heappush(heap, (-mean, rank[x], rank[y], x, y, total, len(members[x]) + len(members[y])))

    for x in component:
        for y in sums[x]:
            if rank[x] < rank[y]:
                push(x, y)
    while heap:
        _, _, _, x, y, total, size = heapq.heappop(heap)
        if x not in members or y not in members or sums[x].get(y) != total:
            continue  # stale entry: a side has merged since
        if len(members[x]) + len(members[y]) != size:
            continue
        if sources[x] & sources[y]:
            continue
        extent = extents[x].join(extents[y])
        if not extent.fits(params):
            continue  # average linkage alone lets a busy week of one campaign chain into one cluster
        keep, gone = (x, y) if rank[x] < rank[y] else (y, x)
        members[keep] = sorted(members[keep] + members.pop(gone), key=rank.__getitem__)
        sources[keep] |= sources.pop(gone)
        extents[keep] = extent
        del extents[gone]
        gone_sums = sums.pop(gone)
        del sums[keep][gone]
        gone_sums.pop(keep, None)
        for other, s in gone_sums.items():
            sums[other].pop(gone, None)
            merged = sums[keep].get(other, 0.0) + s
            sums[keep][other] = merged
            sums[other][keep] = merged
        for other in sums[keep]:
            push(keep, other)
    return members


def _coding_sources(p: Profile, params: ClusterParams) -> set[str]:
    """What codes a happening once: its document, its dataset; two claims of one never share a cluster."""
    found = set()
    if not params.allow_same_document:
        found.add(f"document {p.document}")
    if p.dataset is not None and not params.allow_same_dataset:
        found.add(f"dataset {p.dataset}")
    return found


@dataclass(frozen=True, slots=True)
class _Extent:
    """How far a cluster reaches: latest start and earliest end of its dates, box of its narrow points."""

    latest_start: int | None
    earliest_end: int | None
    box: tuple[float, float, float, float] | None  # min lat, min lon, max lat, max lon

    @classmethod
    def of(cls, p: Profile) -> _Extent:
        box = None
        if p.lat is not None and p.lon is not None and p.radius_km <= 25.0:
            box = (p.lat, p.lon, p.lat, p.lon)
        return cls(p.day_lo, p.day_hi, box)

    def join(self, other: _Extent) -> _Extent:
        starts = [d for d in (self.latest_start, other.latest_start) if d is not None]
        ends = [d for d in (self.earliest_end, other.earliest_end) if d is not None]
        boxes = [b for b in (self.box, other.box) if b is not None]
        box = None
        if boxes:
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
        return _Extent(max(starts) if starts else None, min(ends) if ends else None, box)

    def fits(self, params: ClusterParams) -> bool:
        starts, ends = self.latest_start, self.earliest_end
        if starts is not None and ends is not None and starts - ends > params.max_span_days:
            return False
        if self.box is not None:
            return haversine_km(self.box[0], self.box[1], self.box[2], self.box[3]) <= params.max_extent_km
        return True


def cluster_claims(
    claims: Sequence[ClaimValue],
    *,
    sources: Mapping[str, SourceInfo] | None = None,
    params: ClusterParams = DEFAULT_PARAMS,
) -> list[Cluster]:
    """Group claims about the same happening; clusters (and claims in them) sorted, output deterministic."""
    clusterer = IncrementalClusterer(params=params, sources=sources)
    clusterer._add(claims, sources=None)  # not `add`: its clusters would be built, sorted and thrown away
    return clusterer.clusters()


def merge_clusters(clusters: Iterable[Cluster]) -> Cluster:
    """One cluster holding every claim of the given clusters (an analyst's merge)."""
    claims: dict[str, ClaimValue] = {}
    for cluster in clusters:
        for claim in cluster.claims:
            claims[claim.id] = claim
    if not claims:
        raise InvalidInput("merge: expected at least one cluster with claims, got none")
    return Cluster.of(claims.values())


def split_cluster(cluster: Cluster, claim_ids: Iterable[str]) -> tuple[Cluster, Cluster]:
    """(the named claims, the rest): an analyst's split; both parts must keep at least one claim."""
    wanted = set(claim_ids)
    unknown = wanted - set(cluster.claim_ids)
    if unknown:
        raise InvalidInput(f"split: claims {sorted(unknown)} are not in {cluster.id}; expected members")
    taken = [c for c in cluster.claims if c.id in wanted]
    rest = [c for c in cluster.claims if c.id not in wanted]
    if not taken or not rest:
        raise InvalidInput(
            f"split: expected a non-empty proper subset of {cluster.id}'s {len(cluster.claims)} claims, "
            f"got {len(taken)}"
        )
    return Cluster.of(taken), Cluster.of(rest)
