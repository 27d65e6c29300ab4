"""Scenarios: the configuration of one ceasefire mechanism (parties, actors, geography, agreement, penalties).

`load_scenario("af-pk-2025")` loads the packaged default; geography and gazetteer live in
`truceline.scenarios.geography` and `truceline.scenarios.gazetteer` and are built on first use.
"""

from __future__ import annotations

from truceline.scenarios.loader import DEFAULT_SCENARIO, list_scenarios, load_scenario
from truceline.scenarios.schema import Scenario

__all__ = ["DEFAULT_SCENARIO", "Scenario", "list_scenarios", "load_scenario"]
