from datetime import date

from tests.pipeline.builders import PUBLISHED, lexicons
from truceline.pipeline.dates import DateStrength, find_date_mentions


def resolve(text: str, published: date = PUBLISHED) -> list[tuple[str, int]]:
    return [
        (m.value.isoformat(), m.precision)
        for m in find_date_mentions(text, published=published, lexicons=lexicons())
    ]


def test_a_weekday_is_the_last_such_day_up_to_publication():
    assert resolve("Shelling hit the village on Thursday.") == [("2025-12-04", 1)]
    assert resolve("Talks opened on Saturday.") == [("2025-12-06", 1)]


def test_late_weekday_night_stays_on_that_day():
    assert resolve("Gunfire erupted late Friday night.") == [("2025-12-05", 1)]


def test_overnight_is_the_day_before_the_reporting_date():
    mentions = find_date_mentions(
        "An overnight clash killed two, officials said on Friday.", published=PUBLISHED, lexicons=lexicons()
    )
    by_text = {m.strength: m.value.isoformat() for m in mentions}
    assert by_text[DateStrength.RELATIVE] == "2025-12-04"
    assert by_text[DateStrength.EXPLICIT] == "2025-12-05"


def test_relative_expressions_resolve_against_publication():
    assert resolve("The post was shelled two days ago.") == [("2025-12-04", 1)]
    assert resolve("Fighting broke out last week.") == [("2025-11-29", 2)]
    assert resolve("A drone struck yesterday.") == [("2025-12-05", 1)]


def test_explicit_dates_take_the_publication_year_or_the_one_before():
    assert resolve("Raids in the night between October 19 and 20.") == [("2025-10-19", 1)]
    assert resolve("The blast on Dec 30 killed two.", date(2026, 1, 2)) == [("2025-12-30", 1)]


def test_a_month_alone_is_vague_background():
    mentions = find_date_mentions(
        "Clashes in October left dozens dead.", published=PUBLISHED, lexicons=lexicons()
    )
    assert [m.is_vague for m in mentions] == [True]


def test_dates_in_an_aside_are_ignored():
    assert resolve("Shooting started near 9.15pm (Sunday, 3am, Tokyo time).") == []
