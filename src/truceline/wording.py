"""How the record is put into words for people: parties, clauses, verdicts, confidence, penalties, figures.

Pure functions of record values and the scenario. Pages, reports, the map and alerts say each thing the same
way through these: a party by its name, a clause by its title, a confidence in estimative words, a penalty as
a step of the schedule. What the record does not know is said as "unknown", never 0 or "None"; a figure the
sources give as a range stays a range. A party is called responsible only by a finding; what claims say is an
allegation by someone against someone (`allegation_words`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from truceline.cases.rules import Confidence, Responsibility, Verdict
from truceline.scenarios.schema import Scenario

UNKNOWN = "unknown"
THE_REPORTS = "the reports"  # who alleges what the sources state as fact (no claimant of their own)

# ICD 203 ranges for the estimative terms a finding's confidence uses.
CONFIDENCE_MEANING: dict[str, str] = {
    Confidence.ALMOST_CERTAIN: "almost certain (95–99%)",
    Confidence.LIKELY: "likely (55–80%)",
    Confidence.ROUGHLY_EVEN: "roughly even chance (45–55%)",
    Confidence.UNLIKELY: "unlikely (20–45%)",
}
VERDICT_WORDS: dict[str, str] = {
    Verdict.VIOLATION_CONFIRMED: "violation confirmed",
    Verdict.NOT_CONFIRMED: "not confirmed",
    Verdict.INCONCLUSIVE: "inconclusive",
}
RESPONSIBILITY_WORDS: dict[str, str] = {
    Responsibility.FORCES: "its own forces",
    Responsibility.HOST: "as host of an armed group it failed to act against",
}


@dataclass(frozen=True, slots=True)
class ClauseRef:
    id: str
    title: str  # "not in the agreement" for an id the scenario does not know


@dataclass(frozen=True, slots=True)
class Allegation:
    """What member claims say: that `against`'s forces acted, alleged `by` a claimant (as the claim names it)
    or, when `by` is None, stated as fact by the reports themselves. Never the mechanism's attribution."""

    against: str  # a party id
    by: str | None
    by_party: str | None  # the party the claimant speaks for, when it speaks for one


def party_name(scenario: Scenario, party_id: str | None) -> str | None:
    """The party's short name ("Pakistan"); the id itself for a party the scenario does not know."""
    if party_id is None:
        return None
    return next((p.short_name for p in scenario.parties if p.id == party_id), party_id)


def claimant_party(scenario: Scenario, claimant: str | None) -> str | None:
    """The party a claimant speaks for: its actor's party, or a party named outright; else None."""
    if not claimant:
        return None
    actor = scenario.actor_by_name(claimant)
    if actor is not None:
        return actor.party
    for party in scenario.parties:
        if claimant in (party.id, party.name, party.short_name):
            return party.id
    return None


def clause_refs(scenario: Scenario, clause_ids: Iterable[object]) -> list[ClauseRef]:
    titles = {c.id: c.title for c in scenario.agreement.clauses}
    return [ClauseRef(str(c), titles.get(str(c), "not in the agreement")) for c in clause_ids]


def clauses_words(scenario: Scenario, clause_ids: Iterable[object]) -> str:
    """ "C2 No cross-border fire; C3 No air or drone strikes" (the id and the clause's title)."""
    return "; ".join(f"{c.id} {c.title}" for c in clause_refs(scenario, clause_ids))


def verdict_words(verdict: str) -> str:
    return VERDICT_WORDS.get(verdict, verdict.replace("_", " "))


def confidence_words(confidence: str) -> str:
    return CONFIDENCE_MEANING.get(confidence, confidence.replace("_", " "))


def responsible_words(scenario: Scenario, party_id: str | None, responsibility: str | None) -> str | None:
    """ "Pakistan, its own forces"; "Afghanistan, as host of an armed group…"; None when no party is named."""
    name = party_name(scenario, party_id)
    if name is None:
        return None
    how = RESPONSIBILITY_WORDS.get(responsibility or "")
    return f"{name}, {how}" if how else name


def penalty_words(scenario: Scenario, level: int, name: str) -> str:
    """ "Step 2 of 5 of the penalty schedule: Public attribution"."""
    return f"Step {level} of {len(scenario.penalties)} of the penalty schedule: {name}"


def fatalities_words(best: int | None, low: int | None = None, high: int | None = None) -> str:
    """ "3", "3–5", "at least 3" or "unknown": the sources' figures, a range kept a range.

    A missing low or high is the best estimate; with no figure at all the toll is unknown (not 0).
    """
    lowest = low if low is not None else best
    highest = high if high is not None else best
    if lowest is None and highest is None:
        return UNKNOWN
    if highest is None:
        return f"at least {lowest}"
    if lowest is None or lowest == highest:
        return str(highest)
    return f"{min(lowest, highest)}–{max(lowest, highest)}"


def allegation_words(scenario: Scenario, allegation: Allegation) -> str:
    """ "alleged by Pakistan against Afghanistan"; "alleged by the reports against Pakistan"."""
    by = party_name(scenario, allegation.by_party) if allegation.by_party else allegation.by
    return f"alleged by {by or THE_REPORTS} against {party_name(scenario, allegation.against)}"


def value_words(value: object) -> str:
    """Any stored value for a page: None is "unknown", never "None"."""
    return UNKNOWN if value is None or value == "" else str(value)


@dataclass(frozen=True, slots=True)
class Wording:
    """These functions bound to one scenario, for templates: `{{ say.party("PK") }}`, `{{ say.value(x) }}`."""

    scenario: Scenario

    def party(self, party_id: str | None) -> str:
        return party_name(self.scenario, party_id) or "no party"

    def allegation(self, allegation: Allegation) -> str:
        return allegation_words(self.scenario, allegation)

    def fatalities(self, best: int | None, low: int | None = None, high: int | None = None) -> str:
        return fatalities_words(best, low, high)

    def clauses(self, clause_ids: Iterable[object]) -> str:
        return clauses_words(self.scenario, clause_ids)

    def verdict(self, verdict: str) -> str:
        return verdict_words(verdict)

    def confidence(self, confidence: str) -> str:
        return confidence_words(confidence)

    def responsible(self, party_id: str | None, responsibility: str | None) -> str:
        return responsible_words(self.scenario, party_id, responsibility) or "no party named"

    def penalty(self, level: int, name: str) -> str:
        return penalty_words(self.scenario, level, name)

    def value(self, value: object) -> str:
        return value_words(value)
