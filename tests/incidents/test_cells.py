from __future__ import annotations

from datetime import date

import pytest

from truceline.errors import InvalidInput
from truceline.incidents.cells import read_date


def test_dates_are_read_in_every_accepted_spelling():
    for text in (
        "2025-10-12",
        "2025-10-12T08:00:00",
        " 2025-10-12 ",
        "12 October 2025",
        "12-October-2025",
        "10/12/2025",
    ):
        assert read_date(text, 2, "event_date") == date(2025, 10, 12)


def test_an_impossible_iso_date_names_the_row_and_column():
    with pytest.raises(
        InvalidInput, match=r"row 7, event_date: expected a date like 2025-10-12, found '2025-02-30'"
    ):
        read_date("2025-02-30", 7, "event_date")
