"""The gazetteer's built index kept on disk, so that a process looks names up instead of ranking 80k of them.

The file is an SQLite database (a data format: nothing in it can run code, unlike a pickle) named after,
and holding, a key: the SHA-256 of every file the gazetteer is built from and of the code that builds it.
It is opened read-only and queried name by name, so opening it costs milliseconds however large the
gazetteer is. A file whose key, format, columns or integrity check does not match is rebuilt and replaced,
never trusted; a new file is written beside its final name and renamed, so no reader sees half of one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any, overload

from truceline.scenarios import gazetteer as gazetteer_module
from truceline.scenarios.gazetteer import Gazetteer, Place, build_gazetteer
from truceline.scenarios.schema import Scenario

log = logging.getLogger(__name__)

FORMAT = "truceline-gazetteer-index/2"
_PLACE_FIELDS = tuple(field.name for field in fields(Place))
_ALT_NAMES = _PLACE_FIELDS.index("alt_names")
_SPELLINGS = ("exact", "loose")  # Gazetteer.index(): by normalized name, by loose spelling key
# Columns without a declared type keep each Python value as it was written (no REAL/INTEGER coercion).
_SCHEMA = f"""
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE place (id INTEGER PRIMARY KEY, {", ".join(_PLACE_FIELDS)});
CREATE TABLE ranking (
    spelling TEXT NOT NULL, name TEXT NOT NULL, rank INTEGER NOT NULL,
    place_id INTEGER NOT NULL REFERENCES place (id),
    PRIMARY KEY (spelling, name, rank)
) WITHOUT ROWID;
"""


def cache_key(scenario: Scenario) -> str:
    """SHA-256 over the index format, the gazetteer code and every geodata file the index derives from."""
    geography = scenario.geography
    inputs = [
        geography.boundary,
        geography.countries,
        *geography.admin1,
        *geography.admin2,
        geography.crossings,
        *geography.gazetteer,
    ]
    digest = hashlib.sha256(FORMAT.encode())
    digest.update(Path(gazetteer_module.__file__).read_bytes())
    for relative in inputs:
        digest.update(f"\0{relative}\0".encode())
        digest.update(scenario.path(relative).read_bytes())
    return digest.hexdigest()


def cache_path(scenario: Scenario, *, cache_dir: Path, key: str) -> Path:
    return cache_dir / f"gazetteer-{scenario.id}-{key[:16]}.sqlite"


def load_or_build(
    scenario: Scenario, *, cache_dir: Path, build: Callable[[Scenario], Gazetteer]
) -> Gazetteer:
    """The cached gazetteer when its file matches the key; otherwise `build(scenario)`, then stored."""
    key = cache_key(scenario)
    path = cache_path(scenario, cache_dir=cache_dir, key=key)
    if path.exists():
        try:
            return read_index(path, key=key)
        except (OSError, ValueError, sqlite3.Error) as exc:
            log.warning("gazetteer cache %s unusable (%s); rebuilding it", path, exc)
    gazetteer = build(scenario)
    try:
        write_index(path, gazetteer, key=key)
        for legacy in cache_dir.glob("gazetteer-*.json"):  # format 1, which nothing reads any more
            legacy.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as exc:  # a read-only home still extracts, only slower
        log.warning("gazetteer cache %s not written: %s", path, exc)
    return gazetteer


def write_index(path: Path, gazetteer: Gazetteer, *, key: str) -> None:
    """Write the index beside its final name and rename, so a reader never sees half a file."""
    position = {place: i for i, place in enumerate(gazetteer.places)}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.executescript(_SCHEMA)
            meta = {"format": FORMAT, "key": key, "fields": json.dumps(_PLACE_FIELDS)}
            connection.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            connection.executemany(
                f"INSERT INTO place VALUES (?{', ?' * len(_PLACE_FIELDS)})",
                ((i, *_row(place)) for i, place in enumerate(gazetteer.places)),
            )
            for spelling, index in zip(_SPELLINGS, gazetteer.index(), strict=True):
                connection.executemany(
                    "INSERT INTO ranking VALUES (?, ?, ?, ?)",
                    (
                        (spelling, name, rank, position[place])
                        for name, found in index.items()
                        for rank, place in enumerate(found)
                    ),
                )
            connection.commit()
        finally:
            connection.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_index(path: Path, *, key: str) -> Gazetteer:
    """The gazetteer stored at `path`, or ValueError when the file is not the index for `key`."""
    store = _Store(path)
    store.check(key=key)
    return Gazetteer.from_index(
        _StoredPlaces(store), exact=_StoredRanking(store, "exact"), loose=_StoredRanking(store, "loose")
    )


def _row(place: Place) -> tuple[Any, ...]:
    values = list(astuple(place))
    values[_ALT_NAMES] = json.dumps(values[_ALT_NAMES], ensure_ascii=False)
    return tuple(values)


def _place(row: Sequence[Any]) -> Place:
    values = list(row)
    values[_ALT_NAMES] = tuple(json.loads(values[_ALT_NAMES]))
    return Place(*values)


class _Store:
    """One read-only connection per process (SQLite connections must not cross a fork), shared by threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pid = -1
        self._connection: sqlite3.Connection | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # a copy in another process opens the file again

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            if self._connection is None or self._pid != os.getpid():
                # immutable: the file is never changed in place (a new one replaces it by rename).
                uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
                self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._pid = os.getpid()
            return self._connection.execute(sql, parameters).fetchall()

    def check(self, *, key: str) -> None:
        """ValueError unless the file holds the index for `key` in this format, whole and consistent."""
        try:
            meta = dict(self.query("SELECT name, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"expected an SQLite gazetteer index, found unreadable content ({exc})") from exc
        expected = {"format": FORMAT, "key": key, "fields": json.dumps(_PLACE_FIELDS)}
        for name, value in expected.items():
            if meta.get(name) != value:
                raise ValueError(f"expected {name} {value!r}, found {meta.get(name)!r}")
        [[integrity]] = self.query("PRAGMA quick_check(1)")
        if integrity != "ok":
            raise ValueError(f"expected an intact database, found {integrity!r}")
        dangling = self.query(
            "SELECT ranking.name FROM ranking LEFT JOIN place ON place.id = ranking.place_id"
            " WHERE place.id IS NULL LIMIT 1"
        )
        if dangling:
            raise ValueError(f"expected every ranked name to name a stored place, found {dangling[0][0]!r}")


class _StoredRanking(Mapping[str, tuple[Place, ...]]):
    """One of the gazetteer's two name indexes, read from the file one name at a time."""

    def __init__(self, store: _Store, spelling: str) -> None:
        self._store, self._spelling = store, spelling

    def __getitem__(self, name: str) -> tuple[Place, ...]:
        rows = self._store.query(
            "SELECT place.* FROM ranking JOIN place ON place.id = ranking.place_id"
            " WHERE ranking.spelling = ? AND ranking.name = ? ORDER BY ranking.rank",
            (self._spelling, name),
        )
        if not rows:
            raise KeyError(name)
        return tuple(_place(row[1:]) for row in rows)

    def __iter__(self) -> Iterator[str]:
        rows = self._store.query(
            "SELECT DISTINCT name FROM ranking WHERE spelling = ? ORDER BY name", (self._spelling,)
        )
        return iter([name for (name,) in rows])

    def __len__(self) -> int:
        [[count]] = self._store.query(
            "SELECT count(DISTINCT name) FROM ranking WHERE spelling = ?", (self._spelling,)
        )
        return int(count)


class _StoredPlaces(Sequence[Place]):
    """Every place of the gazetteer in its stored order, read from the file when asked for."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    @overload
    def __getitem__(self, index: int) -> Place: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Place]: ...

    def __getitem__(self, index: int | slice) -> Place | Sequence[Place]:
        if isinstance(index, slice):
            return tuple(self)[index]
        position = index + len(self) if index < 0 else index
        rows = self._store.query("SELECT * FROM place WHERE id = ?", (position,))
        if not rows:
            raise IndexError(index)
        return _place(rows[0][1:])

    def __iter__(self) -> Iterator[Place]:
        return iter([_place(row[1:]) for row in self._store.query("SELECT * FROM place ORDER BY id")])

    def __len__(self) -> int:
        [[count]] = self._store.query("SELECT count(*) FROM place")
        return int(count)


@functools.lru_cache(maxsize=8)
def load_gazetteer(scenario: Scenario, *, cache_dir: Path | None = None) -> Gazetteer:
    """The scenario's gazetteer files plus its crossings, built once per scenario.

    With `cache_dir`, the built index is kept there and read back by later processes while the scenario's
    geodata and this module are unchanged (`load_or_build`).
    """
    if cache_dir is None:
        return build_gazetteer(scenario)
    return load_or_build(scenario, cache_dir=cache_dir, build=build_gazetteer)
