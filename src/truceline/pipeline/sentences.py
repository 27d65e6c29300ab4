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


_LINE_BREAKS = re.compile(r"[ \t]*\n[\s]*")
_TERMINAL = ".!?:;\"”’)'"
# Hard-wrapped text (wire copy, PDF and e-mail extracts): most lines end mid-sentence at a similar width.
_WRAP_MIN_CHARS = 45
_WRAP_SHARE = 0.3


def reflow(text: str) -> tuple[str, list[int]]:
    """Join the lines of hard-wrapped text into paragraphs; `index[i]` is the offset in `text` of char i.

    A break after a line that ends mid-sentence ("... the two sides traded fire near the") is
    a wrap, not a paragraph end, when the document as a whole is wrapped (a share of its lines are long and
    end without punctuation). Other text comes back unchanged. Evidence offsets map back through `index`.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    wrapped = [
        line
        for line in lines
        if len(line) >= _WRAP_MIN_CHARS and line[-1] not in _TERMINAL and not _is_title_case(line)
    ]
    if not lines or len(wrapped) < _WRAP_SHARE * len(lines) or len(wrapped) < 3:
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index: list[int] = []
    cursor = 0
    for m in _LINE_BREAKS.finditer(text):
        before = text[cursor : m.start()]
        out.append(before)
        index.extend(range(cursor, m.start()))
        line_start = text.rfind("\n", 0, m.start()) + 1
        line = text[line_start : m.start()].strip()
        is_wrap = (
            len(line) >= _WRAP_MIN_CHARS
            and line[-1] not in _TERMINAL
            and m.end() < len(text)
            and not _is_title_case(line)
        )
        if is_wrap:
            out.append(" ")
            index.append(m.start())
        else:
            out.append(text[m.start() : m.end()])
            index.extend(range(m.start(), m.end()))
        cursor = m.end()
    out.append(text[cursor:])
    index.extend(range(cursor, len(text) + 1))
    return "".join(out), index


def _is_title_case(line: str) -> bool:
    """A headline ('Pakistan Accuses Kabul Of Border Attack'): most words capitalised."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)
