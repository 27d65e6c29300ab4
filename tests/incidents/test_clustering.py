from __future__ import annotations

import dataclasses
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from truceline.errors import InvalidInput
from truceline.incidents.clustering import IncrementalClusterer, cluster_claims, merge_clusters, split_cluster
from truceline.incidents.similarity import (
    ACLED_EXTRACTOR,
    ClusterParams,
    Family,
    family_of,
    profile_claim,
    score_pair,
)
from truceline.incidents.values import Cluster

from .builders import CHAMAN, KABUL, KHOST, PESHAWAR, make_claim


def three_outlets_one_clash() -> list:
    return [
        make_claim(
            "A-c1", best=4, evidence="Four civilians were killed when forces exchanged fire at Chaman."
        ),
        make_claim("B-c1", best=4, place=(31.0, 66.42), place_name="Spin Boldak", geo_precision=2),
        make_claim("C-c2", day=date(2025, 12, 6), best=5, actor1="Taliban (Afghanistan)", actor2=None),
    ]


def ids(clusters: list[Cluster]) -> list[tuple[str, ...]]:
    return [c.claim_ids for c in clusters]


def test_family_follows_the_dev_scorer():
    assert family_of("Battles", None) is Family.VIOLENCE
    assert family_of("Riots", None) is Family.UNREST
    assert family_of("Strategic developments", None) is Family.PROCESS
    assert family_of("Battles", "accusation") is Family.PROCESS


def test_the_same_happening_from_three_outlets_is_one_cluster():
    assert ids(cluster_claims(three_outlets_one_clash())) == [("A-c1", "B-c1", "C-c2")]


def test_different_places_on_the_same_day_stay_apart():
    claims = [
        make_claim("A-c1"),
        make_claim("B-c1", place=KHOST, place_name="Khost", country="AF"),
        make_claim("C-c1", place=PESHAWAR, place_name="Peshawar"),
    ]
    assert len(cluster_claims(claims)) == 3


def test_the_same_place_a_week_apart_stays_apart():
    claims = [make_claim("A-c1"), make_claim("B-c1", day=date(2025, 12, 12))]
    assert len(cluster_claims(claims)) == 2


def test_a_week_precise_date_reaches_further_than_a_day():
    day_precise = [make_claim("A-c1"), make_claim("B-c1", day=date(2025, 12, 9))]
    week_precise = [make_claim("A-c1"), make_claim("B-c1", day=date(2025, 12, 9), time_precision=2)]
    assert len(cluster_claims(day_precise)) == 2
    assert len(cluster_claims(week_precise)) == 1


def test_claims_of_one_document_never_share_a_cluster():
    claims = [make_claim("A-c1"), make_claim("A-c2"), make_claim("B-c1")]
    clusters = cluster_claims(claims)
    assert sorted(len(c.claims) for c in clusters) == [1, 2]
    for cluster in clusters:
        documents = [c.document_id for c in cluster.claims]
        assert len(documents) == len(set(documents))


def test_different_types_and_families_stay_apart():
    claims = [
        make_claim("A-c1"),
        make_claim(
            "B-c1", event_type="Strategic developments", sub_event_type="Agreement", process_type="accusation"
        ),
    ]
    assert len(cluster_claims(claims)) == 2


def test_statements_by_different_claimants_stay_apart():
    common = {
        "event_type": "Strategic developments",
        "sub_event_type": "Other",
        "process_type": "accusation",
        "alleged": True,
        "place": None,
    }
    claims = [
        make_claim("A-c1", claimant="Taliban (Afghanistan)", **common),
        make_claim("B-c1", claimant="Taliban (Afghanistan)", **common),
        make_claim("C-c1", claimant="Government of Pakistan", **common),
    ]
    assert ids(cluster_claims(claims)) == [("A-c1", "B-c1"), ("C-c1",)]


def test_a_province_level_place_is_not_held_to_town_distances():
    town = make_claim("A-c1")
    province = make_claim("B-c1", place=(30.2, 67.0), place_name="Balochistan", geo_precision=3)
    far_town = make_claim("C-c1", place=(30.2, 67.0), place_name="Quetta", geo_precision=1)
    params = ClusterParams()
    assert score_pair(profile_claim(town), profile_claim(province), params=params) is not None
    assert score_pair(profile_claim(town), profile_claim(far_town), params=params) is None


def test_a_death_toll_against_no_deaths_lowers_the_score():
    a = profile_claim(make_claim("A-c1", best=10))
    same = score_pair(a, profile_claim(make_claim("B-c1", best=10)))
    none = score_pair(a, profile_claim(make_claim("B-c1", best=0)))
    assert same is not None and none is not None
    assert same.score > none.score


def test_scores_are_symmetric():
    a, b = (profile_claim(c) for c in three_outlets_one_clash()[:2])
    assert score_pair(a, b) == score_pair(b, a)


def test_output_does_not_depend_on_input_order():
    claims = [*three_outlets_one_clash(), make_claim("D-c1", place=KABUL, place_name="Kabul", country="AF")]
    shuffled = claims[:]
    random.Random(3).shuffle(shuffled)
    assert ids(cluster_claims(claims)) == ids(cluster_claims(shuffled))


ACTOR_PAIRS = (
    ("Military Forces of Pakistan", "Taliban (Afghanistan)"),
    ("Military Forces of Pakistan", "TTP"),
    ("TTP", "Police Forces of Pakistan"),
)


def synthetic_reports(n_events: int, seed: int) -> list:
    """Each event: a village, a day, actors and a toll; 1-3 reports that jitter place, day and toll."""
    rng = random.Random(seed)
    claims = []
    for event in range(n_events):
        lat, lon = 30.5 + rng.random() * 5, 66.0 + rng.random() * 6
        day = date(2025, 10, 1) + timedelta(days=rng.randrange(60))
        actor1, actor2 = rng.choice(ACTOR_PAIRS)
        toll = rng.randint(1, 20)
        for report in range(rng.randint(1, 3)):
            claims.append(
                make_claim(
                    f"E{event}R{report}-c1",
                    day=day + timedelta(days=rng.choice((0, 0, 1))),
                    place=(lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02)),
                    place_name=f"village {event}",
                    actor1=actor1,
                    actor2=actor2,
                    best=rng.choice((None, toll, toll + rng.randint(0, 3))),
                    evidence=f"{toll} people were killed in fighting near village {event}, officials said.",
                )
            )
    return claims


def test_incremental_adding_gives_the_batch_answer():
    claims = synthetic_reports(120, seed=7)
    random.Random(1).shuffle(claims)
    clusterer = IncrementalClusterer()
    for start in range(0, len(claims), 17):
        clusterer.add(claims[start : start + 17])
    assert ids(clusterer.clusters()) == ids(cluster_claims(claims))


def test_incremental_add_returns_the_clusters_it_changed():
    claims = three_outlets_one_clash()
    clusterer = IncrementalClusterer()
    clusterer.add(claims[:2])
    changed = clusterer.add(claims[2:])
    assert ids(changed) == [("A-c1", "B-c1", "C-c2")]


def test_adding_a_claim_twice_is_refused():
    clusterer = IncrementalClusterer()
    clusterer.add([make_claim("A-c1")])
    with pytest.raises(InvalidInput, match="already clustered"):
        clusterer.add([make_claim("A-c1")])


def test_synthetic_events_are_recovered():
    claims = synthetic_reports(200, seed=11)
    truth: dict[str, set[str]] = {}
    for claim in claims:
        truth.setdefault(claim.id.split("R")[0], set()).add(claim.id)
    found = {frozenset(c.claim_ids) for c in cluster_claims(claims)}
    recovered = sum(1 for members in truth.values() if frozenset(members) in found)
    assert recovered / len(truth) > 0.9


def test_merge_and_split_are_inverse():
    a, b, c = three_outlets_one_clash()
    merged = merge_clusters([Cluster.of([a]), Cluster.of([b, c])])
    assert merged.claim_ids == ("A-c1", "B-c1", "C-c2")
    taken, rest = split_cluster(merged, ["B-c1", "C-c2"])
    assert taken == Cluster.of([b, c]) and rest == Cluster.of([a])


def test_cluster_ids_depend_only_on_members():
    a, b, _ = three_outlets_one_clash()
    assert Cluster.of([a, b]).id == Cluster.of([b, a]).id != Cluster.of([a]).id


def test_split_refuses_unknown_or_all_members():
    cluster = Cluster.of(three_outlets_one_clash())
    with pytest.raises(InvalidInput, match="not in"):
        split_cluster(cluster, ["Z-c9"])
    with pytest.raises(InvalidInput, match="proper subset"):
        split_cluster(cluster, cluster.claim_ids)
    with pytest.raises(InvalidInput, match="at least one"):
        merge_clusters([])


def test_undated_claims_only_meet_undated_claims():
    claims = [make_claim("A-c1", day=None), make_claim("B-c1", day=None), make_claim("C-c1")]
    assert ids(cluster_claims(claims)) == [("C-c1",), ("A-c1", "B-c1")]


def test_same_document_may_be_allowed_explicitly():
    claims = [make_claim("A-c1"), make_claim("A-c2")]
    params = replace(ClusterParams(), allow_same_document=True)
    assert len(cluster_claims(claims, params=params)) == 1
    assert CHAMAN  # the builders' default place


def test_two_events_of_one_dataset_never_share_a_cluster():
    acled = [
        dataclasses.replace(make_claim(f"ACLED-PAK{n}-c1", best=4), extractor=ACLED_EXTRACTOR) for n in (1, 2)
    ]
    report = make_claim("dawn-1-c1", best=4)
    assert score_pair(profile_claim(acled[0]), profile_claim(acled[1])) is None
    assert score_pair(profile_claim(acled[0]), profile_claim(report)) is not None
    # The report links with one of them; the other stays alone, though it scores with the report too.
    assert sorted(len(c.claims) for c in cluster_claims([*acled, report])) == [1, 2]
    allowed = ClusterParams(allow_same_dataset=True)
    assert len(cluster_claims(acled, params=allowed)) == 1
