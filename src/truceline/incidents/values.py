"""Frozen values of the pure incidents code: where a claim came from, clusters, and the incident itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from truceline.pipeline.claims import ClaimValue, Fatalities


class Reliability(StrEnum):
    """Admiralty (NATO STANAG 2511) source reliability grades."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged

    @property
    def label(self) -> str:
        return _RELIABILITY_LABELS[self]


_RELIABILITY_LABELS = {
    Reliability.A: "completely reliable",
    Reliability.B: "usually reliable",
    Reliability.C: "fairly reliable",
    Reliability.D: "not usually reliable",
    Reliability.E: "unreliable",
    Reliability.F: "reliability cannot be judged",
}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where one claim's document came from: what independence counting needs to know.

    `fingerprint` is a MinHash of the document text (`corroboration.fingerprint_text`); give it instead
    of `text` when the body should not be held in memory. Either one lets syndicated copies be found.
    """

    outlet: str
    url: str = ""
    text: str | None = None
    fingerprint: tuple[int, ...] | None = None
    reliability: Reliability = Reliability.F


@dataclass(frozen=True, slots=True)
class Cluster:
    """Claims judged to describe one happening; claims are kept sorted by id."""

    claims: tuple[ClaimValue, ...]

    @classmethod
    def of(cls, claims: Iterable[ClaimValue]) -> Cluster:
        return cls(claims=tuple(sorted(claims, key=lambda c: c.id)))

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.claims)

    @property
    def id(self) -> str:
        """Stable id from the member ids: the same members always give the same id."""
        return cluster_id(self.claim_ids)

    @property
    def first_date(self) -> date | None:
        dates = [c.event_date for c in self.claims if c.event_date is not None]
        return min(dates) if dates else None

    def sort_key(self) -> tuple[str, str]:
        first = self.first_date
        return (first.isoformat() if first else "9999-99-99", self.claim_ids[0] if self.claims else "")


def cluster_id(claim_ids: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(claim_ids)).encode("utf-8")).hexdigest()
    return f"INC-{digest[:12]}"


@dataclass(frozen=True, slots=True)
class IncidentPlace:
    """The canonical place of an incident: a point with an honest uncertainty radius."""

    name: str | None
    country: str | None
    admin1: str | None
    lat: float | None
    lon: float | None
    geo_precision: int | None
    radius_km: float | None
    is_centroid: bool = False
    border_side: str | None = None
    km_to_border: float | None = None

    def on_border(self, *, border_side: str | None, km_to_border: float | None) -> IncidentPlace:
        """The same place with its side of the border and distance to it (`dataclasses.replace`, cheaper)."""
        return IncidentPlace(
            self.name,
            self.country,
            self.admin1,
            self.lat,
            self.lon,
            self.geo_precision,
            self.radius_km,
            self.is_centroid,
            border_side,
            km_to_border,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
            "radius_km": self.radius_km,
            "is_centroid": self.is_centroid,
            "border_side": self.border_side,
            "km_to_border": self.km_to_border,
        }


@dataclass(frozen=True, slots=True)
class IncidentValue:
    """One happening: canonical fields from its member claims, independent sources and corroboration."""

    id: str
    title: str
    event_type: str
    sub_event_type: str
    process_type: str | None
    date_start: date | None
    date_end: date | None
    time_precision: int | None
    actor1: str | None
    actor2: str | None
    actors: tuple[str, ...]
    location: IncidentPlace
    fatalities: Fatalities
    claim_ids: tuple[str, ...]
    independent_sources: int = 0
    corroboration: float = 0.0
    reasons: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The fields of the incidents table (`incidents.models.Incident`) as plain JSON."""
        return {
            "id": self.id,
            "title": self.title,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "process_type": self.process_type,
            "date_start": self.date_start.isoformat() if self.date_start else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "time_precision": self.time_precision,
            "actor1": self.actor1,
            "actor2": self.actor2,
            "actors": list(self.actors),
            "location": self.location.to_json(),
            "fatalities": self.fatalities.to_json(),
            "claim_ids": list(self.claim_ids),
            "claims": list(self.claim_ids),
            "independent_sources": self.independent_sources,
            "corroboration": self.corroboration,
            "reasons": list(self.reasons),
        }
