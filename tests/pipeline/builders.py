"""Tiny hand-made scenario values for pipeline tests: a few places and actors, nothing downloaded."""

from __future__ import annotations

from datetime import date

from truceline.pipeline.context import ExtractionContext, Place
from truceline.pipeline.document import SourceDocument
from truceline.pipeline.extract import RulesExtractor
from truceline.pipeline.lexicons import Lexicons, load_lexicons
from truceline.pipeline.nlp import BLANK_MODEL

# Coordinates rounded from GeoNames records (CC BY 4.0); enough to test disambiguation.
PLACES = [
    Place("Chaman", "PK", 30.92, 66.45, admin1="Balochistan", population=130139, border_km=4.0),
    Place("Spin Boldak", "AF", 31.01, 66.40, admin1="Kandahar", population=0, border_km=6.0),
    Place("Spin Boldak", "AF", 30.99, 66.12, admin1="Kandahar", population=40464, kind="adm2", border_km=3.0),
    Place("Khost", "AF", 33.34, 69.92, admin1="Khost", population=96123, border_km=30.0),
    Place("Khost", "AF", 33.35, 69.82, admin1="Khost", population=487400, kind="adm1", border_km=0.0),
    Place(
        "Kurram", "PK", 33.85, 70.10, admin1="Khyber Pakhtunkhwa", population=0, kind="adm2", border_km=0.0
    ),
    Place("Peshawar", "PK", 34.01, 71.58, admin1="Khyber Pakhtunkhwa", population=4758762, border_km=40.0),
    Place("Torkham", "PK", 34.11, 71.08, kind="crossing", border_km=1.4),
    Place("Barmal", "AF", 32.69, 69.26, admin1="Paktika", population=28810, kind="adm2", border_km=10.0),
    Place("Paktika", "AF", 32.43, 68.68, admin1="Paktika", population=369100, kind="adm1", border_km=0.0),
    Place("Barmal", "PK", 29.0, 70.0, admin1="Punjab", population=5000, border_km=300.0),
]
ACTORS = [
    ("Government of Pakistan", "PK", ["Pakistani government"]),
    ("Military Forces of Pakistan", "PK", []),
    ("Police Forces of Pakistan", "PK", []),
    ("Taliban (Afghanistan)", "AF", []),
    ("TTP", None, []),
    ("Civilians (Pakistan)", "PK", []),
    ("Civilians (Afghanistan)", "AF", []),
]
PUBLISHED = date(2025, 12, 6)  # a Saturday
TODAY = date(2025, 12, 8)  # the clock the tests pass: a Monday, two days after PUBLISHED


class FakeGeography:
    """Longitude 67.5 east of Chaman stands in for the border line (good enough for side and distance)."""

    def side_of(self, lat: float, lon: float) -> str | None:
        return "PK" if lon > 66.43 or lat > 33 else "AF"

    def km_to_border(self, lat: float, lon: float) -> float | None:
        return 1.0


def make_context() -> ExtractionContext:
    return ExtractionContext.from_parts(actors=ACTORS, places=PLACES, geography=FakeGeography())


def make_document(
    text: str, *, published: date | None = PUBLISHED, doc_id: str = "T1", title: str = ""
) -> SourceDocument:
    return SourceDocument(id=doc_id, text=text, published=published, title=title)


def make_extractor() -> RulesExtractor:
    """The rules extractor on spacy.blank('en'): no statistical model involved."""
    return RulesExtractor(model=BLANK_MODEL)


def lexicons() -> Lexicons:
    return load_lexicons()
