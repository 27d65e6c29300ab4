"""The scenario gazetteer: places, admin units and crossings by any of their names, spelling-tolerant."""

from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from truceline.errors import ScenarioError
from truceline.scenarios.schema import Scenario

# The column format of every gazetteer CSV a scenario lists (`geography.gazetteer`); alt_names is '|'-joined.
GAZETTEER_COLUMNS = (
    "name",
    "alt_names",
    "country",
    "admin1",
    "admin2",
    "lat",
    "lon",
    "population",
    "feature_code",
    "border_km",
    "kind",
    "geonames_id",
)
PLACE_KINDS = ("place", "admin1", "admin2", "crossing")

# Arabic-script letters written differently in Urdu, Pashto, Dari and Arabic, folded to one form.
_ARABIC_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ې": "ی",
        "ۍ": "ی",
        "ك": "ک",
        "ڪ": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ـ": None,
    }
)
_SEPARATORS = re.compile(r"[\s\-‐‑–—_'’‘`ʻʿʼ.,/()]+")
# Loose spelling variants of romanized Pashto/Urdu/Dari names: Angoor ~ Angur, Khyber ~ Khaibar ~ Khyber.
_LOOSE_RULES = (("oo", "u"), ("ee", "i"), ("ou", "u"), ("aa", "a"), ("w", "u"), ("q", "k"), ("y", "i"))


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry; `kind` is "place", "admin1", "admin2" or "crossing"."""

    name: str
    alt_names: tuple[str, ...]
    country: str
    admin1: str | None
    admin2: str | None
    lat: float
    lon: float
    population: int
    feature_code: str
    border_km: float | None
    kind: str
    geonames_id: int | None = None


def normalize_name(name: str) -> str:
    """Case-, diacritics- and punctuation-insensitive key: "Spīn Bōldak", "spin-boldak" -> "spin boldak"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.translate(_ARABIC_FOLD)
    return _SEPARATORS.sub(" ", stripped).strip()


def loose_name(name: str) -> str:
    """A coarser key for alternate romanizations: no spaces, vowel spellings and doubled letters folded."""
    key = normalize_name(name).replace(" ", "")
    for old, new in _LOOSE_RULES:
        key = key.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", key)


class Gazetteer:
    """All places of a scenario, indexed by normalized name and by a looser spelling key."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: Sequence[Place] = tuple(places)
        exact: dict[str, list[Place]] = {}
        loose: dict[str, list[Place]] = {}
        for place in self.places:
            for name in (place.name, *place.alt_names):
                _add(exact, normalize_name(name), place)
                _add(loose, loose_name(name), place)
        self._exact: Mapping[str, tuple[Place, ...]] = {
            key: _ranked(found, key, normalize_name) for key, found in exact.items()
        }
        self._loose: Mapping[str, tuple[Place, ...]] = {
            key: _ranked(found, key, loose_name) for key, found in loose.items()
        }

    @classmethod
    def from_index(
        cls,
        places: Sequence[Place],
        *,
        exact: Mapping[str, tuple[Place, ...]],
        loose: Mapping[str, tuple[Place, ...]],
    ) -> Gazetteer:
        """A gazetteer from an index built before (see `index`), without ranking every name again: plain
        dicts, or mappings that read each name from a file when it is looked up (`gazetteer_cache`)."""
        gazetteer = cls.__new__(cls)
        gazetteer.places, gazetteer._exact, gazetteer._loose = places, exact, loose
        return gazetteer

    def index(self) -> tuple[Mapping[str, tuple[Place, ...]], Mapping[str, tuple[Place, ...]]]:
        """The ranked places by normalized name and by loose spelling key, as `from_index` takes them."""
        return self._exact, self._loose

    def __len__(self) -> int:
        return len(self.places)

    def lookup(self, name: str) -> list[Place]:
        """Every place called `name` in any spelling it is known by, best candidates first (see `_rank`).

        Falls back to the looser spelling key only when no exact spelling matches."""
        found = self._exact.get(normalize_name(name))
        if found is None:
            key = loose_name(name)
            found = self._loose.get(key) if len(key) >= 4 else None
        return list(found or ())

    def names(self) -> list[str]:
        """Every normalized name the gazetteer knows."""
        return list(self._exact)


def _add(index: dict[str, list[Place]], key: str, place: Place) -> None:
    if not key:
        return
    bucket = index.setdefault(key, [])
    if place not in bucket:
        bucket.append(place)


def _ranked(places: list[Place], key: str, keyer: Callable[[str], str]) -> tuple[Place, ...]:
    return tuple(sorted(places, key=lambda p: _rank(p, is_own_name=keyer(p.name) == key)))


def _rank(place: Place, *, is_own_name: bool) -> tuple[int, int, int]:
    """Own name before alternate name; then crossings, towns with a population, provinces, districts, other
    populated places; then by population. The extractor re-ranks with context; this is only the default."""
    if place.kind == "crossing":
        group = 0
    elif place.kind == "place":
        group = 1 if place.population > 0 else 4
    else:
        group = 2 if place.kind == "admin1" else 3
    return (0 if is_own_name else 1, group, -place.population)


def build_gazetteer(scenario: Scenario) -> Gazetteer:
    """The scenario's gazetteer files plus its crossings, indexed (about a second for af-pk-2025)."""
    from truceline.scenarios.geography import get_geography  # shapely loads only when asked for

    places: list[Place] = []
    for relative in scenario.geography.gazetteer:
        places.extend(read_places(scenario.path(relative), label=relative))
    geography = get_geography(scenario)
    for crossing in geography.crossings:
        places.append(
            Place(
                name=crossing.name,
                alt_names=crossing.alt_names,
                country=crossing.country or "",
                admin1=geography.admin1_of(crossing.lat, crossing.lon),
                admin2=geography.admin2_of(crossing.lat, crossing.lon),
                lat=crossing.lat,
                lon=crossing.lon,
                population=0,
                feature_code="CRSS",
                border_km=round(crossing.km_to_border, 2),
                kind="crossing",
                geonames_id=None,
            )
        )
    return Gazetteer(places)


def read_places(path: Path, *, label: str | None = None) -> Iterator[Place]:
    """Places from one gazetteer CSV (plain or .gz) in the GAZETTEER_COLUMNS format."""
    label = label or path.name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("name", "country", "lat", "lon") if c not in (reader.fieldnames or [])]
        if missing:
            raise ScenarioError(f"{label}: header: expected columns {', '.join(missing)}, found none")
        for line, row in enumerate(reader, start=2):
            yield _place_from_row(row, label=label, line=line)


def _place_from_row(row: Mapping[str, str | None], *, label: str, line: int) -> Place:
    def text(column: str) -> str:
        return (row.get(column) or "").strip()

    try:
        lat, lon = float(text("lat")), float(text("lon"))
        population = int(float(text("population") or 0))
        border_km = float(text("border_km")) if text("border_km") else None
        geonames_id = int(text("geonames_id")) if text("geonames_id") else None
    except ValueError as exc:
        raise ScenarioError(f"{label}: line {line}: expected numbers in lat/lon/population ({exc})") from exc
    kind = text("kind") or "place"
    if kind not in PLACE_KINDS:
        raise ScenarioError(
            f"{label}: line {line}: kind: expected one of {', '.join(PLACE_KINDS)}, found {kind!r}"
        )
    return Place(
        name=text("name"),
        alt_names=tuple(n for n in text("alt_names").split("|") if n),
        country=text("country"),
        admin1=text("admin1") or None,
        admin2=text("admin2") or None,
        lat=lat,
        lon=lon,
        population=population,
        feature_code=text("feature_code"),
        border_km=border_km,
        kind=kind,
        geonames_id=geonames_id,
    )
