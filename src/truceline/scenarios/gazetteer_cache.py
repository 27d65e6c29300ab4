"""The gazetteer's built index kept on disk, so that each process reads it instead of ranking 80k names.

The file is JSON (never pickle: nothing in it can run code) named after, and holding, a key: the SHA-256 of
every file the gazetteer is built from and of the code that builds it. A file whose key, format or shape
does not match is rebuilt and replaced, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, fields
from pathlib import Path
from typing import Any

from truceline.scenarios import gazetteer as gazetteer_module
from truceline.scenarios.gazetteer import Gazetteer, Place
from truceline.scenarios.schema import Scenario

log = logging.getLogger(__name__)

FORMAT = "truceline-gazetteer-index/1"
_PLACE_FIELDS = tuple(field.name for field in fields(Place))
_ALT_NAMES = _PLACE_FIELDS.index("alt_names")


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
    return cache_dir / f"gazetteer-{scenario.id}-{key[:16]}.json"


def load_or_build(
    scenario: Scenario, *, cache_dir: Path, build: Callable[[Scenario], Gazetteer]
) -> Gazetteer:
    """The cached gazetteer when its file matches the key; otherwise `build(scenario)`, then stored."""
    key = cache_key(scenario)
    path = cache_path(scenario, cache_dir=cache_dir, key=key)
    if path.exists():
        try:
            return read_index(path, key=key)
        except (OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            log.warning("gazetteer cache %s unusable (%s); rebuilding it", path, exc)
    gazetteer = build(scenario)
    try:
        write_index(path, gazetteer, key=key)
    except OSError as exc:  # a read-only home still extracts, only slower
        log.warning("gazetteer cache %s not written: %s", path, exc)
    return gazetteer


def write_index(path: Path, gazetteer: Gazetteer, *, key: str) -> None:
    """Write the index beside its final name and rename, so a reader never sees half a file."""
    position = {place: i for i, place in enumerate(gazetteer.places)}
    exact, loose = gazetteer.index()
    data = {
        "format": FORMAT,
        "key": key,
        "fields": _PLACE_FIELDS,
        "places": [astuple(place) for place in gazetteer.places],
        "exact": {name: [position[p] for p in found] for name, found in exact.items()},
        "loose": {name: [position[p] for p in found] for name, found in loose.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_index(path: Path, *, key: str) -> Gazetteer:
    """The gazetteer stored at `path`, or ValueError when the file is not the index for `key`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"expected format {FORMAT!r}, found {_get(data, 'format')!r}")
    if data.get("key") != key:
        raise ValueError(f"expected key {key}, found {_get(data, 'key')!r}")
    if tuple(data["fields"]) != _PLACE_FIELDS:
        raise ValueError(f"expected place fields {_PLACE_FIELDS}, found {data['fields']}")
    places = tuple(_place(row) for row in data["places"])
    return Gazetteer.from_index(
        places, exact=_ranked(data["exact"], places), loose=_ranked(data["loose"], places)
    )


def _place(row: Sequence[Any]) -> Place:
    if len(row) != len(_PLACE_FIELDS):
        raise ValueError(f"expected {len(_PLACE_FIELDS)} place fields, found {len(row)}")
    values = list(row)
    values[_ALT_NAMES] = tuple(values[_ALT_NAMES])  # JSON has no tuples
    return Place(*values)


def _ranked(index: Mapping[str, Sequence[int]], places: tuple[Place, ...]) -> dict[str, tuple[Place, ...]]:
    return {name: tuple(places[i] for i in found) for name, found in index.items()}


def _get(data: object, name: str) -> object:
    return data.get(name) if isinstance(data, dict) else type(data).__name__
