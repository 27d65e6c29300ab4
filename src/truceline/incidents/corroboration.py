"""How many independent sources stand behind an incident, and how far that corroborates it (with reasons).

Independence rules, applied to the reports (documents) behind a cluster's claims:
1. several claims from one document are one report;
2. reports from the same outlet are one source;
3. syndicated copies of one story — documents whose MinHash similarity is ≥ `syndication_threshold`,
   or whose evidence sentences are near-identical — are one source;
4. reports that only relay one party's statement (every claim alleged, same claimant) are one source:
   the party is the source, however many outlets quote it.
The score combines the independent sources like independent witnesses (noisy-OR):
`score = 1 − Π (1 − w_i)`, where `w_i` is the weight of source i's best Admiralty grade
(RELIABILITY_WEIGHT), halved when the source only relays a party's own allegation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from truceline.incidents.values import Reliability, SourceInfo
from truceline.pipeline.claims import ClaimValue

RELIABILITY_WEIGHT: dict[Reliability, float] = {
    Reliability.A: 0.9,
    Reliability.B: 0.75,
    Reliability.C: 0.55,
    Reliability.D: 0.3,
    Reliability.E: 0.1,
    Reliability.F: 0.4,  # cannot be judged: below a fairly reliable source, above a poor one
}
ALLEGATION_FACTOR = 0.5  # a party's own claim is evidence that it claims, less that it happened
FINGERPRINT_PERMUTATIONS = 64
SHINGLE_WORDS = 3
EVIDENCE_DUPLICATE_RATIO = 90.0  # rapidfuzz ratio above which two evidence sentences are one text
_GRADE_ORDER = "ABCDEF"


def fingerprint_text(text: str, *, num_perm: int = FINGERPRINT_PERMUTATIONS) -> tuple[int, ...]:
    """MinHash of the word 3-shingles of a text (fixed seed, so fingerprints compare across runs)."""
    # Imported on first use: datasketch imports scipy (~70 MB), which the web server never needs.
    from datasketch import MinHash

    words = text.lower().split()
    shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    sketch = MinHash(num_perm=num_perm, seed=1)
    sketch.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return tuple(int(v) for v in sketch.hashvalues)


def fingerprint_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


@dataclass(frozen=True, slots=True)
class SourceGroup:
    """Reports that count as one independent source, and why they were put together."""

    document_ids: tuple[str, ...]
    outlets: tuple[str, ...]
    reliability: Reliability
    claimant: str | None  # set when the group only relays this party's statement
    weight: float


@dataclass(frozen=True, slots=True)
class Corroboration:
    independent_sources: int
    score: float
    groups: tuple[SourceGroup, ...]
    reasons: tuple[str, ...]


@dataclass(slots=True)
class _Report:
    document_id: str
    outlet: str
    reliability: Reliability
    fingerprint: tuple[int, ...] | None
    evidence: tuple[str, ...]
    claimant: str | None


def corroborate(
    claims: Sequence[ClaimValue],
    *,
    sources: Mapping[str, SourceInfo] | None = None,
    syndication_threshold: float = 0.5,
) -> Corroboration:
    """Count the independent sources behind `claims` and score the corroboration in [0, 1]."""
    sources = sources or {}
    # One report (every claim from one document, e.g. an imported event) is compared with nothing: its
    # fingerprint is not needed, and its score and reasons follow from its outlet, grade and claimant.
    is_one_report = len({claim.document_id for claim in claims}) == 1
    reports = _reports(claims, sources, with_fingerprints=not is_one_report)
    if not reports:
        return Corroboration(0, 0.0, (), ("no reports",))
    if is_one_report:
        group = _group(reports)
        score, summary = _one_source(group.outlets, group.reliability, group.claimant, group.weight)
        return Corroboration(1, score, (group,), summary)
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons: list[str] = []

    def join(i: int, j: int, why: str) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
            reasons.append(why)

    for i, a in enumerate(reports):
        for j in range(i + 1, len(reports)):
            b = reports[j]
            pair = f"{a.document_id} ({a.outlet}) and {b.document_id} ({b.outlet})"
            if a.outlet.lower() == b.outlet.lower() and not a.outlet.startswith("unknown"):
                join(i, j, f"{pair}: same outlet — counted once")
            elif a.claimant is not None and a.claimant == b.claimant:
                join(i, j, f"{pair}: both only relay a statement by {a.claimant} — counted once")
            elif a.fingerprint and b.fingerprint:
                similarity = fingerprint_similarity(a.fingerprint, b.fingerprint)
                if similarity >= syndication_threshold:
                    join(i, j, f"{pair}: syndicated copies (text similarity {similarity:.2f}) — counted once")
            elif _has_same_evidence(a, b):
                join(i, j, f"{pair}: near-identical evidence sentences (syndicated copy) — counted once")
    members: dict[int, list[_Report]] = {}
    for i, report in enumerate(reports):
        members.setdefault(find(i), []).append(report)
    groups = tuple(_group(found) for _, found in sorted(members.items()))
    score, summary = _summary(len(reports), len({r.outlet.lower() for r in reports}), groups)
    return Corroboration(len(groups), score, groups, summary + tuple(reasons))


@lru_cache(maxsize=1024)
def _one_source(
    outlets: tuple[str, ...], reliability: Reliability, claimant: str | None, weight: float
) -> tuple[float, tuple[str, ...]]:
    """`_summary` of one report: many incidents share it (every single-event incident of one dataset)."""
    group = SourceGroup(
        document_ids=(), outlets=outlets, reliability=reliability, claimant=claimant, weight=weight
    )
    return _summary(1, 1, (group,))


def _summary(
    report_count: int, outlet_count: int, groups: Sequence[SourceGroup]
) -> tuple[float, tuple[str, ...]]:
    """The score of independent source groups, and the reasons that say how it was reached."""
    miss = 1.0
    for group in groups:
        miss *= 1.0 - group.weight
    score = round(1.0 - miss, 4)
    summary = [f"{report_count} report(s) from {outlet_count} outlet(s): {len(groups)} independent source(s)"]
    for group in groups:
        line = (
            f"source {' + '.join(group.outlets)}: grade {group.reliability.value} ({group.reliability.label})"
        )
        if group.claimant:
            line += f", only relays {group.claimant}'s allegation (weight halved)"
        summary.append(f"{line}, weight {group.weight:.2f}")
    summary.append(f"corroboration {score:.2f} = 1 − Π(1 − weight) over the independent sources")
    return score, tuple(summary)


def _reports(
    claims: Sequence[ClaimValue], sources: Mapping[str, SourceInfo], *, with_fingerprints: bool = True
) -> list[_Report]:
    by_document: dict[str, list[ClaimValue]] = {}
    for claim in sorted(claims, key=lambda c: c.id):
        by_document.setdefault(claim.document_id, []).append(claim)
    reports = []
    for document_id, found in sorted(by_document.items()):
        info = next((sources[c.id] for c in found if c.id in sources), None)
        fingerprint = None
        if info is not None and with_fingerprints:
            fingerprint = info.fingerprint or (fingerprint_text(info.text) if info.text else None)
        claimants = {c.claimant if c.alleged else None for c in found}
        claimant = claimants.pop() if len(claimants) == 1 else None
        reports.append(
            _Report(
                document_id=document_id,
                outlet=info.outlet
                if info is not None and info.outlet
                else f"unknown outlet of {document_id}",
                reliability=info.reliability if info is not None else Reliability.F,
                fingerprint=fingerprint,
                evidence=tuple(c.evidence.text for c in found if c.evidence.text),
                claimant=claimant,
            )
        )
    return reports


def _has_same_evidence(a: _Report, b: _Report) -> bool:
    return any(fuzz.ratio(x, y) >= EVIDENCE_DUPLICATE_RATIO for x in a.evidence for y in b.evidence)


def _group(reports: list[_Report]) -> SourceGroup:
    best = min((r.reliability for r in reports), key=lambda g: _GRADE_ORDER.index(g.value))
    claimants = {r.claimant for r in reports}
    claimant = claimants.pop() if len(claimants) == 1 else None
    weight = RELIABILITY_WEIGHT[best] * (ALLEGATION_FACTOR if claimant else 1.0)
    outlets = tuple(sorted({r.outlet for r in reports}))
    return SourceGroup(
        document_ids=tuple(r.document_id for r in reports),
        outlets=outlets,
        reliability=best,
        claimant=claimant,
        weight=round(weight, 4),
    )
