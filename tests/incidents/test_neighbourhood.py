from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from truceline.incidents.clustering import cluster_claims
from truceline.incidents.neighbourhood import Neighbourhood, is_wide_dated
from truceline.pipeline.claims import ClaimValue

from .builders import CHAMAN, KHOST, make_claim


def an_archive(seed: int = 1, *, precisions: tuple[int, ...] = (1,)) -> list[ClaimValue]:
    """Reports of clashes at two places over two months: some share a happening, most do not."""
    rng = random.Random(seed)
    claims = []
    for number in range(80):
        day = date(2025, 10, 1) + timedelta(days=rng.randrange(60))
        place = rng.choice([CHAMAN, KHOST])
        for report in range(rng.randint(1, 3)):
            claims.append(
                make_claim(
                    f"o{report}-{number}-c1",
                    day=day,
                    place=place,
                    best=rng.choice([1, 2]),
                    time_precision=rng.choice(precisions),
                )
            )
    return claims


def walk(archive: list[ClaimValue], seeds: list[ClaimValue]) -> Neighbourhood:
    """Load the seeds, then what the walk asks for, from the archive as a database would."""
    hood = Neighbourhood()
    hood.add(seeds, sources={})
    hood.seed(c.id for c in seeds)
    while missing := hood.missing_reaches():
        for load in missing:
            assert load.days is not None
            lo, hi = load.days
            hood.add(
                (
                    c
                    for c in archive
                    if c.event_date
                    and lo <= c.event_date.toordinal() <= hi
                    and (is_wide_dated(c.time_precision) or not load.is_wide_only)
                ),
                sources={},
            )
        hood.mark_loaded(missing)
    return hood


def test_the_clusters_around_new_claims_are_those_of_the_whole_archive() -> None:
    archive = an_archive()
    new = archive[-5:]
    hood = walk(archive, new)
    whole = {c.claim_ids for c in cluster_claims(archive)}
    around = {c.claim_ids for c in hood.link()}
    assert around <= whole
    assert {c.id for c in new} <= {i for ids in around for i in ids}
    assert len(hood) < len(archive)  # only the neighbourhood was loaded


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_the_walk_reaches_month_precise_claims_beyond_the_near_band(seed: int) -> None:
    # A date of month precision stands for ± 15 days: such claims are loaded from the wide band too.
    archive = an_archive(seed, precisions=(1, 1, 1, 2, 3))
    new = archive[-8:]
    hood = walk(archive, new)
    around = {c.claim_ids for c in hood.link()}
    assert around <= {c.claim_ids for c in cluster_claims(archive)}
    assert {c.id for c in new} <= {i for ids in around for i in ids}


def test_claims_leaving_are_left_out_and_their_neighbours_regrouped() -> None:
    archive = an_archive(seed=2)
    leaving = archive[10]
    remaining = [c for c in archive if c.id != leaving.id]
    hood = walk(remaining, [leaving])
    around = {c.claim_ids for c in hood.link(leaving=[leaving.id])}
    assert around <= {c.claim_ids for c in cluster_claims(remaining)}
    assert all(leaving.id not in ids for ids in around)


def test_linking_before_the_walk_is_closed_is_refused() -> None:
    hood = Neighbourhood()
    hood.add([make_claim("a-c1")], sources={})
    hood.seed(["a-c1"])
    with pytest.raises(ValueError, match="still to load"):
        hood.link()
