from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from truceline.errors import InvalidInput
from truceline.incidents.interop import (
    ACLED_COLUMNS,
    format_acled_csv,
    incidents_to_geojson,
    link_events,
    parse_acled_csv,
    parse_ged_csv,
)
from truceline.incidents.rules import build_incident
from truceline.incidents.values import Cluster

from .builders import KABUL, an_incident, make_claim

# ../shared beside the repository, as on a developer's machine and in CI (read only, never copied).
SHARED_EVENTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "events"

# Invented rows in ACLED's export layout (no real ACLED data may be redistributed).
ACLED_ROWS = [
    {
        "event_id_cnty": "PAK90001",
        "event_date": "2025-12-05",
        "year": "2025",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Pakistan",
        "actor2": "Taliban (Afghanistan)",
        "country": "Pakistan",
        "admin1": "Balochistan",
        "location": "Chaman",
        "latitude": "30.92",
        "longitude": "66.45",
        "geo_precision": "1",
        "source": "Invented Wire",
        "notes": "On 5 December 2025, forces exchanged fire at Chaman. 4 fatalities.",
        "fatalities": "4",
    },
    {
        "event_id_cnty": "AFG90002",
        "event_date": "6 December 2025",
        "event_type": "Strategic developments",
        "sub_event_type": "Other",
        "country": "Afghanistan",
        "latitude": "",
        "longitude": "",
        "fatalities": "0",
        "tags": "truceline:process_type=accusation",
    },
]
# Invented rows in UCDP GED's layout, with the HDX hashtag row as the second row.
GED_HEADER = (
    "id,type_of_violence,side_a,side_b,where_prec,where_coordinates,adm_1,latitude,longitude,country,"
)
GED_HEADER += "date_prec,date_start,date_end,deaths_civilians,best,high,low"
GED_ROWS = [
    "#event+id,,#group+name+first,#group+name+second,,#loc+name,#adm1+name,#geo+lat,#geo+lon,#country+name,,"
    "#date+start,#date+end,,#affected+killed,,",
    "900001,1,Government of Pakistan,TTP,1,Test village,Khyber Pakhtunkhwa,33.1,70.1,Pakistan,1,"
    "2025-12-05 00:00:00.000,2025-12-05 00:00:00.000,0,7,9,5",
    "900002,3,TTP,Civilians,4,Khyber Pakhtunkhwa,Khyber Pakhtunkhwa,34.0,71.5,Pakistan,4,"
    "2025-12-01 00:00:00.000,2025-12-31 00:00:00.000,3,3,3,3",
]
GED_TEXT = "\n".join([GED_HEADER, *GED_ROWS]) + "\n"


def acled_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_the_acled_header_is_the_shared_one():
    with open(SHARED_EVENTS / "acled_export_header_only.csv", encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header == list(ACLED_COLUMNS)


def test_acled_rows_become_claims():
    first, second = parse_acled_csv(io.StringIO(acled_csv(ACLED_ROWS)))
    assert first.id == "ACLED-PAK90001-c1" and first.extractor == "acled-csv/1"
    assert (first.event_date, first.location.country, first.location.lat) == (date(2025, 12, 5), "PK", 30.92)
    assert first.fatalities.best == 4 and first.evidence.text.startswith("On 5 December")
    assert second.event_date == date(2025, 12, 6) and second.process_type == "accusation"
    assert second.location.lat is None and second.location.country == "AF"


def test_ged_rows_become_claims_and_the_hxl_row_is_skipped():
    claims = parse_ged_csv(
        io.StringIO(GED_TEXT), actor_aliases={"Government of Pakistan": "Military Forces of Pakistan"}
    )
    assert [c.document_id for c in claims] == ["UCDP-GED-900001", "UCDP-GED-900002"]
    clash, attack = claims
    assert (clash.event_type, clash.actor1, clash.location.geo_precision) == (
        "Battles",
        "Military Forces of Pakistan",
        1,
    )
    assert (clash.fatalities.best, clash.fatalities.low, clash.fatalities.high) == (7, 5, 9)
    assert attack.event_type == "Violence against civilians"
    assert (attack.location.geo_precision, attack.time_precision) == (3, 3)


def test_the_shared_ged_files_import():
    with open(SHARED_EVENTS / "ucdp_ged_pak_1989_2021_hdx.csv", encoding="utf-8") as handle:
        assert len(parse_ged_csv(handle)) == 6416
    with open(SHARED_EVENTS / "ucdp_ged_afg_subset_310.csv", encoding="utf-8") as handle:
        subset = parse_ged_csv(handle)
    assert len(subset) == 310 and subset[0].location.country == "AF" and subset[0].fatalities.best == 28


def test_missing_columns_and_bad_cells_are_reported_with_expected_and_found():
    with pytest.raises(InvalidInput, match="expected columns event_id_cnty"):
        parse_acled_csv(io.StringIO("a,b\n1,2\n"))
    bad = acled_csv([{**ACLED_ROWS[0], "latitude": "north"}])
    with pytest.raises(InvalidInput, match="row 2, latitude: expected a number, found 'north'"):
        parse_acled_csv(io.StringIO(bad))


def test_acled_cells_are_read_by_position_as_a_dict_reader_reads_them():
    """Short rows read as empty cells, extra cells are ignored, missing columns are empty, blank lines are
    not numbered (the HXL row is), an HXL row is skipped, and a repeated column reads its last cell (as
    csv.DictReader)."""
    header = ["event_id_cnty", "event_date", "event_type", "notes", "latitude", "notes"]
    lines = [
        ",".join(header),
        "#event+id,#date,#event+type,,,",
        "",
        " PAK1 ,2025-12-05,Battles,first note,30.5,last note,extra,cells",
        "PAK2,2025-12-06,Riots",
        "",
        "PAK3,2025-12-07,Riots,,north,",
    ]
    with pytest.raises(InvalidInput, match="row 5, latitude: expected a number, found 'north'"):
        parse_acled_csv(lines)
    one, two = parse_acled_csv(lines[:-1])
    assert (one.id, one.evidence.text, one.location.lat, one.actor1) == (
        "ACLED-PAK1-c1",
        "last note",
        30.5,
        None,
    )
    assert (two.event_type, two.evidence.text, two.location.lat, two.sub_event_type) == (
        "Riots",
        "PAK2",
        None,
        "",
    )


def test_acled_export_reads_back_with_the_same_fields():
    incident = an_incident()
    (claim,) = parse_acled_csv(io.StringIO(format_acled_csv([incident])))
    loc = incident.location
    assert claim.document_id == f"ACLED-{incident.id}"
    assert (claim.event_date, claim.time_precision) == (incident.date_start, incident.time_precision)
    assert (claim.event_type, claim.sub_event_type, claim.process_type) == (
        incident.event_type,
        incident.sub_event_type,
        incident.process_type,
    )
    assert (claim.actor1, claim.actor2) == (incident.actor1, incident.actor2)
    assert (claim.location.name, claim.location.country, claim.location.lat, claim.location.lon) == (
        loc.name,
        loc.country,
        loc.lat,
        loc.lon,
    )
    assert claim.location.geo_precision == loc.geo_precision
    assert claim.fatalities.best == incident.fatalities.best


def test_a_process_type_survives_the_acled_round_trip():
    claims = [
        make_claim(
            "A-c1", event_type="Strategic developments", sub_event_type="Other", process_type="talks_held"
        )
    ]
    (claim,) = parse_acled_csv(io.StringIO(format_acled_csv([build_incident(Cluster.of(claims))])))
    assert claim.process_type == "talks_held"


def test_geojson_has_lon_lat_points_and_null_geometry_when_unlocated():
    located = an_incident()
    unlocated = build_incident(Cluster.of([make_claim("Z-c1", place=None)]))
    collection = incidents_to_geojson([located, unlocated])
    assert collection["type"] == "FeatureCollection"
    point, empty = collection["features"]
    assert point["geometry"]["coordinates"] == [located.location.lon, located.location.lat]
    assert empty["geometry"] is None
    assert json.loads(json.dumps(collection))["features"][0]["properties"]["claims"] == ["A-c1", "B-c1"]


def test_link_events_finds_the_same_happening_and_names_disagreements():
    incident = an_incident()
    events = parse_acled_csv(io.StringIO(acled_csv(ACLED_ROWS)))
    elsewhere = parse_ged_csv(io.StringIO(GED_TEXT))
    kabul = make_claim("K-c1", place=KABUL, place_name="Kabul", country="AF")
    links = link_events(incident, [*events, *elsewhere, kabul])
    assert [link.event_id for link in links] == ["ACLED-PAK90001"]
    assert links[0].disagreements == ()
    differing = parse_acled_csv(
        io.StringIO(acled_csv([{**ACLED_ROWS[0], "fatalities": "40", "actor2": "TTP"}]))
    )
    (link,) = link_events(incident, differing)
    assert any(d.startswith("fatalities: event 40, incident 4") for d in link.disagreements)
    assert any(d.startswith("actors:") and "only in event TTP" in d for d in link.disagreements)
