"""What the bot learns from labelled examples: naive Bayes over dictionary forms and pairs.

- The safety check's second stage, from `knowledge/messages.yaml`. Word-list rules flag only
  what someone wrote a word for; on message sets nobody had tuned on they flagged 68-84% of the
  risky ones. The checker believes the model only above a high probability (`learned:` in
  safety.yaml) and adds its kind to those the rules found; a moderator who meets a missed
  message adds it in one line.
- The answer engine's ranker, from every phrasing and `knowledge/questions.yaml` (see
  `RESCUE_PROBABILITY` in matcher.py).

Naive Bayes because it trains by counting (no extra dependency, no training run to ship) and a
decision splits into per-word weights that `--explain` can show. Beside it, the answer engine
has a softmax regression over the same features (`SoftmaxRegression`): naive Bayes counts every
word as independent evidence, so any long question makes it sure of something; the regression
weighs words against each other, and its probabilities hold up on questions nobody tuned on.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import math
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from bot.core.romaji import read_romaji
from bot.core.schema import Document, EntryId, Name, NonEmpty, Problem, Strict
from bot.core.words import (
    KANA_ONLY,
    Analysis,
    Analyzer,
    KanaSpeller,
    checked_payload,
    default_analyzer,
    prepare,
    to_hiragana,
    write_checked,
)

log = logging.getLogger(__name__)

MESSAGES_FILE = "messages.yaml"
CLEAN = "none"
"""The label of an ordinary message."""

_EVIDENCE_SHOWN = 6


class LabelledMessage(Strict):
    text: NonEmpty
    kind: Name
    """A rule kind from safety.yaml, or `none` for an ordinary message."""


class MessagesFile(Strict):
    messages: list[LabelledMessage] = Field(min_length=1)


def check_messages(doc: Document, messages: MessagesFile, kinds: Iterable[str]) -> list[Problem]:
    """Every label names a kind the rules know (its advice is what the user will read)."""
    known = set(kinds) | {CLEAN}
    return [
        doc.problem(("messages", index, "kind"), f"unknown kind '{item.kind}'")
        for index, item in enumerate(messages.messages)
        if item.kind not in known
    ]


QUESTIONS_FILE = "questions.yaml"
OFF_TOPIC = "none"
"""The label of a question no FAQ entry answers."""


class LabelledQuestion(Strict):
    text: NonEmpty
    entry: EntryId
    """The FAQ entry that answers it, or `none`."""


class QuestionsFile(Strict):
    questions: list[LabelledQuestion] = Field(min_length=1)


def check_questions(
    doc: Document, questions: QuestionsFile, entry_ids: Iterable[str]
) -> list[Problem]:
    """Every label names an FAQ entry (or `none`)."""
    known = set(entry_ids) | {OFF_TOPIC}
    return [
        doc.problem(("questions", index, "entry"), f"unknown entry '{item.entry}'")
        for index, item in enumerate(questions.questions)
        if item.entry not in known
    ]


class LineSettings(Strict):
    """A long message's risk often sits in one line (one numbered point of an e-mail), which
    the model, weighing the whole message, hears drowned by the ordinary ones. So each line is
    weighed alone too, and believed only when the model is very sure and the line names the
    kind's object: alone, a short line of greetings can look risky to it (平素は格別の…)."""

    threshold: float = Field(0.999, gt=0.0, lt=1.0)
    at_least: int = Field(3, ge=2)
    """Lines (of 8 characters or more) a message needs before its lines are weighed alone."""
    unless: list[NonEmpty] = []
    """Regexes (with `{terms}`) for a line that is not weighed alone: the tool as the work
    (「・X（旧Twitter）の返信対応」), which no rule reads as a request and so none excuses."""
    names: dict[Name, list[NonEmpty]] = {}
    """Per kind, regexes (with `{terms}`) for its object (仮払い, an ID, 契約, 納品): a line that
    names none of them is not believed. A kind not listed is never reported from a line."""


class LearnedSettings(Strict):
    """How sure the model must be before it speaks, and how rare risk is assumed to be."""

    threshold: float = Field(0.99, gt=0.0, lt=1.0)
    overrule: float = Field(0.9999, gt=0.0, le=1.0)
    """A rule's finding is dropped when the model is this sure the sentence it fired on is
    ordinary (1.0: never). Rules fire on words; the model has seen the ordinary messages that
    use the same words (Chatwork after approval, LINE as an article's topic)."""
    overrules: list[Name] = []
    """The kinds whose rules the model may overrule. Not the kinds whose words are the risk
    whatever else the message says: an approval makes the model sure a message is ordinary,
    and 「承認されたので納品はチャットワークのみで」 or 「仮払いは納品いただいてから」 is not."""
    not_overruled: list[NonEmpty] = []
    """Regexes (with `{terms}`): a rule that fired on a sentence matching one is never overruled.
    The site set aside in so many words (「契約をこちらのサイトではなく弊社の取引先登録で」) is the
    risk, whatever ordinary words (取引先) make the model sure of the rest."""
    unless: dict[Name, list[NonEmpty]] = {}
    """Per kind, regexes (with `{terms}`) that keep the model from reporting that kind: the
    work's own data (「名刺の電話番号をスプレッドシートに入力」), escrow said to come first
    (「仮払いは毎回先に入れる」). The model weighs words, and those messages use the risky ones;
    rules still fire on them."""
    lines: LineSettings = LineSettings()
    signature: list[NonEmpty] = []
    """Regexes (with `{terms}`) for a line of a signature block (the company's address, phone
    and URL), which the model does not weigh: ordinary e-mails and risky ones carry the same
    blocks, and their digits and URL words pulled it to contact requests nobody made."""
    clean_odds: float = Field(10.0, gt=0.0)
    """Prior odds multiplier for `none`: most real messages are ordinary, unlike the labels."""
    smoothing: float = Field(0.5, gt=0.0)


@dataclass(frozen=True)
class Verdict:
    kind: str
    """The most likely risky kind."""
    probability: float
    clean: float
    """The probability that the message is ordinary."""
    evidence: tuple[tuple[str, float], ...]
    """Words that pull most towards `kind` and away from `none`, with their log-odds."""


def features(words: Sequence[str]) -> frozenset[str]:
    """Words and pairs of neighbouring words: 仮払い alone is ordinary, 仮払い|後 is not."""
    return frozenset(words) | {f"{a}|{b}" for a, b in itertools.pairwise(words)}


def words(text: str, analyzer: Analyzer | None = None) -> list[str]:
    """Dictionary forms, so 送ってください and 送ります count as one word."""
    return _lemmas((analyzer or default_analyzer()).analyze(prepare(text)))


def _lemmas(analysis: Analysis) -> list[str]:
    return [word.lemma for word in analysis.words]


@dataclass(frozen=True)
class _Trained:
    bayes: NaiveBayes
    speller: KanaSpeller
    """Spells a message typed in kana only (かりばらい は のうひん の あと で) as the labelled messages
    write its words, for the rules and the model alike: both know 仮払い and 納品, not their kana."""


@lru_cache(maxsize=4)
def _train(
    messages: tuple[LabelledMessage, ...],
    smoothing: float,
    clean_odds: float,
    analyzer: Analyzer | None,
) -> _Trained:
    """Shared by every model over the same labels: a reload that did not touch them, and each
    test's service, reuse the counts instead of analysing some thousand messages again."""
    analyses = [(analyzer or default_analyzer()).analyze(prepare(m.text)) for m in messages]
    labelled = [
        (features(_lemmas(analysis)), m.kind)
        for m, analysis in zip(messages, analyses, strict=True)
    ]
    return _Trained(NaiveBayes(labelled, smoothing, {CLEAN: clean_odds}), KanaSpeller(analyses))


class MessageModel:
    """Trained on first use (about half a second for 2,500 messages) and then shared by every
    check; `train()` lets the service do it off the event loop before anyone asks."""

    def __init__(
        self,
        messages: Sequence[LabelledMessage],
        settings: LearnedSettings,
        analyzer: Analyzer | None = None,
    ):
        self.settings = settings
        self._messages = tuple(messages)
        self._analyzer = analyzer
        self._lock = threading.Lock()
        self._trained: _Trained | None = None

    def __getstate__(self) -> dict[str, Any]:
        """For the engine snapshot (see snapshot.py): without the lock, and without the
        analyser, which cannot be pickled (None: the default one, as the service's)."""
        state = self.__dict__.copy()
        del state["_lock"]
        state["_analyzer"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def train(self) -> None:
        self._training()

    def _training(self) -> _Trained:
        with self._lock:
            if self._trained is None:
                settings = self.settings
                self._trained = _train(
                    self._messages, settings.smoothing, settings.clean_odds, self._analyzer
                )
            return self._trained

    def spell(self, text: str) -> str:
        """`text` as the labelled messages spell its words when it is typed in kana only,
        hiragana or katakana (ｹｲﾔｸｼｮはこちらからおくります) or romaji (karibarai wa ato de)."""
        speller = self._training().speller
        kana = to_hiragana(read_romaji(prepare(text), long_vowels=speller.long_vowels))
        if not KANA_ONLY.fullmatch(kana):
            return text
        return speller.spell(kana)

    def verdict(self, text: str) -> Verdict | None:
        """The most likely risky kind and its probability; None when nothing risky is known. A
        message typed in kana only is read as spelled (`spell`)."""
        bayes = self._training().bayes
        risky = [label for label in bayes.labels if label != CLEAN]
        if not risky:
            return None
        present = bayes.known(features(words(self.spell(text), self._analyzer)))
        posteriors = bayes.posteriors(present)
        kind = max(risky, key=posteriors.__getitem__)
        evidence = bayes.evidence(kind, CLEAN, present) if CLEAN in bayes.labels else ()
        return Verdict(kind, posteriors[kind], posteriors.get(CLEAN, 0.0), evidence)


class NaiveBayes:
    """Multinomial naive Bayes with Laplace smoothing over sets of features. The log
    probabilities are one matrix (feature × label): a question's posteriors are one sum over
    its rows, which the answer engine computes for every question it answers."""

    def __init__(
        self,
        labelled: Sequence[tuple[frozenset[str], str]],
        smoothing: float,
        prior_odds: dict[str, float] | None = None,
    ):
        grouped: dict[str, list[frozenset[str]]] = defaultdict(list)
        for found, label in labelled:
            grouped[label].append(found)
        self.labels = tuple(sorted(grouped))
        per_label = [
            Counter(itertools.chain.from_iterable(grouped[label])) for label in self.labels
        ]
        self._row = {f: row for row, f in enumerate(set().union(*per_label))}
        counts = np.zeros((len(self._row), len(self.labels)), dtype=np.int64)
        for column, counted in enumerate(per_label):
            rows = np.fromiter(map(self._row.__getitem__, counted), np.int64, len(counted))
            counts[rows, column] = np.fromiter(counted.values(), np.int64, len(counted))
        size = len(self._row)
        denominators = counts.sum(axis=0) + smoothing * size
        self._unseen = np.log(smoothing / denominators)
        self._log = np.log((counts + smoothing) / denominators)
        self._prior = np.array(
            [
                math.log((prior_odds or {}).get(label, 1.0) * len(grouped[label]) / len(labelled))
                for label in self.labels
            ]
        )

    def known(self, found: Iterable[str]) -> list[str]:
        """The features training has seen; the others say nothing about any label."""
        return [f for f in found if f in self._row]

    def weight(self, label: str, feature: str) -> float:
        column = self.labels.index(label)
        row = self._row.get(feature)
        return float(self._unseen[column] if row is None else self._log[row, column])

    def posteriors(self, present: Sequence[str], at_most: int | None = None) -> dict[str, float]:
        """`at_most` tempers the evidence: a text of more features weighs as one of that many."""
        scale = min(1.0, at_most / len(present)) if at_most and present else 1.0
        scores = self._prior + self._log[[self._row[f] for f in present]].sum(axis=0) * scale
        exp = np.exp(scores - scores.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist(), strict=True))

    def evidence(
        self, label: str, against: str, present: Sequence[str]
    ) -> tuple[tuple[str, float], ...]:
        """The features that pull most towards `label` and away from `against`, with log-odds."""
        odds = [(f, self.weight(label, f) - self.weight(against, f)) for f in present]
        odds.sort(key=lambda item: item[1], reverse=True)
        return tuple((f, round(value, 2)) for f, value in odds[:_EVIDENCE_SHOWN] if value > 0)


_FEATURE_SEPARATOR = "\x1f"
"""Between the features in the saved file: one UTF-8 string reads back ten times faster than an
array of 32,000 strings (0.08 s, a twentieth of the start-up). No feature holds it: `prepare`
turns control characters into spaces."""

REGRESSION_PREFIX = "ranker-"
VETO_REGRESSION_PREFIX = "veto-ranker-"
"""The answer engine's second regression, over content words only (see matcher.VETO_POS)."""
REGRESSION_SUFFIX = ".npz"


class SoftmaxRegression:
    """Multinomial logistic regression over sets of features: the average of RUNS models, each
    trained by mini-batch AdaGrad for EPOCHS passes in its own fixed order (the same examples
    give the same weights). One order alone decides many borderline questions: two orders
    disagreed on whether 129 of the 7,819 sealed questions were answered right. Two sets of eight
    orders disagree on 37, and their average is as right on the folds (4,644 right, 71 wrong,
    against 4,633 and 79 for one order of five passes).

    Each pass sorts the examples by a hash of their content (`_identity`), not by a shuffle of
    their positions: one phrasing added to faq.yaml then lands in one batch and leaves every
    other batch as it was. Shuffled positions reordered every later batch, and eight added
    phrasings changed 94 verdicts on the sealed and regression questions; sorted by content, 22.

    On the question folds (each training set left out in turn), of the questions it was 0.9 sure
    of, 96% were right, against 85% for naive Bayes over the same features."""

    RUNS = 8
    EPOCHS = 2
    BATCH = 64
    MIN_STEPS = 40
    """A small set (a test's, a new knowledge base's) gets more passes: two passes over ten
    examples are two steps, too few to learn anything."""
    RATE = 0.5

    def __init__(
        self,
        labels: tuple[str, ...],
        features: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
    ):
        self.labels = labels
        self._row = {feature: row for row, feature in enumerate(features)}
        self._weights = weights
        self._bias = bias

    @classmethod
    def trained(cls, labelled: Sequence[tuple[frozenset[str], str]]) -> SoftmaxRegression:
        labels = tuple(sorted({label for _, label in labelled}))
        column = {label: index for index, label in enumerate(labels)}
        row: dict[str, int] = {}
        rows = [[row.setdefault(f, len(row)) for f in sorted(found)] for found, _ in labelled]
        lengths = np.fromiter(map(len, rows), np.int64, len(rows))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, int(lengths.sum()))
        targets = np.fromiter((column[label] for _, label in labelled), np.int64, len(labelled))
        copies: Counter[tuple[frozenset[str], str]] = Counter()
        identities = np.fromiter(
            (
                _identity(found, label, _counted(copies, (found, label)))
                for found, label in labelled
            ),
            np.uint64,
            len(labelled),
        )
        weights = np.zeros((len(row), len(labels)))
        bias = np.zeros(len(labels))
        for run in range(cls.RUNS):
            run_weights, run_bias = cls._run(
                run, weights.shape, lengths, starts, flat, targets, identities
            )
            weights += run_weights
            bias += run_bias
        return cls(labels, list(row), (weights / cls.RUNS).astype(np.float32), bias / cls.RUNS)

    @classmethod
    def _run(
        cls,
        run: int,
        shape: tuple[int, int],
        lengths: np.ndarray,
        starts: np.ndarray,
        flat: np.ndarray,
        targets: np.ndarray,
        identities: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """One model's weights and bias: EPOCHS passes (or MIN_STEPS steps) over the examples, each
        pass in an order drawn from the run, the pass and each example's content."""
        weights = np.zeros(shape)
        bias = np.zeros(shape[1])
        squares = np.full_like(weights, 1e-8)
        bias_squares = np.full_like(bias, 1e-8)
        examples = np.flatnonzero(lengths)
        batches = max(math.ceil(len(examples) / cls.BATCH), 1)
        for epoch in range(max(cls.EPOCHS, math.ceil(cls.MIN_STEPS / batches))):
            keys = _mixed(identities[examples] ^ np.uint64(run << 32 | epoch))
            order = examples[np.argsort(keys, kind="stable")]
            for first in range(0, len(order), cls.BATCH):
                batch = order[first : first + cls.BATCH]
                counts = lengths[batch]
                offsets = np.cumsum(counts) - counts
                present = flat[np.repeat(starts[batch] - offsets, counts) + np.arange(counts.sum())]
                scores = np.add.reduceat(weights[present], offsets, axis=0) + bias
                errors = _softmax(scores)
                errors[np.arange(len(batch)), targets[batch]] -= 1.0
                by_feature = np.argsort(present, kind="stable")
                touched, firsts = np.unique(present[by_feature], return_index=True)
                gradient = np.add.reduceat(
                    np.repeat(errors, counts, axis=0)[by_feature], firsts, axis=0
                )
                squares[touched] += gradient * gradient
                weights[touched] -= cls.RATE * gradient / np.sqrt(squares[touched])
                step = errors.sum(axis=0)
                bias_squares += step * step
                bias -= cls.RATE * step / np.sqrt(bias_squares)
        return weights, bias

    def known(self, found: Iterable[str]) -> list[str]:
        return [f for f in found if f in self._row]

    def posteriors(self, present: Sequence[str]) -> dict[str, float]:
        scores = self._bias + self._weights[[self._row[f] for f in present]].sum(axis=0)
        return dict(zip(self.labels, _softmax(scores).tolist(), strict=True))

    def save(self, path: Path, prefix: str = REGRESSION_PREFIX) -> None:
        """Replaces the other files of this prefix. Raises OSError when it cannot be written."""
        buffer = io.BytesIO()
        np.savez(
            buffer,
            labels=np.array(self.labels),
            features=np.frombuffer(_FEATURE_SEPARATOR.join(self._row).encode(), np.uint8),
            weights=self._weights,
            bias=self._bias,
        )
        write_checked(path, buffer.getvalue(), f"{prefix}*{REGRESSION_SUFFIX}")

    @classmethod
    def load(cls, path: Path) -> SoftmaxRegression:
        """Raises OSError when it cannot be read, ValueError when it is not a saved model."""
        try:
            with np.load(io.BytesIO(checked_payload(path.read_bytes()))) as saved:
                return cls(
                    tuple(saved["labels"].tolist()),
                    saved["features"].tobytes().decode().split(_FEATURE_SEPARATOR),
                    saved["weights"],
                    saved["bias"],
                )
        except (KeyError, EOFError, UnicodeDecodeError) as exc:
            raise ValueError(f"not a saved model ({exc})") from exc


def _identity(found: frozenset[str], label: str, copy: int = 0) -> int:
    """A number that stays with the example wherever it sits in the training set; each further
    copy of the same example (the same question labelled twice, a phrasing that is also a
    labelled question) gets its own, so copies land in different batches instead of one."""
    parts = (label, *sorted(found), *((f"\x1f{copy}",) if copy else ()))
    text = "\x1e".join(parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def _counted(seen: Counter[tuple[frozenset[str], str]], example: tuple[frozenset[str], str]) -> int:
    """How many copies of `example` came before this one."""
    seen[example] += 1
    return seen[example] - 1


def _mixed(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: each value to an unrelated one, the same on every machine."""
    mixed = values + np.uint64(0x9E3779B97F4A7C15)
    mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return mixed ^ (mixed >> np.uint64(31))


def _softmax(scores: np.ndarray) -> np.ndarray:
    exp: np.ndarray = np.exp(scores - scores.max(axis=-1, keepdims=True))
    exp /= exp.sum(axis=-1, keepdims=True)
    return exp


def stored_regression(
    labelled: Sequence[tuple[frozenset[str], str]],
    key: str,
    directory: Path | None,
    prefix: str = REGRESSION_PREFIX,
) -> SoftmaxRegression:
    """The regression for these examples: from the cache directory (`CACHE_DIR`) when it holds
    the one trained on them (`key` names everything they were made from), else trained, about a
    second, and written there. A file that cannot be read or written costs one warning."""
    path = directory / f"{prefix}{key}{REGRESSION_SUFFIX}" if directory else None
    if path is not None and path.is_file():
        try:
            return SoftmaxRegression.load(path)
        except (OSError, ValueError) as exc:
            log.warning("ignoring the stored ranker %s (%s); training it afresh", path, exc)
    model = _trained_regression(tuple(labelled))
    if path is not None:
        try:
            model.save(path, prefix)
        except OSError as exc:
            log.warning("cannot store the ranker in %s (%s); every start will train it", path, exc)
    return model


@lru_cache(maxsize=4)
def _trained_regression(labelled: tuple[tuple[frozenset[str], str], ...]) -> SoftmaxRegression:
    """Shared by every matcher over the same examples (a reload that kept them, each test)."""
    return SoftmaxRegression.trained(labelled)
