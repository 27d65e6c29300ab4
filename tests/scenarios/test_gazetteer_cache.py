"""The gazetteer's index on disk: read back when current, rebuilt when damaged or made from other data."""

from __future__ import annotations

import pickle
import sqlite3
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
    assert tuple(cached.places) == built.places
    assert cached.index() == built.index()
    for name in built.names():
        assert cached.lookup(name) == built.lookup(name)


def test_writing_the_index_removes_json_indexes_of_the_first_format(
    scenario: Scenario, tmp_path: Path
) -> None:
    legacy = tmp_path / f"gazetteer-{scenario.id}-0123456789abcdef.json"
    legacy.write_text("{}", encoding="utf-8")
    unrelated = tmp_path / "notes.json"
    unrelated.write_text("{}", encoding="utf-8")
    load_or_build(scenario, cache_dir=tmp_path, build=CountingBuild())
    assert not legacy.exists() and unrelated.exists()
    assert _cached_file(scenario, tmp_path).exists()


def test_a_damaged_cache_file_is_rebuilt(scenario: Scenario, tmp_path: Path) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    path = _cached_file(scenario, tmp_path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    rebuilt = load_or_build(scenario, cache_dir=tmp_path, build=build)
    assert build.calls == 2
    assert rebuilt.index() == built.index()
    assert tuple(load_or_build(scenario, cache_dir=tmp_path, build=build).places) == built.places
    assert build.calls == 2  # the rebuilt file was stored and is read again


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE meta SET value = '{}' WHERE name = 'key'".format("0" * 64),
        "UPDATE meta SET value = 'truceline-gazetteer-index/1' WHERE name = 'format'",
        "UPDATE meta SET value = '[\"name\"]' WHERE name = 'fields'",
        "UPDATE ranking SET place_id = 1000000000"
        " WHERE (spelling, name, rank) IN (SELECT spelling, name, rank FROM ranking LIMIT 1)",
        "DROP TABLE meta",
    ],
    ids=["another key", "another format", "other place fields", "an index past the places", "no meta table"],
)
def test_a_cache_file_that_does_not_match_is_not_trusted(
    scenario: Scenario, tmp_path: Path, damage: str
) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    connection = sqlite3.connect(_cached_file(scenario, tmp_path))
    with connection:
        connection.execute(damage)
    connection.close()
    assert load_or_build(scenario, cache_dir=tmp_path, build=build).index() == built.index()
    assert build.calls == 2


def test_a_cache_file_that_is_not_a_database_is_rebuilt(scenario: Scenario, tmp_path: Path) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    _cached_file(scenario, tmp_path).write_text('{"format": "truceline-gazetteer-index/1"}', encoding="utf-8")
    assert load_or_build(scenario, cache_dir=tmp_path, build=build).index() == built.index()
    assert build.calls == 2


def test_a_cached_gazetteer_copied_to_another_process_reads_its_file_again(
    scenario: Scenario, tmp_path: Path
) -> None:
    build = CountingBuild()
    built = load_or_build(scenario, cache_dir=tmp_path, build=build)
    cached = load_or_build(scenario, cache_dir=tmp_path, build=build)
    copied = pickle.loads(pickle.dumps(cached))
    name = next(iter(built.names()))
    assert copied.lookup(name) == built.lookup(name)


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
