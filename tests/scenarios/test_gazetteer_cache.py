"""The gazetteer's index on disk: read back when current, rebuilt when damaged or made from other data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truceline.scenarios import load_scenario
from truceline.scenarios.gazetteer import Gazetteer, build_gazetteer
from truceline.scenarios.gazetteer_cache import cache_key, cache_path, load_or_build
from truceline.scenarios.schema import Scenario

RIDGELINE = Path(__file__).parents[1] / "data" / "scenarios" / "ridgeline"


class CountingBuild:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, scenario: Scenario) -> Gazetteer:
        self.calls += 1
        return build_gazetteer(scenario)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(RIDGELINE)


def _cached_file(scenario: Scenario, cache_dir: Path) -> Path:
    return cache_path(scenario, cache_dir=cache_dir, key=cache_key(scenario))


def test_a_second_load_reads_the_cache_and_finds_the_same_places(scenario: Scenario, tmp_path: Path) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    cached = load_or_build(scenario, cache_dir=tmp_path, build=build)
    assert build.calls == 1
    assert cached.places == built.places
    assert cached.index() == built.index()
    for name in built.names():
        assert cached.lookup(name) == built.lookup(name)


def test_a_damaged_cache_file_is_rebuilt(scenario: Scenario, tmp_path: Path) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    path = _cached_file(scenario, tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    rebuilt = load_or_build(scenario, cache_dir=tmp_path, build=build)
    assert build.calls == 2
    assert rebuilt.index() == built.index()
    assert load_or_build(scenario, cache_dir=tmp_path, build=build).places == built.places
    assert build.calls == 2  # the rebuilt file was stored and is read again


@pytest.mark.parametrize(
    "damage",
    [
        {"key": "0" * 64},
        {"format": "truceline-gazetteer-index/0"},
        {"places": [["Nowhere"]]},
        {"exact": {"nowhere": [10**9]}},
    ],
    ids=["another key", "another format", "a short place row", "an index past the places"],
)
def test_a_cache_file_that_does_not_match_is_not_trusted(
    scenario: Scenario, tmp_path: Path, damage: dict[str, object]
) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    path = _cached_file(scenario, tmp_path)
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **damage}), encoding="utf-8")
    assert load_or_build(scenario, cache_dir=tmp_path, build=build).index() == built.index()
    assert build.calls == 2


def test_the_key_changes_when_a_gazetteer_file_changes(scenario: Scenario, tmp_path: Path) -> None:
    copy = tmp_path / "ridgeline"
    copy.mkdir()
    for file in RIDGELINE.rglob("*"):
        if file.is_file():
            target = copy / file.relative_to(RIDGELINE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    edited = load_scenario(copy)
    assert cache_key(edited) == cache_key(scenario)
    gazetteer_file = edited.path(edited.geography.gazetteer[0])
    gazetteer_file.write_bytes(gazetteer_file.read_bytes() + b"\n")
    assert cache_key(edited) != cache_key(scenario)
