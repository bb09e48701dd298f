"""The safety check's learned second stage: naive Bayes over the words of labelled messages.

Word-list rules flag only what someone wrote a word for; on message sets nobody had tuned on they
flagged 68-84% of the risky ones. The model learns from every labelled message in
`knowledge/messages.yaml`, so a moderator who meets a missed message adds it in one line.
Naive Bayes because it trains by counting (no extra dependency, no training run to ship) and a
decision splits into per-word weights that `check --explain` can show. The checker asks it only
when no rule fired, and believes it only above a high probability (`learned:` in safety.yaml).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from pydantic import Field, StringConstraints

from bot.core.schema import Document, NonEmpty, Problem, Strict
from bot.core.words import Analyzer, default_analyzer, prepare

MESSAGES_FILE = "messages.yaml"
CLEAN = "none"
"""The label of an ordinary message."""

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
_EVIDENCE_SHOWN = 6


class LabelledMessage(Strict):
    text: NonEmpty
    kind: Kind
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


class LearnedSettings(Strict):
    """How sure the model must be before it speaks, and how rare risk is assumed to be."""

    threshold: float = Field(0.99, gt=0.0, lt=1.0)
    overrule: float = Field(0.9999, gt=0.0, le=1.0)
    """A rule's finding is dropped when the model is this sure the sentence it fired on is
    ordinary (1.0: never). Rules fire on words; the model has seen the ordinary messages that
    use the same words (Chatwork after approval, LINE as an article's topic)."""
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
    return [word.lemma for word in (analyzer or default_analyzer()).analyze(prepare(text)).words]


@lru_cache(maxsize=4)
def _train(
    messages: tuple[LabelledMessage, ...], settings: LearnedSettings, analyzer: Analyzer | None
) -> _Counts:
    """Shared by every model over the same labels: a reload that did not touch them, and each
    test's service, reuse the counts instead of analysing some thousand messages again."""
    labelled = [(features(words(m.text, analyzer)), m.kind) for m in messages]
    return _Counts(labelled, settings)


class MessageModel:
    """Trained on first use (about half a second for 1,500 messages) and then shared by every
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
        self._trained: _Counts | None = None

    def train(self) -> None:
        self._counts()

    def _counts(self) -> _Counts:
        with self._lock:
            if self._trained is None:
                self._trained = _train(self._messages, self.settings, self._analyzer)
            return self._trained

    def verdict(self, text: str) -> Verdict | None:
        """The most likely risky kind and its probability; None when nothing risky is known."""
        counts = self._counts()
        if not counts.risky_kinds:
            return None
        present = [f for f in features(words(text, self._analyzer)) if f in counts.vocabulary]
        scores = {kind: counts.score(kind, present) for kind in counts.kinds}
        top = max(scores.values())
        total = sum(math.exp(score - top) for score in scores.values())
        kind = max(counts.risky_kinds, key=scores.__getitem__)
        probability = math.exp(scores[kind] - top) / total
        clean = math.exp(scores[CLEAN] - top) / total if CLEAN in scores else 0.0
        return Verdict(kind, probability, clean, counts.evidence(kind, present))


class _Counts:
    """Log-probabilities of each feature given each kind (multinomial, Laplace-smoothed)."""

    def __init__(self, labelled: Sequence[tuple[frozenset[str], str]], settings: LearnedSettings):
        per_kind: dict[str, Counter[str]] = {}
        documents: Counter[str] = Counter()
        for found, kind in labelled:
            per_kind.setdefault(kind, Counter()).update(found)
            documents[kind] += 1
        self.vocabulary = frozenset(f for counter in per_kind.values() for f in counter)
        self.kinds = tuple(sorted(per_kind))
        self.risky_kinds = tuple(kind for kind in self.kinds if kind != CLEAN)
        alpha = settings.smoothing
        size = len(self.vocabulary)
        self._log: dict[str, dict[str, float]] = {}
        self._unseen: dict[str, float] = {}
        self._prior: dict[str, float] = {}
        for kind, counter in per_kind.items():
            denominator = sum(counter.values()) + alpha * size
            self._log[kind] = {f: math.log((n + alpha) / denominator) for f, n in counter.items()}
            self._unseen[kind] = math.log(alpha / denominator)
            self._prior[kind] = math.log(documents[kind] / len(labelled))
        if CLEAN in self._prior:
            self._prior[CLEAN] += math.log(settings.clean_odds)

    def weight(self, kind: str, feature: str) -> float:
        return self._log[kind].get(feature, self._unseen[kind])

    def score(self, kind: str, present: Sequence[str]) -> float:
        return self._prior[kind] + sum(self.weight(kind, f) for f in present)

    def evidence(self, kind: str, present: Sequence[str]) -> tuple[tuple[str, float], ...]:
        if CLEAN not in self._log:
            return ()
        odds = [(f, self.weight(kind, f) - self.weight(CLEAN, f)) for f in present]
        odds.sort(key=lambda item: item[1], reverse=True)
        return tuple((f, round(value, 2)) for f, value in odds[:_EVIDENCE_SHOWN] if value > 0)
