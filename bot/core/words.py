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

import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache, partial
from pathlib import Path
from typing import NamedTuple

import sudachidict_core
import sudachipy
from sudachipy import Dictionary, SplitMode, Tokenizer

from bot.core import text as text_module
from bot.core.romaji import long_vowels_spelled_out
from bot.core.text import fold

log = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9+\-'.]*", re.ASCII)
_LATIN_SUFFIX = re.compile(r"(?:s|es|d|ed|ing|er|ers|y|ies)?(?![a-z])")

_HIRAGANA_WORD = re.compile(r"[\u3041-\u309f\u30fc]+")
"""Hiragana and the long-vowel mark: a word typed in kana, or a run of them."""
KANA_ONLY = re.compile(
    r"(?!.*[a-z]\s+[a-z])"
    r"[\u3041-\u309f\u30fc\s\W\da-z]*[\u3041-\u309f][\u3041-\u309f\u30fc\s\W\da-z]*"
)
"""Typed in hiragana only (with punctuation, digits, and Latin words one at a time: ID, LINE):
the analyser guesses at its words, and `KanaSpeller` spells them first. Two Latin words in a
row make English with a kana word in it ("what is かりばらい")."""
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
    synonyms: tuple[int, ...]
    """SudachiDict's synonym groups of the word (削除 and 消す share one, 承認 and 許可 another):
    what lets the learned ranker read a paraphrase as the words it was taught."""

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
        do, and is not only the inflection of the word before it (see `_inflection_only`). A
        Latin term may take a short suffix ("deliver" in "delivered")."""
        start = self.reading.find(term)
        while start >= 0:
            if start in self.boundaries:
                end = self.word_end(term, start + len(term))
                if end is not None and not _inflection_only(self, start, end):
                    yield start, end
            start = self.reading.find(term, start + 1)

    @cached_property
    def word_index(self) -> dict[int, int]:
        """Where each word's reading starts → its index in `words`."""
        return {word.start: index for index, word in enumerate(self.words)}

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


def joined(analyses: Sequence[Analysis]) -> Analysis:
    """Consecutive sentences' analyses as one, shaped as `Analyzer.analyze` reads them together
    (one space where punctuation ends a sentence): a long question's asked sentences can then be
    read apart from its story without analysing any sentence twice. Read alone, a sentence's
    first words may split differently (月 read つき or がつ): 34 of 6,563 multi-sentence texts."""
    read = [analysis for analysis in analyses if analysis.reading]
    if len(read) == 1:
        return read[0]
    words: list[Word] = []
    boundaries = {0}
    offset = 0
    for analysis in read:
        words.extend(
            _new_word((*word[:5], word.start + offset, word.synonyms)) if offset else word
            for word in analysis.words
        )
        boundaries.update(boundary + offset for boundary in analysis.boundaries)
        offset += len(analysis.reading) + 1
    return Analysis(
        "".join(analysis.text for analysis in analyses),
        tuple(words),
        " ".join(analysis.reading for analysis in read),
        frozenset(boundaries),
    )


_FUNCTION_POS = frozenset({"助詞", "助動詞"})
_LIGHT_VERBS = frozenset({"為る", "居る", "有る"})
_BEFORE_A_WORD = frozenset({"助詞", "接続詞", "補助記号", "記号", "空白"})


def _inflection_only(analysis: Analysis, start: int, end: int) -> bool:
    """Two words or more between `start` and `end`, each a particle, an auxiliary, する, いる
    or ある, glued to the word before them: the tail of 乾いたら|している (指定, してい, is not
    there) or 理由|なんです. After a particle, a conjunction, a mark or at the start, they are a
    kana word the analyser split (で|り・まい・ん・だー is リマインダー), unless they begin with
    する, いる or ある (水やりを|しています)."""
    index = analysis.word_index
    first = index.get(start)
    if not first or (
        analysis.words[first - 1].pos in _BEFORE_A_WORD
        and analysis.words[first].lemma not in _LIGHT_VERBS
    ):
        return False
    words = [analysis.words[index[at]] for at in range(start, end) if at in index]
    return len(words) > 1 and all(
        word.pos in _FUNCTION_POS or word.lemma in _LIGHT_VERBS for word in words
    )


class Lexicon:
    """Terms (readings) looked for all at once, as `Analysis.find` finds each: one walk from
    each word start that stops as soon as no term begins with what it has read."""

    def __init__(self, terms: Iterable[str]):
        self.terms = frozenset(terms) - {""}
        self._prefixes = frozenset(t[:size] for t in self.terms for size in range(1, len(t) + 1))

    def found(self, analysis: Analysis) -> frozenset[str]:
        """Whole words only, and not an inflection alone (see `_inflection_only`): 指定 (してい)
        is not in 乾いたらしています (し・て・い)."""
        text = analysis.reading
        found = set()
        for start in analysis.boundaries:
            for end in range(start + 1, len(text) + 1):
                piece = text[start:end]
                if piece not in self._prefixes:
                    break
                if (
                    piece in self.terms
                    and analysis.word_end(piece, end) is not None
                    and not _inflection_only(analysis, start, end)
                ):
                    found.add(piece)
        return frozenset(found)

    def found_inside(self, analysis: Analysis, shortest: int) -> frozenset[str]:
        """Terms of `shortest` characters or more anywhere in the reading, word ends or not:
        in text typed in kana only the word boundaries are guesses (けされたりする is read as
        けさ・れ・たり), and a long term is unlikely to be there by chance."""
        text = analysis.reading
        found = set()
        for start in range(len(text)):
            for end in range(start + 1, len(text) + 1):
                piece = text[start:end]
                if piece not in self._prefixes:
                    break
                if piece in self.terms and len(piece) >= shortest:
                    found.add(piece)
        return frozenset(found)


_SPELLED_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞"})
_WRITTEN = re.compile(r"[\u3400-\u9fff\u30a1-\u30fa]")
_LATIN_LETTERS = re.compile(r"[a-z]+")
_SHORTEST_SWAPPED = 5
_SHORTEST_SPELLED_OUT = 4
"""Kana typed with the long vowel spelled out (ちゃっとわあく, ぐうぐる) are read as the word with
ー, from four kana up: shorter keys such as たあ (たー) or めえる would be found inside ordinary
words."""
_VOWELS = frozenset("あいうえお")


def _spellable(word: Word) -> bool:
    """Written in kanji or katakana, with a reading in hiragana."""
    return bool(_WRITTEN.search(word.surface)) and bool(_HIRAGANA_WORD.fullmatch(word.reading))


class KanaSpeller:
    """Spells a question typed in hiragana as the knowledge writes its words (むりょう → 無料,
    びでおつうわ → ビデオ通話), so the analyser cuts it into the words a kanji question has: read
    as it is, のうひんしたのに is guessed into のう・ひん・し…, whose dictionary forms the learned
    stages have never seen. Only the knowledge's own content words written in kanji or katakana
    at least twice, each as most often written there; a one-kanji word only with a reading of
    three kana or more (した is not 下, いま not 今), or with the word before it as a suffix
    (受注・者: じゅちゅうしゃ is 受注者, not 受注・しゃ). Words the knowledge writes in kana (かかる,
    ください, in texts that also have kanji) are known too, spelled as themselves, so that no
    spelled word is found inside them (書か・る, く・ダサい)."""

    def __init__(self, analyses: Iterable[Analysis]):
        spelled: dict[str, Counter[str]] = {}
        in_kana: Counter[str] = Counter()
        for analysis in analyses:
            written = bool(_WRITTEN.search(analysis.text))
            before: Word | None = None
            for word in analysis.words:
                surface = word.surface
                content = word.pos in _SPELLED_POS and _spellable(word)
                if before is not None and word.pos == "接尾辞" and _spellable(word):
                    compound = before.reading + word.reading
                    spelled.setdefault(compound, Counter())[before.surface + surface] += 1
                before = word if content else None
                if _HIRAGANA_WORD.fullmatch(surface):
                    if written and word.pos != "名詞":
                        in_kana[surface] += 1
                elif content and (len(word.reading) >= 3 or len(surface) >= 2):
                    spelled.setdefault(word.reading, Counter())[surface] += 1
        self._spelling = {
            reading: surface
            for reading, counts in spelled.items()
            for surface, count in counts.most_common(1)
            if count >= 2 and count > in_kana[reading]
        }
        self._spelling.update(
            (kana, kana)
            for kana, count in in_kana.items()
            if len(kana) >= 2 and count >= 3 and count > sum(spelled.get(kana, {}).values())
        )
        self.long_vowels = {
            spelled_out: reading
            for reading in self._spelling
            if "ー" in reading
            and (spelled_out := long_vowels_spelled_out(reading)) not in self._spelling
        }
        """Its words with a long vowel, spelled out as romaji writes them (めっせえじ → めっせーじ):
        for romaji, where they are whole words."""
        self._spelled_out = {
            spelled_out: self._spelling[reading]
            for spelled_out, reading in self.long_vowels.items()
            if len(spelled_out) >= _SHORTEST_SPELLED_OUT
        }
        """Those typed in kana (see _SHORTEST_SPELLED_OUT and `_strands_a_vowel`)."""
        self._spelling.update(self._spelled_out)
        self._longest = max(map(len, self._spelling), default=0)

    def spell(self, text: str) -> str:
        return _HIRAGANA_WORD.sub(lambda run: self._spell_run(run.group()), text)

    def _strands_a_vowel(self, run: str, start: int, end: int) -> bool:
        """A spelled-out key that ends in the vowel it spells out, before a vowel no known word
        starts with: きどくするうえで is 既読・する・上で, not 既読スルー・え・で (but わあかあいがい is
        ワーカー・以外)."""
        return (
            end < len(run)
            and run[end] in _VOWELS
            and run[end - 1] in _VOWELS
            and run[start:end] in self._spelled_out
            and not any(
                run[end:stop] in self._spelling
                for stop in range(end + 2, min(len(run), end + self._longest) + 1)
            )
        )

    def _spell_run(self, run: str) -> str:
        """The spelling that covers the run with the fewest, longest known words (each scores
        its length squared, and one more when spelled: でしょうにん is で・承認, not でしょう・に・ん);
        the kana between them stay as typed."""
        best: list[tuple[int, int, str] | None] = [None] * (len(run) + 1)
        best[0] = (0, 0, "")
        for start in range(len(run)):
            here = best[start]
            if here is None:
                continue
            options = [(start + 1, here[0], run[start])]
            for end in range(start + 2, min(len(run), start + self._longest) + 1):
                if (
                    surface := self._spelling.get(run[start:end])
                ) is not None and not self._strands_a_vowel(run, start, end):
                    spelt = surface != run[start:end]
                    options.append((end, here[0] + (end - start) ** 2 + spelt, surface))
            for end, score, piece in options:
                known = best[end]
                if known is None or known[0] < score:
                    best[end] = (score, start, piece)
        pieces = []
        end = len(run)
        while end > 0:
            _, start, piece = best[end]  # type: ignore[misc]
            pieces.append(piece)
            end = start
        return "".join(reversed(pieces))


class SwappedLetters:
    """Mends a Latin word typed with two neighbouring letters swapped (chatwrok, escorw) into
    one of the knowledge's terms: only a word of five letters or more that is no term itself,
    and only when exactly one term is that swap. Terms only, not every word the knowledge
    writes: three is no typo of there, nor alter of later."""

    def __init__(self, terms: Iterable[str]):
        self._known = frozenset(terms)

    def mend(self, text: str) -> str:
        return _LATIN_LETTERS.sub(lambda found: self._mended(found.group()), text)

    def _mended(self, word: str) -> str:
        if len(word) < _SHORTEST_SWAPPED or word in self._known:
            return word
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        known = swaps & self._known
        return known.pop() if len(known) == 1 else word


class Analyzer:
    """One Sudachi dictionary per process; one tokenizer per thread (they are not thread-safe,
    and knowledge is reloaded in a worker thread while the event loop keeps answering)."""

    def __init__(self) -> None:
        self._dictionary = Dictionary(dict="core")
        self._local = threading.local()
        self._levels: dict[int, tuple[str, str]] = {}
        """Part-of-speech levels (see `Word`) by Sudachi's id: a few hundred, read once each."""

    def _tokenizer(self) -> Tokenizer:
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            tokenizer = self._dictionary.tokenizer(mode=SplitMode.C, fields=set(_FIELDS))
            self._local.tokenizer = tokenizer
        return tokenizer

    def _levels_of(self, pos_id: int) -> tuple[str, str]:
        levels = self._levels.get(pos_id)
        if levels is None:
            levels = self._levels[pos_id] = _levels(self._dictionary.pos_of(pos_id))
        return levels

    def analyze(self, text: str) -> Analysis:
        """Words of already prepared text (see `prepare`). The loop runs for every morpheme of
        every text of the knowledge at start, hence the locals and the plain tuple calls."""
        words: list[Word] = []
        parts: list[str] = []
        edges = {0}
        position = 0
        levels_of = self._levels.get
        for morpheme in self._tokenizer().tokenize(text):
            surface = morpheme.surface()
            pos_id = morpheme.part_of_speech_id()
            pos, kind = levels_of(pos_id) or self._levels_of(pos_id)
            if pos in _SEPARATORS or not surface.strip():
                if parts and parts[-1] != " ":
                    parts.append(" ")
                    position += 1
                continue
            if surface.isascii():
                reading = lemma = surface
                if words and words[-1][2].isascii() and parts[-1] != " ":
                    parts.append(" ")
                    position += 1
            else:
                reading, lemma = _forms(
                    surface, morpheme.reading_form(), morpheme.normalized_form()
                )
            synonyms = tuple(morpheme.synonym_group_ids())
            words.append(_new_word((surface, lemma, reading, pos, kind, position, synonyms)))
            parts.append(reading)
            edges.add(position)
            position += len(reading)
            edges.add(position)
        reading_text = "".join(parts).rstrip()
        edges.add(len(reading_text))
        return Analysis(text, tuple(words), reading_text, frozenset(edges))


_FIELDS = frozenset({"pos", "reading_form", "normalized_form", "synonym_group_ids"})
"""The dictionary fields `Analyzer.analyze` reads (a surface is the text's own): loading only
these makes each morpheme cheaper."""
_new_word = partial(tuple.__new__, Word)
"""`Word(*fields)` without the Python-level `__new__` of a NamedTuple: about 55,000 words are
made at start."""


def _levels(part_of_speech: tuple[str, ...]) -> tuple[str, str]:
    """First level, then second and third (see `Word`)."""
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


_STORED_PREFIX = "analyses-"
_STORED_SUFFIX = ".marshal"
_DIGEST_SIZE = 32


@cache
def core_code_digest() -> bytes:
    """The core's source, read once per process: what it computes from the knowledge is all in
    it, so a file derived from the knowledge is stale when this changes."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.digest()


@cache
def stored_analyses_key() -> str:
    """Everything an analysis depends on: the marshal format, SudachiPy's version, the
    dictionary file, and the source of this module and of `fold()`'s. Any change is a miss."""
    dictionary = Path(sudachidict_core.__file__).parent / "resources" / "system.dic"
    try:
        status = dictionary.stat()
        dictionary_id = f"{status.st_size}:{status.st_mtime_ns}"
    except OSError:
        dictionary_id = "unknown"
    digest = hashlib.sha256()
    for part in (
        sys.implementation.cache_tag or "",
        str(marshal.version),
        sudachipy.__version__,
        dictionary_id,
    ):
        digest.update(part.encode() + b"\0")
    for module_file in (__file__, text_module.__file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()[:32]


class StoredAnalyses:
    """The analyses of the knowledge's own texts (phrasings, keywords, labelled questions),
    kept in a file between runs: analysing some 5,000 of them was a third of the start-up.

    The file's name carries `stored_analyses_key()`, so an analysis made by other code or
    another dictionary is never served. It holds exactly the texts of the last build, never
    users' questions. It is written with `marshal`, which, like pickle, is only for files one
    trusts: this one is written by the bot itself, atomically, into the user's own cache
    directory (`CACHE_DIR`), and checked against a SHA-256 digest when read. A file that is
    missing is simply written; one that cannot be read, is corrupt or cannot be written is
    ignored with one warning, and the texts are analysed as if there were none.
    Without a directory, nothing is read or written.
    """

    def __init__(self, analyzer: Analyzer, directory: Path | None = None):
        self._analyzer = analyzer
        self._path = (
            directory / f"{_STORED_PREFIX}{stored_analyses_key()}{_STORED_SUFFIX}"
            if directory is not None
            else None
        )
        self._warned = False
        self._stored = self._read()
        self._used: dict[str, Analysis] = {}

    def analyze(self, text: str) -> Analysis:
        """`Analyzer.analyze`, from the file when it holds the text."""
        analysis = self._used.get(text)
        if analysis is None:
            analysis = self._stored.get(text) or self._analyzer.analyze(text)
            self._used[text] = analysis
        return analysis

    def save(self) -> None:
        """Write the texts analysed since reading, when they are not exactly the file's; older
        files (another key) are removed."""
        if self._path is None or self._used.keys() == self._stored.keys():
            return
        entries = tuple(
            (
                a.text,
                a.reading,
                tuple(
                    (w.surface, w.lemma, w.reading, w.pos, w.kind, w.start, w.synonyms)
                    for w in a.words
                ),
                a.boundaries,
            )
            for a in self._used.values()
        )
        payload = marshal.dumps((stored_analyses_key(), entries))
        try:
            write_checked(self._path, payload, f"{_STORED_PREFIX}*{_STORED_SUFFIX}")
        except OSError as exc:
            self._warn(
                "cannot write the stored analyses in %s (%s); every start will analyse"
                " the knowledge afresh",
                self._path.parent,
                exc,
            )
            return
        self._stored = dict(self._used)

    def _read(self) -> dict[str, Analysis]:
        if self._path is None:
            return {}
        try:
            data = self._path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self._warn(
                "cannot read the stored analyses %s (%s); analysing the knowledge afresh",
                self._path,
                exc,
            )
            return {}
        try:
            return _decoded(data)
        except (ValueError, TypeError, EOFError) as exc:
            self._warn(
                "ignoring the stored analyses %s (%s); analysing the knowledge afresh",
                self._path,
                exc,
            )
            return {}

    def _warn(self, message: str, *args: object) -> None:
        """One warning per build: the analyses are then made afresh, as without a file."""
        if not self._warned:
            self._warned = True
            log.warning(message, *args)


def write_checked(path: Path, payload: bytes, siblings: str) -> None:
    """Write `payload` behind its SHA-256 digest, atomically (a crash leaves the old file or the
    new one, never half of one), then remove the older files matching the glob `siblings`.
    Raises OSError when the file cannot be written."""
    directory = path.parent
    temporary = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".", delete=False) as file:
            temporary = Path(file.name)
            file.write(hashlib.sha256(payload).digest() + payload)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with suppress(OSError):
                temporary.unlink()
        raise
    with suppress(OSError):  # another user's file, say: it is only never read
        for stale in directory.glob(siblings):
            if stale != path:
                stale.unlink()


def checked_payload(data: bytes) -> bytes:
    """What `write_checked` wrote; ValueError when the digest does not match."""
    digest, payload = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
    if hashlib.sha256(payload).digest() != digest:
        raise ValueError("corrupt (digest mismatch)")
    return payload


def _decoded(data: bytes) -> dict[str, Analysis]:
    """The analyses in a file written by `StoredAnalyses.save`; ValueError when it is not one."""
    key, entries = marshal.loads(checked_payload(data))
    if key != stored_analyses_key():
        raise ValueError("made by another version")
    make_word = Word._make
    return {
        text: Analysis(text, tuple(map(make_word, words)), reading, boundaries)
        for text, reading, words, boundaries in entries
    }
