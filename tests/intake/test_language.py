"""Language identification of document texts."""

from __future__ import annotations

import pytest

from truceline.intake.language import detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Pakistani and Afghan forces exchanged fire near Torkham on Saturday, officials said.", "en"),
        ("Les forces pakistanaises et afghanes ont échangé des tirs près de Torkham samedi.", "fr"),
        (
            "Pakistanische und afghanische Truppen lieferten sich am Samstag bei Torkham ein Feuergefecht.",
            "de",
        ),
        ("پاکستانی اور افغان فورسز کے درمیان ہفتے کے روز طورخم کے قریب فائرنگ کا تبادلہ ہوا۔", "ur"),
    ],
)
def test_detect_language_names_the_language_in_iso_639_1(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "   ", "OK.", "12 34 56 78 90 !!"])
def test_detect_language_says_und_for_empty_or_too_short_text(text: str) -> None:
    assert detect_language(text) == "und"


def test_detect_language_gives_the_same_answer_every_time() -> None:
    borderline = "Talks in Doha: ceasefire holds, dit le porte-parole."
    assert len({detect_language(borderline) for _ in range(20)}) == 1
