"""Loading scenarios: the packaged af-pk-2025, the made-up test scenario, one-line errors for broken ones."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from truceline.errors import NotFound, ScenarioError
from truceline.scenarios import list_scenarios, load_scenario
from truceline.scenarios.schema import ActorKind, ClauseCategory

RIDGELINE = Path(__file__).parents[1] / "data" / "scenarios" / "ridgeline"
# The normalized actor names of ../shared/eval-dev/README.md.
EVAL_ACTORS = {
    "Military Forces of Pakistan": "PK",
    "Government of Pakistan": "PK",
    "Taliban (Afghanistan)": "AF",
    "TTP": None,
    "ISKP": None,
    "BLA": None,
    "Civilians (Pakistan)": "PK",
    "Civilians (Afghanistan)": "AF",
    "Police Forces of Pakistan": "PK",
    "Unidentified Military Forces": None,
    "Qatar": None,
    "Turkey": None,
    "Saudi Arabia": None,
    "India": None,
    "Unidentified Armed Group": None,
}


def a_broken_copy(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], *, file: str = "scenario.yaml"
) -> Path:
    """A copy of the ridgeline scenario with one YAML file changed by `edit`."""
    target = tmp_path / "ridgeline"
    shutil.copytree(RIDGELINE, target)
    data = yaml.safe_load((target / file).read_text(encoding="utf-8"))
    edit(data)
    (target / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def error_of(ref: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(ref)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- the packaged scenario --------------------------------------------------------------------------


def test_the_packaged_scenario_is_listed_and_is_the_default() -> None:
    assert "af-pk-2025" in list_scenarios()
    assert load_scenario().id == "af-pk-2025"


def test_loading_is_cached_per_resolved_path() -> None:
    scenario = load_scenario("af-pk-2025")
    assert load_scenario(scenario.root) is scenario
    assert load_scenario(scenario.root / "scenario.yaml") is scenario


def test_af_pk_has_its_parties_mediators_and_rules() -> None:
    scenario = load_scenario()
    assert [p.id for p in scenario.parties] == ["PK", "AF"]
    assert scenario.party("PK").country_code == "PK"
    assert {m.id for m in scenario.mediators} == {"QA", "TR"}
    assert scenario.finding_quorum == 2
    assert scenario.reply_window_days == 3
    assert scenario.geography.buffer_km > 0
    with pytest.raises(NotFound):
        scenario.party("IN")


def test_af_pk_has_every_normalized_actor_of_the_gold_with_its_party() -> None:
    scenario = load_scenario()
    for name, party in EVAL_ACTORS.items():
        actor = scenario.actor_by_name(name)
        assert actor is not None, name
        assert actor.party == party, name
        assert actor.aliases, name
    taliban = scenario.actor_by_name("Taliban (Afghanistan)")
    assert taliban is not None and "Islamic Emirate" in taliban.aliases
    ttp = scenario.actor_by_name("TTP")
    assert ttp is not None and ttp.kind is ActorKind.ARMED_GROUP and "Fitna al-Khawarij" in ttp.aliases


def test_no_alias_points_to_two_actors() -> None:
    seen: dict[str, str] = {}
    for actor in load_scenario().actors:
        for alias in (actor.name, *actor.aliases):
            assert seen.setdefault(alias.casefold(), actor.name) == actor.name, alias


def test_af_pk_agreement_covers_both_sides_definitions_of_a_violation() -> None:
    agreement = load_scenario().agreement
    categories = {c.category for c in agreement.clauses}
    assert {
        ClauseCategory.CROSS_BORDER_FIRE,
        ClauseCategory.AIR_STRIKE,
        ClauseCategory.ARMED_GROUP_SUPPORT,
        ClauseCategory.FAILURE_TO_ACT,
        ClauseCategory.SOVEREIGNTY,
        ClauseCategory.CIVILIAN_PROTECTION,
        ClauseCategory.CROSSINGS_AND_TRADE,
        ClauseCategory.NOTIFICATION,
    } <= categories
    # The agreed text is not public: the agreement says so, and only restated public statements are not.
    assert agreement.illustrative
    assert any(c.illustrative for c in agreement.clauses)
    assert "statement" in agreement.source.lower()


def test_af_pk_penalties_are_graduated() -> None:
    scenario = load_scenario()
    starts = [p.applies_from for p in sorted(scenario.penalties, key=lambda p: p.level)]
    assert starts == sorted(starts) and starts[0] == 1 and len(starts) >= 4
    assert scenario.penalty_for(1).level == 1
    assert scenario.penalty_for(2).level == 2
    assert scenario.penalty_for(99).level == max(p.level for p in scenario.penalties)


def test_af_pk_talks_rounds_are_doha_and_two_in_istanbul() -> None:
    rounds = load_scenario().talks_rounds
    assert [(r.place.split(",")[0], r.start, r.end) for r in rounds] == [
        ("Doha", date(2025, 10, 18), date(2025, 10, 19)),
        ("Istanbul", date(2025, 10, 25), date(2025, 10, 30)),
        ("Istanbul", date(2025, 11, 6), date(2025, 11, 7)),
    ]
    assert all(r.source and r.outcome and r.mediators == ["QA", "TR"] for r in rounds)


def test_a_scenarios_files_resolve_under_its_root() -> None:
    scenario = load_scenario()
    assert scenario.path(scenario.geography.boundary).is_file()


# --- the made-up scenario through the same code -------------------------------------------------------


def test_the_made_up_scenario_loads_through_the_same_code() -> None:
    scenario = load_scenario(RIDGELINE)
    assert scenario.id == "ridgeline"
    assert scenario.root == RIDGELINE.resolve()
    assert [c.obligated for c in scenario.agreement.clauses] == ["each", "XS"]
    assert scenario.actor_by_name("Ridge Brigade") is not None
    assert scenario.finding_quorum == 1


# --- broken scenarios: one line each, naming file, field, expected and found ----------------------


def test_a_wrong_type_names_the_field_and_what_was_found(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(reply_window_days="three"))
    assert error_of(broken) == "scenario.yaml: reply_window_days: expected an integer, found 'three'"


def test_a_missing_scenario_file_is_named(tmp_path: Path) -> None:
    assert error_of(tmp_path).endswith("scenario.yaml: file not found")
    assert "file not found" in error_of(tmp_path / "nowhere" / "scenario.yaml")


def test_an_unknown_scenario_id_lists_the_packaged_ones() -> None:
    message = error_of(Path("no-such-scenario"))
    assert "no-such-scenario" in message and "af-pk-2025" in message


def test_unreadable_yaml_gives_the_line(tmp_path: Path) -> None:
    target = tmp_path / "ridgeline"
    shutil.copytree(RIDGELINE, target)
    text = (target / "scenario.yaml").read_text(encoding="utf-8")
    (target / "scenario.yaml").write_text(text.replace("reply_window_days: 5", "reply_window_days: [5"))
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("reply_window_days"))
    message = error_of(target)
    assert message.startswith("scenario.yaml: line ") and "not valid YAML" in message
    assert int(message.split("line ")[1].split(":")[0]) >= line


def test_an_unknown_key_is_named_with_the_keys_that_are_allowed(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(reply_windw_days=3))
    message = error_of(broken)
    assert message.startswith("scenario.yaml: reply_windw_days: unknown key, expected one of ")
    assert "reply_window_days" in message


def test_an_unknown_key_deep_inside_is_named_by_its_path(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["parties"][1].update(flag="red"))
    assert error_of(broken).startswith("scenario.yaml: parties[1].flag: unknown key, expected one of id, ")


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.pop("name"))
    assert error_of(broken) == "scenario.yaml: name: expected a value, found nothing (the field is required)"


def test_an_unknown_actor_kind_lists_the_kinds(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["actors"][2].update(kind="rebels"))
    message = error_of(broken)
    assert message.startswith("scenario.yaml: actors[2].kind: expected one of ")
    assert "'armed_group'" in message and message.endswith("found 'rebels'")


def test_an_actor_of_an_undeclared_party_is_refused(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["actors"][1].update(party="ZZ"))
    assert (
        error_of(broken)
        == "scenario.yaml: actors[1].party: expected one of the parties 'XN', 'XS', found 'ZZ'"
    )


def test_duplicate_clause_ids_are_refused_in_the_included_file(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["clauses"][1].update(id="C1"), file="agreement.yaml")
    assert error_of(broken) == "agreement.yaml: agreement.clauses[1].id: duplicate clause id 'C1'"


def test_a_type_error_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(illustrative="maybe"), file="agreement.yaml")
    assert error_of(broken) == "agreement.yaml: agreement.illustrative: expected true or false, found 'maybe'"


def test_a_clause_obligating_an_unknown_party_is_refused(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["clauses"][1].update(obligated="XQ"), file="agreement.yaml")
    assert error_of(broken) == (
        "agreement.yaml: agreement.clauses[1].obligated: expected one of 'each', 'XN', 'XS', found 'XQ'"
    )


def test_a_missing_included_file_is_named(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(agreement="treaty.yaml"))
    assert error_of(broken).startswith("treaty.yaml: file not found in ")


def test_a_geography_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["geography"].update(boundary="geo/nope.geojson"))
    assert error_of(broken) == (
        "scenario.yaml: geography.boundary: expected an existing file, found no file 'geo/nope.geojson'"
    )


def test_a_quorum_larger_than_the_mediators_is_refused(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(finding_quorum=2))
    assert error_of(broken) == "scenario.yaml: finding_quorum: expected at most the 1 mediators, found 2"


def test_talks_with_an_undeclared_mediator_are_refused(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["talks_rounds"][0].update(mediators=["MD", "XX"]))
    assert error_of(broken) == (
        "scenario.yaml: talks_rounds[0].mediators[1]: expected one of the mediators 'MD', found 'XX'"
    )


def test_a_bad_date_says_which_format_is_expected(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d["talks_rounds"][0].update(start="10 Jan 2030"))
    assert error_of(broken) == (
        "scenario.yaml: talks_rounds[0].start: expected a date YYYY-MM-DD, found '10 Jan 2030'"
    )


def test_the_root_cannot_be_set_in_the_file(tmp_path: Path) -> None:
    broken = a_broken_copy(tmp_path, lambda d: d.update(root="/etc"))
    assert error_of(broken).startswith("scenario.yaml: root: unknown key")
