"""Words of a question: segmentation, dictionary forms and readings.

Character n-grams alone see のうひん and 納品 as unrelated, and find the price word いくら inside
あたらしいくらいあんと (新しいクライアント). A morphological analyser cuts text into dictionary
words, each with a reading (納品 → のうひん) and a normalised form (振込 → 振り込み), so a
question typed in kana matches its kanji form and a term matches whole words only.

SudachiPy with sudachidict-core, measured here: 0.1 s to load, about 20-70 µs per question,
about 85 MB resident (the dictionary is memory-mapped). Chosen over pykakasi (readings only, no
words or normalised forms) and fugashi (MeCab; no normalised spelling variants); SudachiPy and its
dictionary are maintained, wheels only, no system library.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from sudachipy import Dictionary, SplitMode, Tokenizer

from bot.core.text import fold

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9+\-'.]*", re.ASCII)
_LATIN_SUFFIX = re.compile(r"[a-z]{0,3}(?![a-z])")

_SEPARATORS = frozenset({"空白", "補助記号"})
"""Spaces and punctuation separate words and are not compared."""
_FORMS_KEPT = 4096
"""Morphemes whose reading and lemma are kept once folded: questions reuse the same words, and
folding them cost more than analysing the question."""


def prepare(text: str) -> str:
    """NFKC, casefold, no control characters, single spaces: the analyser's input."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_CONTROL.sub(" ", text).split())


def to_hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


class Word(NamedTuple):
    """A tuple rather than a frozen dataclass: a question makes dozens, and this is 3× faster."""

    surface: str
    lemma: str
    """Dictionary form with spelling variants unified (振込 → 振り込み), in hiragana where kana."""
    reading: str
    """Hiragana; Latin words and numbers as written (Sudachi reads "40" as よんれい)."""
    pos: str
    """Part of speech, first level (名詞, 動詞…)."""
    kind: str
    """Second and third levels (普通名詞/サ変可能, 数詞/*…)."""
    start: int
    """Offset of the reading in `Analysis.reading`."""

    @property
    def end(self) -> int:
        return self.start + len(self.reading)

    @property
    def topical(self) -> bool:
        """A noun that can name a topic: not a number, counter or time word (今日, 先, 件)."""
        return (
            self.pos == "名詞"
            and not self.kind.startswith("数詞")
            and not (self.kind.endswith(("副詞可能", "助数詞可能")))
        )


@dataclass(frozen=True)
class Analysis:
    text: str
    words: tuple[Word, ...]
    reading: str
    """The words' readings, one space between Latin words: what the matcher compares."""
    boundaries: frozenset[int]

    def find(self, term: str) -> Iterable[tuple[int, int]]:
        """Spans where `term` (a reading) occurs as whole words: it starts and ends where words
        do. A Latin term may take a short suffix ("deliver" in "delivered")."""
        start = self.reading.find(term)
        while start >= 0:
            if start in self.boundaries:
                end = self.word_end(term, start + len(term))
                if end is not None:
                    yield start, end
            start = self.reading.find(term, start + 1)

    def word_end(self, term: str, end: int) -> int | None:
        """Where `term`, found ending at `end` and starting where a word does, ends as whole
        words: at `end`, or after a Latin suffix; None when it ends inside a word."""
        if end in self.boundaries:
            return end
        if term[-1].isascii() and term[-1].isalpha():
            suffix = _LATIN_SUFFIX.match(self.reading, end)
            if suffix and suffix.end() in self.boundaries:
                return suffix.end()
        return None


class Lexicon:
    """Terms (readings) looked for all at once, as `Analysis.find` finds each: one walk from
    each word start that stops as soon as no term begins with what it has read."""

    def __init__(self, terms: Iterable[str]):
        self.terms = frozenset(terms) - {""}
        self._prefixes = frozenset(t[:size] for t in self.terms for size in range(1, len(t) + 1))

    def found(self, analysis: Analysis) -> frozenset[str]:
        text = analysis.reading
        found = set()
        for start in analysis.boundaries:
            for end in range(start + 1, len(text) + 1):
                piece = text[start:end]
                if piece not in self._prefixes:
                    break
                if piece in self.terms and analysis.word_end(piece, end) is not None:
                    found.add(piece)
        return frozenset(found)


class Analyzer:
    """One Sudachi dictionary per process; one tokenizer per thread (they are not thread-safe,
    and knowledge is reloaded in a worker thread while the event loop keeps answering)."""

    def __init__(self) -> None:
        self._dictionary = Dictionary(dict="core")
        self._local = threading.local()

    def _tokenizer(self) -> Tokenizer:
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._dictionary.tokenizer(mode=SplitMode.C)
            self._local.tokenizer = tokenizer
        return tokenizer

    def analyze(self, text: str) -> Analysis:
        """Words of already prepared text (see `prepare`)."""
        words: list[Word] = []
        parts: list[str] = []
        position = 0
        for morpheme in self._tokenizer().tokenize(text):
            surface = morpheme.surface()
            pos, kind = _levels(morpheme.part_of_speech())
            if pos in _SEPARATORS or not surface.strip():
                if parts and parts[-1] != " ":
                    parts.append(" ")
                    position += 1
                continue
            if surface.isascii():
                reading = lemma = surface
                if words and words[-1].reading.isascii() and parts[-1] != " ":
                    parts.append(" ")
                    position += 1
            else:
                reading, lemma = _forms(
                    surface, morpheme.reading_form(), morpheme.normalized_form()
                )
            words.append(Word(surface, lemma, reading, pos, kind, position))
            parts.append(reading)
            position += len(reading)
        reading_text = "".join(parts).rstrip()
        boundaries = frozenset(edge for word in words for edge in (word.start, word.end)) | {
            0,
            len(reading_text),
        }
        return Analysis(text, tuple(words), reading_text, boundaries)


@cache
def _levels(part_of_speech: tuple[str, ...]) -> tuple[str, str]:
    """First level, then second and third (see `Word`); one entry per part of speech."""
    pos, *detail = part_of_speech[:3]
    return pos, "/".join(detail)


@lru_cache(maxsize=_FORMS_KEPT)
def _forms(surface: str, reading_form: str, normalized_form: str) -> tuple[str, str]:
    """Reading and lemma of a Japanese morpheme (see `Word`)."""
    return to_hiragana(reading_form) or surface, fold(normalized_form)


@cache
def default_analyzer() -> Analyzer:
    """Loaded once, on first use (the service builds its engines at start, off the event loop)."""
    return Analyzer()


def is_latin(term: str) -> bool:
    return bool(_ASCII_WORD.fullmatch(term))
