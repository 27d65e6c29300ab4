from tests.pipeline.builders import lexicons
from truceline.pipeline.casualties import (
    find_casualties,
    says_no_casualties,
    summarize_fatalities,
    summarize_injuries,
)
from truceline.pipeline.claims import Fatalities


def fatalities(*sentences: str) -> Fatalities:
    found = [find_casualties(s, lexicons=lexicons()) for s in sentences]
    none = any(says_no_casualties(s, lexicons=lexicons()) for s in sentences)
    return summarize_fatalities(found, none_reported=none, lexicons=lexicons())


def test_groups_in_one_sentence_add_up():
    assert fatalities("Three soldiers and two civilians were killed.").best == 5
    assert fatalities("Three soldiers and two civilians were killed.").civilians == 2


def test_at_least_and_more_than_keep_the_stated_figure():
    result = fatalities("At least 23 soldiers and over 200 militants were killed in the clash.")
    assert (result.best, result.low) == (223, 223)


def test_killed_and_injured_are_told_apart():
    found = find_casualties("The clash killed 4 troops and injured 29.", lexicons=lexicons())
    assert summarize_fatalities([found], none_reported=False, lexicons=lexicons()).best == 4
    assert summarize_injuries([found]) == 29


def test_vague_amounts_follow_acled():
    assert fatalities("Dozens of militants were killed.").best == 12
    assert fatalities("Hundreds of fighters were killed.").best == 100
    assert fatalities("Tens of people were killed.").best == 10


def test_the_same_group_repeated_in_another_sentence_is_not_counted_twice():
    assert fatalities("Five people were killed in the blast.", "Five people were dead on arrival.").best == 5


def test_injuries_only_or_no_casualties_mean_zero_dead():
    assert fatalities("Four civilians were wounded.").best == 0
    assert fatalities("No casualties have been reported.").best == 0
    assert fatalities("The strike hit a depot.").best is None


def test_killed_and_wounded_dozens_is_too_vague_to_count():
    assert fatalities("The shelling killed and injured dozens of people.").best is None


def test_times_and_years_are_not_casualty_figures():
    assert find_casualties("The attack took place at 10 pm and killed nobody.", lexicons=lexicons()) == []
