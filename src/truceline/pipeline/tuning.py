"""The extractor's few tunable settings, kept apart from its rules so they can be cross-validated.

`make eval` picks these by a grid search on one fold of the dev set and scores them on the other
(benchmarks/eval.py); the defaults are what the shipped extractor uses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tuning:
    """Settings of the rules extractor that are numbers or switches, not words."""

    max_age_days: int = 7
    """A day-level date further back than this from publication marks a mention as background."""
    lead_sentences: int = 2
    """Sentences at the top of the body whose undated happenings are the news of the day."""
    inherit_within: int = 4
    """An undated mention continues a dated happening at most this many sentences back."""
    undated_later: bool = True
    """An undated happening past the lead, with nothing to inherit, takes the publication date at
    week precision (the coding convention) instead of being dropped as background."""
    background_reach: int | None = None
    """How far (characters) a background marker reaches from a trigger within its clause; None: the clause."""
    next_day_weekdays: bool = False
    """'On Monday' in a report dated Sunday is the next day (a report dated a time zone behind), not six
    days back."""


DEFAULT_TUNING = Tuning()

# The grid `make eval` searches for its cross-validated figure: a few values each, around the defaults.
TUNING_GRID: dict[str, tuple[object, ...]] = {
    "max_age_days": (3, 7, 14),
    "inherit_within": (2, 4),
    "undated_later": (False, True),
    "next_day_weekdays": (False, True),
    "background_reach": (None, 30),
}
