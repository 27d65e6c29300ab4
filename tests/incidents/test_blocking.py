from __future__ import annotations

import random
from datetime import date, timedelta

from truceline.incidents.blocking import BlockIndex
from truceline.incidents.similarity import ClusterParams, profile_claim, score_pair

from .builders import make_claim

PARAMS = ClusterParams()


def a_dense_archive(seed: int, size: int = 400):
    """Claims crowded into a month and a 4° box, every precision of date and place, some unlocated."""
    rng = random.Random(seed)
    claims = []
    for number in range(size):
        located = rng.random() > 0.1
        kind = rng.choice([("Battles", None), ("Protests", None), ("Strategic developments", "accusation")])
        claims.append(
            make_claim(
                f"d{number}-c1",
                event_type=kind[0],
                process_type=kind[1],
                day=None if rng.random() < 0.03 else date(2025, 10, 1) + timedelta(days=rng.randrange(30)),
                time_precision=rng.choice([1, 1, 2, 3]),
                place=(31.0 + rng.random() * 4, 66.0 + rng.random() * 4) if located else None,
                geo_precision=rng.choice([1, 2, 3]),
            )
        )
    return [profile_claim(c, params=PARAMS) for c in claims]


def test_every_pair_that_scores_is_a_candidate_pair():
    for seed in range(3):
        profiles = a_dense_archive(seed)
        index = BlockIndex(PARAMS)
        candidate_pairs: set[tuple[int, int]] = set()
        for position, profile in enumerate(profiles):
            candidate_pairs.update((other, position) for other in index.candidates(profile))
            index.add(position, profile)
        scoring = {
            (i, j)
            for j, b in enumerate(profiles)
            for i, a in enumerate(profiles[:j])
            if score_pair(a, b, params=PARAMS) is not None
        }
        assert scoring, "the archive should be dense enough for pairs to score"
        assert scoring <= candidate_pairs


def test_a_province_level_claim_does_not_meet_the_whole_date_window():
    near = make_claim("near-c1", place=(31.0, 66.0), geo_precision=3)
    far = make_claim("far-c1", place=(31.0, 72.0), geo_precision=1)  # ~570 km east
    index = BlockIndex(PARAMS)
    index.add(0, profile_claim(far, params=PARAMS))
    assert index.candidates(profile_claim(near, params=PARAMS)) == []
