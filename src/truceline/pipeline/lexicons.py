"""The rules kept as data under `pipeline/rules/`: loaded once, compiled once, read by every stage."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

RULES_PACKAGE = "truceline.pipeline.rules"


def read_rules_json(name: str) -> dict[str, Any]:
    """One rules file as a dict (the `_doc` key documents the file and is ignored)."""
    text = resources.files(RULES_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def read_rules_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(RULES_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def compile_words(pattern: str) -> re.Pattern[str]:
    """A case-insensitive regex matched on word boundaries."""
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """One event trigger: its regex and what it makes."""

    pattern: re.Pattern[str]
    event_type: str
    sub_event_type: str
    process_type: str | None
    is_generic: bool


@dataclass(frozen=True, slots=True, eq=False)
class Lexicons:
    """Every compiled rule the stages read; see the `_doc` of each file under `rules/`."""

    violence_triggers: tuple[TriggerRule, ...]
    process_triggers: tuple[TriggerRule, ...]
    blame: re.Pattern[str]
    border_words: re.Pattern[str]
    distinct_markers: re.Pattern[str]
    sequel_markers: re.Pattern[str]
    anaphora: re.Pattern[str]
    reciprocal: re.Pattern[str]
    irrealis: re.Pattern[str]
    cause_reference: re.Pattern[str]
    commemoration: re.Pattern[str]
    civilian_targets: re.Pattern[str]
    background: re.Pattern[str]
    not_background: re.Pattern[str]
    speech_verbs: re.Pattern[str]
    hedges: re.Pattern[str]
    not_hedges: re.Pattern[str]
    content_starts: re.Pattern[str]
    neutral_sources: re.Pattern[str]
    casualties: dict[str, Any]
    dates: dict[str, Any]
    noise_stop: re.Pattern[str]
    noise_line: re.Pattern[str]
    noise_min_words: int


def _trigger_rules(entries: list[dict[str, Any]]) -> tuple[TriggerRule, ...]:
    return tuple(
        TriggerRule(
            pattern=compile_words(entry["pattern"]),
            event_type=entry.get("event_type", "Strategic developments"),
            sub_event_type=entry["sub_event_type"],
            process_type=entry.get("process_type"),
            is_generic=bool(entry.get("generic", False)),
        )
        for entry in entries
    )


@cache
def load_lexicons() -> Lexicons:
    """All rules files, compiled; cached for the life of the process."""
    triggers = read_rules_json("triggers.json")
    background = read_rules_json("background.json")
    attribution = read_rules_json("attribution.json")
    noise = read_rules_json("noise.json")
    return Lexicons(
        violence_triggers=_trigger_rules(triggers["violence"]),
        process_triggers=_trigger_rules(triggers["process"]),
        blame=compile_words(triggers["blame"]),
        border_words=compile_words(triggers["border_words"]),
        distinct_markers=re.compile(triggers["distinct_markers"], re.IGNORECASE),
        sequel_markers=re.compile(triggers["sequel_markers"], re.IGNORECASE),
        anaphora=re.compile(triggers["anaphora"], re.IGNORECASE),
        reciprocal=re.compile(triggers["reciprocal"], re.IGNORECASE),
        irrealis=re.compile(triggers["irrealis"], re.IGNORECASE),
        cause_reference=re.compile(triggers["cause_reference"], re.IGNORECASE),
        commemoration=compile_words(triggers["commemoration"]),
        civilian_targets=compile_words(triggers["civilian_targets"]),
        background=re.compile(background["markers"], re.IGNORECASE),
        not_background=re.compile(background["not_markers"], re.IGNORECASE),
        speech_verbs=compile_words(attribution["speech_verbs"]),
        hedges=re.compile(attribution["hedges"], re.IGNORECASE),
        not_hedges=re.compile(attribution["not_hedges"], re.IGNORECASE),
        content_starts=re.compile(attribution["content_starts"], re.IGNORECASE),
        neutral_sources=compile_words(attribution["neutral_sources"]),
        casualties=read_rules_json("casualties.json"),
        dates=read_rules_json("dates.json"),
        noise_stop=re.compile(noise["stop_sections"], re.IGNORECASE),
        noise_line=re.compile(noise["noise_lines"], re.IGNORECASE),
        noise_min_words=int(noise["min_words"]),
    )
