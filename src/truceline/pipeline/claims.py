"""The claim value: one structured assertion about one happening, in the claim format of DESIGN.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """ACLED event types."""

    BATTLES = "Battles"
    EXPLOSIONS = "Explosions/Remote violence"
    VIOLENCE_AGAINST_CIVILIANS = "Violence against civilians"
    PROTESTS = "Protests"
    RIOTS = "Riots"
    STRATEGIC = "Strategic developments"


class ProcessType(StrEnum):
    """Truceline's addition to ACLED for the ceasefire process."""

    CEASEFIRE_AGREED = "ceasefire_agreed"
    CEASEFIRE_VIOLATION_ALLEGED = "ceasefire_violation_alleged"
    CEASEFIRE_COLLAPSED = "ceasefire_collapsed"
    TALKS_HELD = "talks_held"
    THREAT_OR_WARNING = "threat_or_warning"
    BORDER_CLOSED = "border_closed"
    BORDER_REOPENED = "border_reopened"
    ACCUSATION = "accusation"
    DENIAL = "denial"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a happening took place; precision 1 town, 2 near town/district, 3 province or wider."""

    name: str | None = None
    country: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None
    border_side: str | None = None
    km_to_border: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
            "border_side": self.border_side,
            "km_to_border": self.km_to_border,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Location:
        return cls(
            name=data.get("name"),
            country=data.get("country"),
            admin1=data.get("admin1"),
            lat=data.get("lat"),
            lon=data.get("lon"),
            geo_precision=data.get("geo_precision"),
            border_side=data.get("border_side"),
            km_to_border=data.get("km_to_border"),
        )


@dataclass(frozen=True, slots=True)
class Fatalities:
    """Deaths: `best` is the most conservative figure the text supports; `low`/`high` a range."""

    best: int | None = None
    low: int | None = None
    high: int | None = None
    civilians: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"best": self.best, "low": self.low, "high": self.high, "civilians": self.civilians}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fatalities:
        return cls(
            best=data.get("best"), low=data.get("low"), high=data.get("high"), civilians=data.get("civilians")
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """The exact span of the document the claim rests on: `text == document.text[start:end]`."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(text=str(data["text"]), start=int(data["start"]), end=int(data["end"]))


@dataclass(frozen=True, slots=True)
class ClaimValue:
    """One claim in the interchange format of DESIGN.md ("Claim format"); `injuries` is an extra field."""

    id: str
    document_id: str
    event_type: str
    sub_event_type: str
    process_type: str | None
    event_date: date | None
    time_precision: int | None
    actor1: str | None
    actor2: str | None
    alleged: bool
    claimant: str | None
    location: Location
    fatalities: Fatalities
    evidence: Evidence
    confidence: float
    extractor: str
    injuries: int | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "process_type": self.process_type,
            "event_date": self.event_date.isoformat() if self.event_date else None,
            "time_precision": self.time_precision,
            "actor1": self.actor1,
            "actor2": self.actor2,
            "alleged": self.alleged,
            "claimant": self.claimant,
            "location": self.location.to_json(),
            "fatalities": self.fatalities.to_json(),
            "evidence": self.evidence.to_json(),
            "confidence": self.confidence,
            "extractor": self.extractor,
            "injuries": self.injuries,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClaimValue:
        raw_date = data.get("event_date")
        return cls(
            id=str(data["id"]),
            document_id=str(data["document_id"]),
            event_type=str(data["event_type"]),
            sub_event_type=str(data["sub_event_type"]),
            process_type=data.get("process_type"),
            event_date=date.fromisoformat(raw_date) if raw_date else None,
            time_precision=data.get("time_precision"),
            actor1=data.get("actor1"),
            actor2=data.get("actor2"),
            alleged=bool(data.get("alleged", False)),
            claimant=data.get("claimant"),
            location=Location.from_json(data.get("location") or {}),
            fatalities=Fatalities.from_json(data.get("fatalities") or {}),
            evidence=Evidence.from_json(data["evidence"]),
            confidence=float(data.get("confidence", 0.0)),
            extractor=str(data["extractor"]),
            injuries=data.get("injuries"),
        )


def claim_id(document_id: str, n: int) -> str:
    """Claim ids are `<document id>-c<n>`, numbered from 1 in evidence order, so they are stable."""
    return f"{document_id}-c{n}"
