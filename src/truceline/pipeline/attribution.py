"""Attribution: who says what in a sentence (speaker zones), and whether the text hedges (allegation)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from truceline.pipeline.lexicons import Lexicons

# What may follow the verb of '..., a source told Reuters on Sunday.': a listener, then when or where.
_AFTER_VERB_REPORT_END = re.compile(
    r"^\s*(?:(?:[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}|reporters|journalists|(?:the\s+)?media)(?=\s|[.,;]|$))?"
    r"\s*(?:(?:on|late on|early on|late)\s+\w+(?:\s+\([^)]*\))?|to \w+|in a statement|on x|"
    r"on social media[\w ]*)?\s*[.,;]?\s*$"
)


_NOUN_OBJECT = re.compile(
    r"^\s+(?:an?|the|its|their|his|her)\s+(?!(?:\w+\s+)?(?:statement|spokes\w+))\w+", re.I
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Speaker zones (who talks) and content zones (what is said), as offsets within the sentence."""

    speaker_zones: tuple[tuple[int, int], ...]
    content_zones: tuple[tuple[int, int], ...]
    quote_zones: tuple[tuple[int, int], ...]
    is_hedged: bool

    def is_speaker(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.speaker_zones)

    def is_content(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in (*self.content_zones, *self.quote_zones))

    @property
    def has_speaker(self) -> bool:
        return bool(self.speaker_zones)


def find_attribution(sentence: str, *, lexicons: Lexicons) -> Attribution:
    """Speaker and content zones of one sentence, from its speech verbs and 'according to'."""
    speakers: list[tuple[int, int]] = []
    contents: list[tuple[int, int]] = []
    quotes = [(m.start(), m.end()) for m in re.finditer(r"[\"“][^\"”]{3,}[\"”]", sentence)]
    for m in lexicons.speech_verbs.finditer(sentence):
        if any(s <= m.start() < e for s, e in quotes) or re.match(
            r"\s+(?:responsibility|by)\b", sentence[m.end() :]
        ):
            continue  # 'claimed responsibility' names the perpetrator, not a source
        before, after = sentence[: m.start()], sentence[m.end() :]
        if not before.strip(" “”\"'"):
            # 'said X, the head of ...' opening a sentence after a quote: the speaker follows the verb.
            speakers.append((m.end(), len(sentence)))
            continue
        if _AFTER_VERB_REPORT_END.match(after) or re.match(r"^\s*(?:on \w+\s*)?,", after):
            # '..., the ministry said on Friday.' : the speaker is the clause before the verb.
            cut = max(before.rfind(", "), before.rfind("” "), before.rfind('" '), -1)
            speakers.append((cut + 1, m.start()))
            contents.append((0, cut + 1))
        elif re.match(r"^\s+(?:an?|the)\s+\w", after) and re.search(r"[,\"”]\s*$", before):
            # '..., said a local charity, which ...': inverted speaker after the verb.
            speakers.append((m.end(), len(sentence)))
            contents.append((0, m.start()))
        elif _NOUN_OBJECT.match(after) and not lexicons.content_starts.search(" ".join(after.split()[:6])):
            # 'the group ended the truce and announced a resumption of attacks': a noun object, not speech
            continue
        else:
            # 'X, spokesman for Y, confirmed that ...' : speaker from the clause start, content after.
            start = max(before.rfind("” "), before.rfind('" '), before.rfind("; "), -1) + 1
            speakers.append((start, m.start()))
            contents.append((m.end(), len(sentence)))
    for m in re.finditer(
        r"\baccording to\b|\bas confirmed by\b|\bconfirmed to\b|\bquoted by\b", sentence, re.I
    ):
        end = len(sentence)
        stop = re.search(r"[.;]|,\s(?!\w+ (?:Minister|spokesman|spokesperson))", sentence[m.end() :])
        if stop:
            end = m.end() + stop.start()
        speakers.append((m.end(), end))
    hedged = bool(lexicons.hedges.search(sentence)) and not lexicons.not_hedges.search(sentence)
    return Attribution(tuple(speakers), tuple(contents), tuple(quotes), hedged)
