"""Body text and sentences: page noise left out, every sentence with exact offsets into the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from truceline.pipeline.lexicons import Lexicons

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    r"U\.S|U\.N|p\.m|a\.m|e\.g|i\.e|vs|approx)\.|\b[A-Z]\.)$"
)
_DATELINE = re.compile(
    r"^\s*([A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)?)(?:,\s*[A-Z][a-z]+)?\s*(?:[–—:-]|,\s*(?:[A-Z][a-z]{2} \d))"
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: `text == document[start:end]`; `index` counts body sentences from 0."""

    text: str
    start: int
    end: int
    index: int
    paragraph: int


def find_body_lines(text: str, *, title: str, lexicons: Lexicons) -> list[tuple[int, int]]:
    """Spans of the lines that are reporting: no headline echo, menus, share bars, related links, headers."""
    spans: list[tuple[int, int]] = []
    title_key = _squash(title)
    offset = 0
    for line in text.splitlines(keepends=True):
        start, end = offset, offset + len(line.rstrip("\r\n"))
        offset += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        if lexicons.noise_stop.match(stripped):
            break
        if lexicons.noise_line.match(stripped) or (title_key and _squash(stripped) == title_key):
            continue
        words = stripped.split()
        ends_like_prose = stripped[-1] in ".!?\"”’)'"
        if len(words) < lexicons.noise_min_words or (
            not ends_like_prose and len(words) < 2 * lexicons.noise_min_words
        ):
            # Short or unpunctuated lines are headlines, section heads, bylines or stale date headers.
            continue
        lead = len(line) - len(line.lstrip())
        spans.append((start + lead, end - (len(line.rstrip("\r\n")) - len(line.rstrip()))))
    return spans


def split_sentences(text: str, *, body: list[tuple[int, int]]) -> list[Sentence]:
    """Sentences of the body lines; a line never shares a sentence with another line."""
    sentences: list[Sentence] = []
    for paragraph, (start, end) in enumerate(body):
        chunk = text[start:end]
        cursor = 0
        for match in _SENTENCE_END.finditer(chunk):
            if _ABBREVIATIONS.search(chunk[cursor : match.start()]):
                continue
            _append(sentences, text, start + cursor, start + match.start(), paragraph)
            cursor = match.end()
        _append(sentences, text, start + cursor, end, paragraph)
    return sentences


def find_dateline(text: str, *, body: list[tuple[int, int]]) -> tuple[str, int, int] | None:
    """The place of a dateline opening the body ('PESHAWAR, Pakistan:' / 'DOHA, Oct 19 --')."""
    if not body:
        return None
    start, end = body[0]
    match = _DATELINE.match(text[start:end])
    if match is None:
        return None
    return match.group(1), start + match.start(1), start + match.end(1)


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        sentences.append(Sentence(text[start:end], start, end, len(sentences), paragraph))


def _squash(value: str) -> str:
    return re.sub(r"\W+", "", value).lower()
