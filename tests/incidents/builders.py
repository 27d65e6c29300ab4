"""Hand-made claims and sources for the incidents tests: plain builder functions, nothing downloaded."""

from __future__ import annotations

from datetime import date

from truceline.incidents.rules import build_incident
from truceline.incidents.values import Cluster, IncidentValue, Reliability, SourceInfo
from truceline.pipeline.claims import ClaimValue, Evidence, Fatalities, Location

# Rounded GeoNames coordinates (CC BY 4.0).
CHAMAN = (30.92, 66.45)
SPIN_BOLDAK = (31.01, 66.40)
KABUL = (34.53, 69.17)
PESHAWAR = (34.01, 71.58)
KHOST = (33.34, 69.92)


def make_claim(
    claim_id: str,
    *,
    document_id: str | None = None,
    event_type: str = "Battles",
    sub_event_type: str = "Armed clash",
    process_type: str | None = None,
    day: date | None = date(2025, 12, 5),
    time_precision: int = 1,
    actor1: str | None = "Military Forces of Pakistan",
    actor2: str | None = "Taliban (Afghanistan)",
    alleged: bool = False,
    claimant: str | None = None,
    place: tuple[float, float] | None = CHAMAN,
    place_name: str | None = "Chaman",
    country: str | None = "PK",
    geo_precision: int = 1,
    best: int | None = None,
    low: int | None = None,
    high: int | None = None,
    civilians: int | None = None,
    evidence: str = "Pakistani and Afghan forces exchanged fire at the Chaman crossing late on Friday.",
) -> ClaimValue:
    lat, lon = place if place is not None else (None, None)
    return ClaimValue(
        id=claim_id,
        document_id=document_id or claim_id.rsplit("-c", 1)[0],
        event_type=event_type,
        sub_event_type=sub_event_type,
        process_type=process_type,
        event_date=day,
        time_precision=time_precision,
        actor1=actor1,
        actor2=actor2,
        alleged=alleged,
        claimant=claimant,
        location=Location(
            name=place_name if place is not None else None,
            country=country,
            lat=lat,
            lon=lon,
            geo_precision=geo_precision if place is not None else None,
        ),
        fatalities=Fatalities(
            best=best, low=low if low is not None else best, high=high, civilians=civilians
        ),
        evidence=Evidence(evidence, 0, len(evidence)),
        confidence=0.8,
        extractor="test/1",
    )


def make_source(outlet: str, *, text: str | None = None, grade: str = "C", url: str = "") -> SourceInfo:
    return SourceInfo(outlet=outlet, url=url, text=text, reliability=Reliability(grade))


def an_incident() -> IncidentValue:
    """Two reports of one clash, with a fatality range."""
    claims = [
        make_claim("A-c1", best=4, civilians=4),
        make_claim("B-c1", best=5, high=6, evidence="Five died in the exchange of fire, police said."),
    ]
    return build_incident(Cluster.of(claims))
