"""Language identification of document texts (ISO 639-1 codes, deterministic)."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect

UNDETERMINED = "und"  # ISO 639-2 code for "undetermined"
MIN_LETTERS = 12  # below this langdetect's guesses are noise
SAMPLE_CHARS = 4_000  # enough for a stable guess; keeps long documents cheap


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text` ("en", "ur", "fa", ...), or "und" when it is empty or too short.

    langdetect draws random samples; fixing the seed makes the same text always get the same answer.
    Pashto has no langdetect profile: Pashto text comes back as a neighbour ("fa", "ur").
    """
    sample = text[:SAMPLE_CHARS]
    if sum(char.isalpha() for char in sample) < MIN_LETTERS:
        return UNDETERMINED
    DetectorFactory.seed = 0
    try:
        code = str(detect(sample))
    except LangDetectException:
        return UNDETERMINED
    return code.split("-")[0]  # "zh-cn" -> "zh": the field holds ISO 639-1 only
