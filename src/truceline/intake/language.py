"""Language identification of document texts (ISO 639-1 codes, deterministic)."""

from __future__ import annotations

import re

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined"
MIN_LETTERS = 12  # below this langdetect's guesses are noise
SAMPLE_CHARS = 4_000  # enough for a stable guess; keeps long documents cheap

# Plain English prose is told without langdetect, which loads all 55 of its language profiles first (a third
# of a second in every process that detects anything): at least 20 words, nearly all letters ASCII, and at
# least a fifth of the words English function words (news prose has a third or more; French, German, Dutch
# or romanized Urdu text sharing a few short words such as "in" or "a" stays well under a tenth).
# fmt: off
_FUNCTION_WORDS = frozenset({
    "the", "a", "an", "and", "of", "to", "in", "on", "at", "for", "with", "by", "from", "that", "this",
    "these", "those", "is", "was", "were", "are", "has", "have", "had", "be", "been", "it", "its", "as",
    "but", "or", "not", "which", "who", "he", "she", "they", "their", "his", "her",
})
# fmt: on
_ASCII_WORD = re.compile(r"[A-Za-z]+")
_MIN_WORDS = 20
_MIN_ASCII_SHARE = 0.98
_MIN_FUNCTION_SHARE = 0.2


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text` ("en", "ur", "fa", ...), or "und" when it is empty or too short.

    langdetect draws random samples; fixing the seed makes the same text always get the same answer.
    Pashto has no langdetect profile: Pashto text comes back as a neighbour ("fa", "ur").
    """
    sample = text[:SAMPLE_CHARS]
    letters = sum(char.isalpha() for char in sample)
    if letters < MIN_LETTERS:
        return UNDETERMINED
    if _is_plain_english(sample, letters=letters):
        return "en"
    from langdetect import DetectorFactory, LangDetectException, detect  # loads its profiles on first use

    DetectorFactory.seed = 0
    try:
        code = str(detect(sample))
    except LangDetectException:
        return UNDETERMINED
    return code.split("-")[0]  # "zh-cn" -> "zh": the field holds ISO 639-1 only


def _is_plain_english(sample: str, *, letters: int) -> bool:
    if sum(char.isascii() for char in sample if char.isalpha()) < _MIN_ASCII_SHARE * letters:
        return False
    words = _ASCII_WORD.findall(sample.lower())
    if len(words) < _MIN_WORDS:
        return False
    return sum(word in _FUNCTION_WORDS for word in words) >= _MIN_FUNCTION_SHARE * len(words)
