"""Pure verification rules: the status machine, versions, the signed finding, notified areas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from truceline.cases.rules import (
    TRANSITIONS,
    CaseStatus,
    check_area,
    check_finding_fields,
    check_transition,
    finding_content,
    finding_message,
    is_in_area,
    is_in_window,
)
from truceline.db.versions import base_id, next_version_id, version_of
from truceline.errors import Conflict, InvalidInput


def test_every_legal_move_is_accepted() -> None:
    for source, targets in TRANSITIONS.items():
        for target in targets:
            assert check_transition("case-1", source, target) is target


def test_an_illegal_move_names_the_case_and_both_statuses() -> None:
    with pytest.raises(Conflict, match="case case-1: cannot go from open to closed"):
        check_transition("case-1", "open", "closed")


def test_a_closed_case_goes_nowhere() -> None:
    for status in CaseStatus:
        with pytest.raises(Conflict):
            check_transition("case-1", "closed", status)


def test_an_unknown_status_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="expected one of open, investigating"):
        check_transition("case-1", "open", "done")


def test_versions_share_a_base_id() -> None:
    assert next_version_id("case-ab12") == "case-ab12.v2"
    assert next_version_id("case-ab12.v9") == "case-ab12.v10"
    assert base_id("case-ab12.v10") == "case-ab12"
    assert version_of("case-ab12") == 1
    assert version_of("case-ab12.v10") == 10


def test_the_signed_finding_ignores_status_and_version() -> None:
    fields = {
        "case_id": "case-1.v3",
        "verdict": "violation_confirmed",
        "responsible_party": "AF",
        "responsibility": "host",
        "clause_ids": ["C4"],
        "confidence": "roughly_even",
        "rationale": "r",
    }
    proposed = finding_message(finding_content(finding_id="fnd-1", **fields))  # type: ignore[arg-type]
    adopted = finding_message(finding_content(finding_id="fnd-1.v2", **fields))  # type: ignore[arg-type]
    assert proposed == adopted
    assert proposed.startswith(
        b'{"case_id":"case-1","clause_ids":["C4"],"confidence":"roughly_even","domain":'
    )


def test_a_confirmed_violation_names_who_and_how() -> None:
    with pytest.raises(InvalidInput, match="needs responsible_party and responsibility"):
        check_finding_fields(verdict="violation_confirmed", responsible_party="PK", responsibility=None)
    with pytest.raises(InvalidInput, match="expected one of forces, host"):
        check_finding_fields(verdict="violation_confirmed", responsible_party="PK", responsibility="army")
    check_finding_fields(verdict="inconclusive", responsible_party=None, responsibility=None)


def test_a_point_with_radius_covers_what_is_within_the_radius() -> None:
    area = {"type": "Point", "coordinates": [71.08, 34.11], "radius_km": 5}
    assert is_in_area(area, lat=34.13, lon=71.10)  # about 2.9 km away
    assert not is_in_area(area, lat=34.20, lon=71.08)  # about 10 km north


def test_a_polygon_covers_its_inside_and_its_edge() -> None:
    square = {"type": "Polygon", "coordinates": [[[71, 34], [72, 34], [72, 35], [71, 35], [71, 34]]]}
    assert is_in_area(square, lat=34.5, lon=71.5)
    assert is_in_area(square, lat=34.0, lon=71.5)
    assert not is_in_area(square, lat=33.9, lon=71.5)


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ({"type": "Point", "coordinates": [71, 34]}, "radius_km"),
        ({"type": "Point", "coordinates": [71, 34], "radius_km": 5000}, "radius_km"),
        ({"type": "Point", "coordinates": [34, 171], "radius_km": 5}, r"\[lon, lat\]"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "self-intersecting"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Polygon or a Point"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "not valid GeoJSON"),
    ],
)
def test_bad_areas_are_refused(area: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_area(area)


def test_a_claim_day_overlapping_the_window_is_inside() -> None:
    starts, ends = datetime(2025, 11, 2, 22, tzinfo=UTC), datetime(2025, 11, 3, 4, tzinfo=UTC)
    assert is_in_window(date(2025, 11, 3), starts_at=starts, ends_at=ends)
    assert not is_in_window(date(2025, 11, 4), starts_at=starts, ends_at=ends)
