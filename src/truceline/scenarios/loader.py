"""Find, read and validate a scenario; each failure is one ScenarioError line naming file and field."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from truceline.errors import ScenarioError
from truceline.scenarios.schema import EACH_PARTY, Scenario

SCENARIO_FILE = "scenario.yaml"
DEFAULT_SCENARIO = "af-pk-2025"
# Top-level keys whose value may be the name of another YAML file in the scenario directory.
INCLUDABLE_KEYS = ("parties", "mediators", "actors", "agreement", "penalties", "talks_rounds")

_EXPECTED = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_type": "a date YYYY-MM-DD",
}


def list_scenarios() -> list[str]:
    """Ids of the scenarios packaged with Truceline (directories holding a scenario.yaml)."""
    package = resources.files("truceline.scenarios")
    found = []
    for entry in package.iterdir():
        if entry.is_dir() and (entry / SCENARIO_FILE).is_file():
            found.append(entry.name.replace("_", "-"))
    return sorted(found)


def load_scenario(ref: str | Path = DEFAULT_SCENARIO) -> Scenario:
    """A packaged scenario by id (e.g. "af-pk-2025"), or the scenario in a directory / its scenario.yaml."""
    return _load_directory(resolve_scenario_dir(ref))


def resolve_scenario_dir(ref: str | Path) -> Path:
    """The absolute directory of a scenario reference, or ScenarioError when there is none."""
    text = str(ref)
    if isinstance(ref, str) and ref in list_scenarios():
        packaged = resources.files("truceline.scenarios") / ref.replace("-", "_")
        return Path(str(packaged)).resolve()
    path = Path(ref).expanduser()
    if path.is_dir():
        if not (path / SCENARIO_FILE).is_file():
            raise ScenarioError(f"{path / SCENARIO_FILE}: file not found")
        return path.resolve()
    if path.is_file():
        return path.resolve().parent
    if path.suffix in {".yaml", ".yml"} or "/" in text or "\\" in text:
        raise ScenarioError(f"{path}: file not found")
    known = ", ".join(list_scenarios()) or "none"
    raise ScenarioError(f"scenario {text!r}: not a packaged scenario ({known}) nor a directory")


@functools.lru_cache(maxsize=16)
def _load_directory(root: Path) -> Scenario:
    raw = _read_yaml(root, SCENARIO_FILE)
    if not isinstance(raw, dict):
        raise ScenarioError(f"{SCENARIO_FILE}: expected a mapping of fields, found {_describe(raw)}")
    if "root" in raw:
        raise ScenarioError(
            f"{SCENARIO_FILE}: root: unknown key (the loader sets it to the scenario directory)"
        )
    origin: dict[str, str] = {}
    for key in INCLUDABLE_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and value.endswith((".yaml", ".yml")):
            raw[key] = _read_yaml(root, value)
            origin[key] = value
    try:
        scenario = Scenario.model_validate({**raw, "root": root})
    except ValidationError as exc:
        raise ScenarioError(_first_error(exc, origin)) from exc
    check_scenario(scenario, origin=origin)
    return scenario


def _read_yaml(root: Path, name: str) -> Any:
    path = root / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ScenarioError(f"{name}: file not found in {root}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{name}: cannot read ({exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{name}:{where}: not valid YAML ({problem})") from exc


def check_scenario(scenario: Scenario, *, origin: Mapping[str, str] | None = None) -> None:
    """The rules that span fields: references to parties and mediators, unique ids, existing files."""
    origin = origin or {}

    def fail(key: str, path: str, message: str) -> ScenarioError:
        file = origin.get(key, SCENARIO_FILE)
        return ScenarioError(f"{file}: {path}: {message}")

    party_ids = [p.id for p in scenario.parties]
    mediator_ids = [m.id for m in scenario.mediators]
    _check_unique(party_ids, lambda i, v: fail("parties", f"parties[{i}].id", f"duplicate party id {v!r}"))
    _check_unique(
        mediator_ids, lambda i, v: fail("mediators", f"mediators[{i}].id", f"duplicate mediator id {v!r}")
    )
    _check_unique(
        [a.name for a in scenario.actors],
        lambda i, v: fail("actors", f"actors[{i}].name", f"duplicate actor name {v!r}"),
    )
    for i, actor in enumerate(scenario.actors):
        if actor.party is not None and actor.party not in party_ids:
            raise fail(
                "actors",
                f"actors[{i}].party",
                f"expected one of the parties {_choices(party_ids)}, found {actor.party!r}",
            )
    clauses = scenario.agreement.clauses
    _check_unique(
        [c.id for c in clauses],
        lambda i, v: fail("agreement", f"agreement.clauses[{i}].id", f"duplicate clause id {v!r}"),
    )
    for i, clause in enumerate(clauses):
        if clause.obligated != EACH_PARTY and clause.obligated not in party_ids:
            expected = _choices([EACH_PARTY, *party_ids])
            raise fail(
                "agreement",
                f"agreement.clauses[{i}].obligated",
                f"expected one of {expected}, found {clause.obligated!r}",
            )
    _check_unique(
        [p.level for p in scenario.penalties],
        lambda i, v: fail("penalties", f"penalties[{i}].level", f"duplicate penalty level {v!r}"),
    )
    if scenario.finding_quorum > len(mediator_ids):
        raise fail(
            "finding_quorum",
            "finding_quorum",
            f"expected at most the {len(mediator_ids)} mediators, found {scenario.finding_quorum}",
        )
    for i, talks in enumerate(scenario.talks_rounds):
        for j, mediator in enumerate(talks.mediators):
            if mediator not in mediator_ids:
                raise fail(
                    "talks_rounds",
                    f"talks_rounds[{i}].mediators[{j}]",
                    f"expected one of the mediators {_choices(mediator_ids)}, found {mediator!r}",
                )
        if talks.end < talks.start:
            raise fail("talks_rounds", f"talks_rounds[{i}].end", f"expected a date on or after {talks.start}")
    _check_unique(
        [t.id for t in scenario.talks_rounds],
        lambda i, v: fail("talks_rounds", f"talks_rounds[{i}].id", f"duplicate talks round id {v!r}"),
    )
    _check_geography_files(scenario)


def _check_geography_files(scenario: Scenario) -> None:
    geography = scenario.geography
    files: list[tuple[str, str]] = [
        ("geography.boundary", geography.boundary),
        ("geography.countries", geography.countries),
        ("geography.crossings", geography.crossings),
    ]
    for field, names in (
        ("geography.admin1", geography.admin1),
        ("geography.admin2", geography.admin2),
        ("geography.gazetteer", geography.gazetteer),
    ):
        files.extend((f"{field}[{i}]", name) for i, name in enumerate(names))
    for field, name in files:
        if not scenario.path(name).is_file():
            raise ScenarioError(
                f"{SCENARIO_FILE}: {field}: expected an existing file, found no file {name!r}"
            )


def _check_unique(values: Iterable[object], error: Any) -> None:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise error(i, value)
        seen.add(value)


def _first_error(exc: ValidationError, origin: Mapping[str, str]) -> str:
    """The first validation error as `file: field.path: expected X, found Y`."""
    error = exc.errors(include_url=False)[0]
    loc = [part for part in error["loc"] if part != "root"] or ["(top level)"]
    top = str(loc[0])
    file = origin.get(top, SCENARIO_FILE)
    return f"{file}: {_format_loc(loc)}: {_describe_error(error)}"


def _format_loc(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe_error(error: ErrorDetails) -> str:
    kind = error["type"]
    found = error.get("input")
    if kind == "missing":
        return "expected a value, found nothing (the field is required)"
    if kind == "extra_forbidden":
        known = _known_keys(error["loc"][:-1])
        return f"unknown key, expected one of {', '.join(known)}" if known else "unknown key"
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, found {_describe(found)}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, found {_describe(found)}"
    message = error["msg"]
    message = message[0].lower() + message[1:] if message else kind
    return f"{message}, found {_describe(found)}"


def _known_keys(loc: Iterable[int | str]) -> list[str]:
    """The keys the model at `loc` accepts (for "unknown key" messages)."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    if not hasattr(model, "model_fields"):
        return []
    return [name for name in model.model_fields if name != "root"]


def _model_in(annotation: Any) -> Any:
    """The Pydantic model inside an annotation such as `list[Clause]`, or the annotation itself."""
    for arg in typing.get_args(annotation):
        if hasattr(arg, "model_fields"):
            return arg
    return annotation


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _choices(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in values)
