from __future__ import annotations

import io
from datetime import date

import pytest

from truceline.errors import InvalidInput
from truceline.incidents.hxl import format_hxl_csv, parse_hxl_csv

from .builders import an_incident


def test_hxl_export_reads_back_with_the_same_fields():
    incident = an_incident()
    text = format_hxl_csv([incident])
    _header, tags, _ = text.splitlines()
    assert "#date+start" in tags and "#adm1+name" in tags and "#affected+killed" in tags
    (claim,) = parse_hxl_csv(io.StringIO(text))
    assert claim.event_date == incident.date_start
    assert (claim.location.lat, claim.location.lon) == (incident.location.lat, incident.location.lon)
    fat = incident.fatalities
    assert (claim.fatalities.best, claim.fatalities.low, claim.fatalities.high) == (
        fat.best,
        fat.low,
        fat.high,
    )
    assert (claim.actor1, claim.event_type) == (incident.actor1, incident.event_type)


def test_hxl_columns_are_found_by_hashtag_in_any_order_and_case():
    text = "Killed,When,What\n#Affected+Killed,#date+start,#event+type\n3,2025-12-05,Battles\n,,\n"
    (claim,) = parse_hxl_csv(io.StringIO(text))
    assert (claim.fatalities.best, claim.event_date, claim.event_type) == (3, date(2025, 12, 5), "Battles")
    with pytest.raises(InvalidInput, match="hashtag row"):
        parse_hxl_csv(io.StringIO("a,b\n1,2\n"))
