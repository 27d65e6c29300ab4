"""The scenario format: frozen Pydantic models of scenario.yaml and the files it includes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from truceline.errors import NotFound

EACH_PARTY = "each"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Party(_Model):
    """A party to the ceasefire; `id` is what every other record uses (e.g. "PK", "AF")."""

    id: str = Field(min_length=1)
    name: str
    short_name: str
    country_code: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    description: str = ""
    public_key: str | None = Field(
        default=None, description="C2SP vkey of the party's witness/signing key, filled in at deployment"
    )


class Mediator(_Model):
    """A mediator/guarantor; findings need `finding_quorum` of them."""

    id: str = Field(min_length=1)
    name: str
    country_code: str = Field(min_length=2, max_length=2)


class ActorKind(StrEnum):
    STATE_FORCES = "state_forces"
    POLICE = "police"
    GOVERNMENT = "government"
    ARMED_GROUP = "armed_group"
    CIVILIANS = "civilians"
    MEDIATOR = "mediator"
    FOREIGN_STATE = "foreign_state"
    UNIDENTIFIED = "unidentified"


class Actor(_Model):
    """A normalized actor, the party it is affiliated with (if any), and the names reporting uses for it."""

    name: str = Field(min_length=1)
    party: str | None = None
    kind: ActorKind
    aliases: list[str] = []


class Sector(_Model):
    """A named stretch of the border, made of admin units (admin1 or admin2 names) on either side."""

    id: str = Field(min_length=1)
    name: str
    description: str = ""
    admin_units: list[str] = Field(min_length=1)


class Geography(_Model):
    """Paths (relative to the scenario directory) of the geodata, and the buffer zone width."""

    boundary: str = Field(description="GeoJSON of the ceasefire line (LineString/MultiLineString)")
    countries: str = Field(description="GeoJSON of the parties' territory, one feature per country (iso_a2)")
    admin1: list[str] = Field(description="GeoJSON files of first-level admin units (property `name`)")
    admin2: list[str] = Field(default=[], description="GeoJSON files of second-level admin units")
    crossings: str = Field(description="CSV of crossing points: name, alt_names, lat, lon, ...")
    gazetteer: list[str] = Field(description="CSV (or .csv.gz) files in the gazetteer column format")
    buffer_km: float = Field(gt=0)
    sectors: list[Sector] = []


class ClauseCategory(StrEnum):
    CROSS_BORDER_FIRE = "cross_border_fire"
    AIR_STRIKE = "air_strike"
    ARMED_GROUP_SUPPORT = "armed_group_support"
    FAILURE_TO_ACT = "failure_to_act"
    SOVEREIGNTY = "sovereignty"
    CIVILIAN_PROTECTION = "civilian_protection"
    CROSSINGS_AND_TRADE = "crossings_and_trade"
    NOTIFICATION = "notification"
    MECHANISM = "mechanism"


class Clause(_Model):
    """One obligation; `obligated` is "each" (both parties) or one party id."""

    id: str = Field(min_length=1)
    title: str
    text: str
    category: ClauseCategory
    obligated: str = EACH_PARTY
    illustrative: bool


class Agreement(_Model):
    title: str
    version: str
    illustrative: bool
    source: str
    clauses: list[Clause] = Field(min_length=1)


class PenaltyStep(_Model):
    """A rung of the graduated penalty schedule, reached at the `applies_from`-th confirmed violation."""

    level: int = Field(ge=1)
    name: str
    description: str
    applies_from: int = Field(ge=1)


class TalksRound(_Model):
    id: str = Field(min_length=1)
    name: str
    place: str
    start: date
    end: date
    mediators: list[str]
    outcome: str
    source: str


class Ceasefire(_Model):
    """When the ceasefire took effect, and how many weeks before it make the pre-ceasefire baseline."""

    start: date
    baseline_weeks: int = Field(default=8, ge=1, le=104)


class Escalation(_Model):
    """Weights of the escalation index's parts (they need not sum to 1; the index divides by their sum)."""

    window_days: int = Field(default=7, ge=1, le=90)
    severity: float = Field(default=0.35, ge=0)
    fatalities: float = Field(default=0.30, ge=0)
    threats: float = Field(default=0.20, ge=0)
    talks: float = Field(default=0.15, ge=0)


class Scenario(_Model):
    """One ceasefire mechanism's configuration; `root` is the directory it was loaded from."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    description: str
    root: Path
    parties: list[Party] = Field(min_length=2)
    mediators: list[Mediator] = Field(min_length=1)
    actors: list[Actor]
    geography: Geography
    agreement: Agreement
    penalties: list[PenaltyStep] = Field(min_length=1)
    penalty_window_days: int = Field(ge=1)
    reply_window_days: int = Field(ge=1)
    finding_quorum: int = Field(ge=1)
    talks_rounds: list[TalksRound] = []
    ceasefire: Ceasefire | None = None
    escalation: Escalation = Escalation()

    def __hash__(self) -> int:
        # Lists make the default frozen-model hash fail; equal scenarios share id and root.
        return hash((self.id, self.root))

    def party(self, party_id: str) -> Party:
        """The party with this id, or NotFound."""
        for party in self.parties:
            if party.id == party_id:
                return party
        raise NotFound("party", party_id)

    def actor_by_name(self, name: str) -> Actor | None:
        """The actor whose normalized name is `name` (exact), or None."""
        for actor in self.actors:
            if actor.name == name:
                return actor
        return None

    def party_of_country(self, country_code: str) -> Party | None:
        """The party whose territory is the country `country_code` (ISO alpha-2), or None."""
        code = country_code.upper()
        return next((p for p in self.parties if p.country_code.upper() == code), None)

    def penalty_for(self, nth_violation: int) -> PenaltyStep:
        """The highest penalty step that applies to the party's `nth_violation` in the window."""
        reached = [step for step in self.penalties if step.applies_from <= nth_violation]
        return max(reached, key=lambda s: s.applies_from) if reached else min(self.penalties, key=_from)

    def path(self, relative: str) -> Path:
        """A file of this scenario, by its path relative to the scenario directory."""
        return self.root / relative


def _from(step: PenaltyStep) -> int:
    return step.applies_from
