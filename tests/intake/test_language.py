"""Language identification of document texts."""

from __future__ import annotations

import subprocess
import sys

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


ENGLISH = (
    "The monitors visited the crossing on Tuesday and met the commanders of both sides. They said that the "
    "line had been quiet since the talks, and that traders were waiting for the gate to open again."
)
FRENCH = (
    "Les observateurs ont visité le poste frontière mardi et ont rencontré les commandants des deux camps. "
    "Ils ont dit que la ligne était calme depuis les pourparlers, et que les commerçants attendaient."
)
GERMAN = (
    "Die Beobachter besuchten am Dienstag den Grenzübergang und trafen die Kommandeure beider Seiten. Sie "
    "sagten, die Linie sei seit den Gesprächen ruhig, und die Händler warteten auf die Öffnung des Tores."
)
ROMAN_URDU = (
    "Monitors ne mangal ko sarhad ka daura kiya aur dono taraf ke commanders se mulaqat ki. Unhon ne kaha ke "
    "guftagu ke baad se line par khamoshi hai aur tajir gate khulne ka intezar kar rahe hain."
)


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (FRENCH, "fr"), (GERMAN, "de")])
def test_long_texts_get_the_answer_langdetect_gives(text: str, code: str) -> None:
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    assert detect_language(text) == code == detect(text)


def test_romanized_urdu_is_not_taken_for_plain_english() -> None:
    assert detect_language(ROMAN_URDU) != "en"


def test_plain_english_is_told_without_loading_langdetects_profiles() -> None:
    """langdetect reads 55 profiles before its first answer; plain English prose needs none of them."""
    code = (
        "import sys; from truceline.intake.language import detect_language; "
        f"print(detect_language({ENGLISH!r}), 'langdetect' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["en", "False"]
