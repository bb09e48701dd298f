"""Answer engine: which FAQ entry, if any, answers a free-text question.

Why not one fuzzy score: on unspaced Japanese, token/partial scorers rate off-topic questions
85-100 against everything, and the words in nearly every question (チャットワーク, クライアント)
drown the signal. So the score blends four views of normalised text — character n-gram TF-IDF against the
closest phrasing and against the entry as a whole (common n-grams weigh little), rapidfuzz
`ratio` against the closest phrasing, and hits on each entry's keywords — and the result has three tiers: a confident answer only when one entry
clearly leads, 「もしかして」 suggestions in a middle band, otherwise nothing.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.knowledge import FaqEntry, Knowledge, VocabularyFile
from bot.core.schema import Lang
from bot.core.text import detect_language, fold

log = logging.getLogger(__name__)

Tier = Literal["answer", "suggest", "none"]

MAX_QUESTION_CHARS = 500
"""Questions are short; scoring a pasted essay in full would only cost time and add noise."""

_ALIASES: tuple[tuple[str, str], ...] = (
    (r"chat\s*works?|ちゃっ?と\s*わ[ーぁ]?く|ちゃとわ|ちゃっとわ|ちゃわく", "ちゃっとわーく"),
    (r"crowd\s*works|くらうど\s*わーくす|くらわ|くらうどわーく(?!す)", "くらうどわーくす"),
    (r"screen\s*shots?|すくりーんしょっと|すくしょ|すくしょう", "すくしょ"),
    (r"e-?mail|めあど|めーるあどれす", "めーる"),
    (r"どの?[くぐ]らい|どれ?[くぐ]らい", "どれくらい"),
    (r"なんにち|何日間?", "何日"),
    (
        r"えすくろー|escrow|預か?り金|(?:お金|報酬|代金)を?(?:先に)?預け(?:て(?:もらう|おく))?",
        "仮払い",
    ),
    (r"kari\s*-?barai", "仮払い"),
    (r"(?:service\s*-?\s*gai\s*)?renraku\s*-?\s*shinsei", "さーびす外連絡申請"),
    (r"nou?hin", "納品"),
)
_ALIAS_PATTERNS = tuple((re.compile(pattern), canonical) for pattern, canonical in _ALIASES)
_TOKENS = frozenset({"ちゃっとわーく", "くらうどわーくす"})
"""Names so frequent and so long that as n-grams they would outweigh the rest of a question:
they stand apart as single tokens ("is chatwork free?" is about "free", not about "chatwork")."""

_FILLER = re.compile(
    r"(教えてください|おしえてください|教えて|おしえて|ください|下さい|でしょうか|ですか|ますか"
    r"|なんですが|のですが|んですが|について|知りたい|しりたい|お願いします|おねがいします"
    r"|please|could you|can you tell me|tell me|i want to know|i'd like to know)"
)
_PUNCTUATION = re.compile(r"[^\w\s+%]|_")
_LATIN_WORD = re.compile(r"[a-z0-9+]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EN_STOPWORDS = frozenset(
    (
        "a an the is are am be do does did to of in on at for and or it i me my you your we our "
        "can could should would will what how when where why which who this that there with "
        "about if so as by from"
    ).split()
)

SCORE_WEIGHTS = {"tfidf": 0.45, "centroid": 0.30, "ratio": 0.25, "keywords": 0.20}
CONFIDENT_SCORE = 0.30
UNANCHORED_SCORE = 0.50
"""A question with no anchor word (see knowledge/vocabulary.yaml) must match this closely."""
OFF_SUBJECT_SCORE = 0.65
"""A question about another platform or tool (not Chatwork or CrowdWorks), or about an aspect
the knowledge does not cover (a Chatwork API, taxes), must match this closely."""
CLEAR_LEAD = 0.02
SUGGEST_SCORE = 0.22
ON_TOPIC_SIMILARITY = 0.5
"""A question this close to a known phrasing is on topic even without a listed keyword."""
SUGGESTION_COUNT = 3
RERANK_POOL = 8
"""Only the leading entries get the (costlier) edit-distance comparison with every phrasing."""
STOP_GRAM_POSTINGS = 2000
"""An n-gram in more phrasings than this carries almost no weight (low IDF) but costs a long
scan; skipping it keeps a 10,000-entry base fast. Small bases never reach it."""


def normalize(text: str) -> str:
    """The form every question, phrasing and keyword is compared in."""
    text = fold(text[:MAX_QUESTION_CHARS])
    for pattern, canonical in _ALIAS_PATTERNS:
        text = pattern.sub(f" {canonical} " if canonical in _TOKENS else canonical, text)
    text = _FILLER.sub(" ", text)
    text = _PUNCTUATION.sub(" ", text)
    return " ".join(text.split())


def features(normalized: str) -> list[str]:
    """Character 2- and 3-grams, single kanji, and whole Latin words (minus English stopwords)."""
    grams: list[str] = []
    for chunk in normalized.split():
        if chunk in _TOKENS:
            grams.append(f"t:{chunk}")
            continue
        if _LATIN_WORD.fullmatch(chunk):
            if chunk not in _EN_STOPWORDS:
                grams.append(f"w:{_stem(chunk)}")
            continue
        grams.extend(_CJK.findall(chunk))
        padded = f" {chunk} "
        for size in (2, 3):
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Answer:
    question: str
    lang: Lang
    tier: Tier
    score: float
    entry: FaqEntry | None = None
    suggestions: tuple[FaqEntry, ...] = ()

    @property
    def matched(self) -> bool:
        return self.tier == "answer"

    @property
    def text(self) -> str | None:
        return self.entry.answer.get(self.lang) if self.entry is not None else None

    def as_dict(self) -> dict:
        """The `ask --json` contract."""
        return {
            "question": self.question,
            "matched": self.matched,
            "entry_id": self.entry.id if self.entry is not None else None,
            "score": round(self.score, 4),
            "lang": self.lang,
            "answer": self.text,
            "suggestions": [entry.id for entry in self.suggestions],
        }


class Matcher:
    """Built once per knowledge version; `answer()` is read-only and safe to share."""

    def __init__(self, entries: Sequence[FaqEntry], vocabulary: VocabularyFile | None = None):
        self.entries = tuple(entries)
        vocabulary = vocabulary or VocabularyFile(anchors=[k for e in entries for k in e.keywords])
        self._anchors = _term_pattern(vocabulary.anchors)
        self._other_subjects = _term_pattern(vocabulary.other_subjects)
        self._unsupported = _term_pattern(vocabulary.unsupported)
        self._own_subjects = _term_pattern(_TOKENS)
        vectors = self._index_phrasings()
        self._entry_postings = _as_arrays(_postings(self._centroids(vectors)))
        self._index_keywords(_postings(vectors))

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge) -> Matcher:
        return cls(knowledge.faq, knowledge.vocabulary)

    def _index_phrasings(self) -> list[dict[int, float]]:
        """TF-IDF vectors of every phrasing (and title), in entry order; postings for lookup."""
        self._vocabulary: dict[str, int] = {}
        self._phrasing_texts: list[str] = []
        self._entry_of_phrasing: list[int] = []
        self._phrasings_by_entry: list[list[str]] = [[] for _ in self.entries]
        feature_ids: list[list[int]] = []
        for entry_index, entry in enumerate(self.entries):
            for text in _entry_texts(entry):
                self._phrasing_texts.append(text)
                self._entry_of_phrasing.append(entry_index)
                self._phrasings_by_entry[entry_index].append(text)
                feature_ids.append([self._feature_id(g) for g in features(text)])
        self._entry_wording = [
            " ".join([*texts, *(normalize(k) for k in entry.keywords)])
            for texts, entry in zip(self._phrasings_by_entry, self.entries, strict=True)
        ]
        document_frequency = Counter(f for ids in feature_ids for f in set(ids))
        total = len(feature_ids)
        self._idf = {
            f: math.log((total + 1) / (df + 1)) + 1.0 for f, df in document_frequency.items()
        }
        vectors = [self._weigh(ids) for ids in feature_ids]
        self._phrasing_postings = _as_arrays(_postings(vectors))
        self._entry_starts = np.searchsorted(
            np.array(self._entry_of_phrasing), np.arange(len(self.entries))
        )
        return vectors

    def _centroids(self, vectors: list[dict[int, float]]) -> list[dict[int, float]]:
        """Each entry's phrasings summed: the entry's whole vocabulary, not its closest line."""
        sums: list[dict[int, float]] = [defaultdict(float) for _ in self.entries]
        for entry_index, vector in zip(self._entry_of_phrasing, vectors, strict=True):
            for feature_id, weight in vector.items():
                sums[entry_index][feature_id] += weight
        centroids = []
        for total in sums:
            norm = math.sqrt(sum(w * w for w in total.values())) or 1.0
            centroids.append({f: w / norm for f, w in total.items()})
        return centroids

    def _index_keywords(self, postings: dict[int, list[tuple[int, float]]]) -> None:
        keyword_lists = [
            sorted({normalize(k) for k in entry.keywords} - {""}, key=len, reverse=True)
            for entry in self.entries
        ]
        distinct = {keyword for keywords in keyword_lists for keyword in keywords}
        precision = {keyword: self._keyword_precision(keyword, postings) for keyword in distinct}
        self._keywords = [
            tuple((keyword, precision[keyword](i)) for keyword in keywords)
            for i, keywords in enumerate(keyword_lists)
        ]
        self._keywords_by_first_char: dict[str, list[str]] = defaultdict(list)
        for keyword in distinct:
            self._keywords_by_first_char[keyword[0]].append(keyword)
        self._entries_with_keyword: dict[str, list[int]] = defaultdict(list)
        for entry_index, keywords in enumerate(keyword_lists):
            for keyword in keywords:
                self._entries_with_keyword[keyword].append(entry_index)
        domain_terms = distinct | {canonical for _, canonical in _ALIASES}
        self._domain_terms = tuple(sorted(domain_terms, key=len, reverse=True))

    def _keyword_precision(
        self, keyword: str, postings: dict[int, list[tuple[int, float]]]
    ) -> Callable[[int], float]:
        """How strongly a keyword points at an entry: the share of the phrasings containing it
        that belong to that entry. "何日" says approval time; "サービス外連絡申請" says little.
        Only phrasings holding the keyword's rarest inner n-gram are scanned."""
        inner = [g for g in features(keyword) if " " not in g and g in self._vocabulary]
        if inner:
            rarest = min(inner, key=lambda g: len(postings[self._vocabulary[g]]))
            candidates = [row for row, _ in postings[self._vocabulary[rarest]]]
        else:
            candidates = range(len(self._phrasing_texts))
        owners = Counter(
            self._entry_of_phrasing[row]
            for row in candidates
            if keyword in self._phrasing_texts[row]
        )
        total = sum(owners.values()) + 1
        return lambda entry_index: (owners[entry_index] + 1) / total

    def _feature_id(self, gram: str) -> int:
        return self._vocabulary.setdefault(gram, len(self._vocabulary))

    def _weigh(self, ids: Iterable[int]) -> dict[int, float]:
        """Sublinear TF × IDF, L2-normalised."""
        idf = self._idf
        vector = {
            f: idf[f] if c == 1 else (1 + math.log(c)) * idf[f] for f, c in Counter(ids).items()
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {f: w / norm for f, w in vector.items()}

    def _query_vector(self, normalized: str) -> dict[int, float]:
        ids = [self._vocabulary[g] for g in features(normalized) if g in self._vocabulary]
        return self._weigh(ids)

    def _keyword_hits(self, normalized: str) -> frozenset[str]:
        """Every known keyword in the question, found once per question for all entries;
        only keywords starting with a character the question contains are tried."""
        by_first = self._keywords_by_first_char
        return frozenset(
            keyword
            for char in set(normalized)
            for keyword in by_first.get(char, ())
            if keyword in normalized
        )

    def _keyword_score(self, entry_index: int, normalized: str, hits: frozenset[str]) -> float:
        """Sum of the entry's keyword weights, longest first; a keyword inside a longer one
        that already matched does not count twice."""
        score = 0.0
        remaining = normalized
        for keyword, weight in self._keywords[entry_index]:
            if keyword in hits and keyword in remaining:
                score += weight
                remaining = remaining.replace(keyword, " ")
        return min(1.0, score)

    def has_domain_term(self, normalized: str) -> bool:
        """Any keyword or anchor at all: without one, a question gets no answer or suggestion."""
        return bool(self._anchors.search(normalized)) or any(
            term in normalized for term in self._domain_terms
        )

    def required_score(self, normalized: str, entry_index: int) -> float:
        """How close a match must be before it is answered, given what the question is about.

        Another tool named without Chatwork or CrowdWorks ("Zoomの無料版") marks another
        subject — unless the question also uses our own words and the entry itself speaks of
        that tool ("クライアントと面談だけZoomで" → the pre-contract interview entry).
        """
        if self._unsupported.search(normalized):
            return OFF_SUBJECT_SCORE
        if not self._own_subjects.search(normalized):
            others = {m.group() for m in self._other_subjects.finditer(normalized)}
            wording = self._entry_wording[entry_index]
            if others and (
                not self._anchors.search(normalized)
                or any(other not in wording for other in others)
            ):
                return OFF_SUBJECT_SCORE
        if self._anchors.search(normalized):
            return CONFIDENT_SCORE
        return UNANCHORED_SCORE

    def rank(self, question: str, limit: int = SUGGESTION_COUNT) -> list[tuple[FaqEntry, float]]:
        """Entries by descending score; shared by answers, suggestions and autocomplete."""
        return [(self.entries[i], s) for i, s, _ in self._scores(normalize(question), limit)]

    def _scores(
        self, normalized: str, limit: int = SUGGESTION_COUNT
    ) -> list[tuple[int, float, float]]:
        """The best `limit` (entry index, blended score, best phrasing cosine), best first."""
        if not normalized:
            return []
        query = self._query_vector(normalized)
        best_cosine = np.maximum.reduceat(
            self._accumulate(query, self._phrasing_postings, len(self._phrasing_texts)),
            self._entry_starts,
        )
        centroid_cosine = self._accumulate(query, self._entry_postings, len(self.entries))
        hits = self._keyword_hits(normalized)
        keyword_scores = np.zeros(len(self.entries))
        for entry_index in {i for keyword in hits for i in self._entries_with_keyword[keyword]}:
            keyword_scores[entry_index] = self._keyword_score(entry_index, normalized, hits)
        preliminary = (
            SCORE_WEIGHTS["tfidf"] * best_cosine
            + SCORE_WEIGHTS["centroid"] * centroid_cosine
            + SCORE_WEIGHTS["keywords"] * keyword_scores
        )
        candidates = np.flatnonzero(preliminary > 0)
        order = candidates[np.argsort(-preliminary[candidates], kind="stable")]
        scored = []
        for rank, entry_index in enumerate(order[: max(limit, RERANK_POOL)].tolist()):
            score = float(preliminary[entry_index])
            if rank < RERANK_POOL:
                closest = process.extractOne(
                    normalized, self._phrasings_by_entry[entry_index], scorer=fuzz.ratio
                )
                score += SCORE_WEIGHTS["ratio"] * (closest[1] / 100 if closest else 0.0)
            scored.append((entry_index, score, float(best_cosine[entry_index])))
        scored.sort(key=lambda item: item[1], reverse=True)
        return scored[:limit]

    @staticmethod
    def _accumulate(
        query: dict[int, float], postings: dict[int, tuple[np.ndarray, np.ndarray]], size: int
    ) -> np.ndarray:
        """Dot products of the query with every row of a sparse matrix kept as postings."""
        used = [
            (postings[feature_id], weight)
            for feature_id, weight in query.items()
            if feature_id in postings and len(postings[feature_id][0]) <= STOP_GRAM_POSTINGS
        ]
        if not used:
            return np.zeros(size)
        rows = np.concatenate([posting[0] for posting, _ in used])
        data = np.concatenate([posting[1] for posting, _ in used])
        query_weights = np.repeat([w for _, w in used], [len(posting[0]) for posting, _ in used])
        return np.bincount(rows, data * query_weights, minlength=size)

    def _answers_together(self, best_index: int, runner_up_index: int | None) -> bool:
        """Neck and neck with an entry it names as related: answering with the leader is safe,
        since its answer links to the other — a 「もしかして」 here would only add a click."""
        if runner_up_index is None:
            return False
        return self.entries[runner_up_index].id in self.entries[best_index].related

    def answer_for(self, entry: FaqEntry, lang: Lang) -> Answer:
        """An entry the user picked from suggestions or the topic list."""
        return Answer(entry.title.get(lang), lang, "answer", 1.0, entry)

    def answer(self, question: str, lang: Lang | None = None) -> Answer:
        """Never raises: any string gets an Answer (possibly tier "none")."""
        answer_lang = lang or detect_language(question)
        normalized = normalize(question)
        scored = self._scores(normalized)
        if not scored:
            return Answer(question, answer_lang, "none", 0.0)
        best_index, best, best_cosine = scored[0]
        runner_up = scored[1][1] if len(scored) > 1 else 0.0
        suggestions = tuple(
            self.entries[i] for i, s, _ in scored[:SUGGESTION_COUNT] if s >= SUGGEST_SCORE
        )
        on_topic = best_cosine >= ON_TOPIC_SIMILARITY or self.has_domain_term(normalized)
        leads = best - runner_up >= CLEAR_LEAD or self._answers_together(
            best_index, scored[1][0] if len(scored) > 1 else None
        )
        if on_topic and best >= self.required_score(normalized, best_index) and leads:
            return Answer(
                question, answer_lang, "answer", best, self.entries[best_index], suggestions[1:]
            )
        if on_topic and suggestions:
            return Answer(question, answer_lang, "suggest", best, None, suggestions)
        return Answer(question, answer_lang, "none", best)


def _postings(vectors: Sequence[dict[int, float]]) -> dict[int, list[tuple[int, float]]]:
    """Feature → (row, weight) pairs: the sparse matrix by column."""
    postings: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for row, vector in enumerate(vectors):
        for feature_id, weight in vector.items():
            postings[feature_id].append((row, weight))
    return postings


def _as_arrays(
    postings: dict[int, list[tuple[int, float]]],
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    return {
        feature_id: (
            np.fromiter((row for row, _ in pairs), dtype=np.int64, count=len(pairs)),
            np.fromiter((weight for _, weight in pairs), dtype=np.float64, count=len(pairs)),
        )
        for feature_id, pairs in postings.items()
    }


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex for a word list; Latin words match whole words only ("line" ≠ "online")."""
    alternatives = []
    for term in {normalize(t) for t in terms} - {""}:
        escaped = re.escape(term)
        alternatives.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if term.isascii() else escaped)
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)))


def _entry_texts(entry: FaqEntry) -> Iterable[str]:
    for text in (*entry.questions.ja, *entry.questions.en, entry.title.ja, entry.title.en):
        normalized = normalize(text)
        if normalized:
            yield normalized
