"""Answer engine: which FAQ entry, if any, answers a free-text question.

Why not one fuzzy score: on unspaced Japanese, token/partial scorers rate off-topic questions
85-100 against everything, and the words in nearly every question (チャットワーク, クライアント)
drown the signal. So text is first cut into words and compared by reading (のうひん = 納品), and
the score blends four views: character n-gram TF-IDF against the closest phrasing and against the
entry as a whole (common n-grams weigh little), rapidfuzz `ratio` against the closest phrasing, and
whole-word hits on each entry's keywords. The result has three tiers: a confident answer only when
one entry clearly leads, passes the thresholds for what the question is about, and accounts for
the question's main words (the subject gate); 「もしかして」 suggestions in a middle band;
otherwise nothing. Every decision can be explained with the numbers that made it.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from bot.core.knowledge import Addressing, FaqEntry, Knowledge, VocabularyFile
from bot.core.learned import (
    OFF_TOPIC,
    VETO_REGRESSION_PREFIX,
    LabelledQuestion,
    NaiveBayes,
    SoftmaxRegression,
    features,
    stored_regression,
)
from bot.core.romaji import read_romaji
from bot.core.schema import Lang
from bot.core.text import detect_language
from bot.core.words import (
    KANA_ONLY,
    Analysis,
    Analyzer,
    KanaSpeller,
    Lexicon,
    StoredAnalyses,
    SwappedLetters,
    Word,
    core_code_digest,
    default_analyzer,
    is_latin,
    joined,
    prepare,
    stored_analyses_key,
    to_hiragana,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

Tier = Literal["answer", "suggest", "none"]

MAX_QUESTION_CHARS = 500
"""Questions are short; scoring a pasted essay in full would only cost time and add noise."""

_CONTRASTIVE = frozenset({"けれど", "けれども", "が", "のに"})
"""Conjunctive particles that set one clause against the next (see `Matcher._foil_end`)."""
_LIKE = frozenset({"みたい", "よう"})
"""みたいに, ように: "like X" (see `Matcher._foil_end`)."""
_SET_AGAINST = frozenset({"違う", "比べる", "比較", "同じ"})
"""と違って, と比べて, に比較して, と同じで (see `Matcher._foil_end`)."""
_LIKE_EN = frozenset({"like", "unlike"})
""""Unlike Lancers, does CrowdWorks…", "something like Upwork's milestones on CrowdWorks"."""
_BEFORE_A_PLACE = frozenset({"on", "in", "at", "with"})
""""Like on Fiverr, …": the foil is the word after the preposition."""
_SENTENCE_END = re.compile(r"(?<=[。！？!?…])|(?<=\.) ")
_ASKS = re.compile(r"(?:[?？]|か|かな|かね|の|教えて(?:ください)?|知りたいです?)[。.!！…\s]*$")
"""A sentence that asks something; in a long post the others are the story around the question."""
_ASIDE = re.compile(
    r"^\s*(?:あと(?!で|から|の|に|払|ばら|少し|ちょっと|何|数|どれ|どの|いく|[0-9０-９一二三四五六七八九十半])|"
    r"それと(?!も)|それから|ついでに|もう(?:一つ|ひとつ|1つ)|"
    r"(?:and )?also\b|second(?:ly)?\b|plus\b|p\.?s\.?\b|[2-9２-９][.．、):）]|[②-⑨])",
    re.IGNORECASE,
)
"""A later question put as an aside (「あと、スマホでも使えますか」, "Also, how do I…", "2. …"): the
post's own question is the one before it, if that one says enough (ASKED_BEFORE_AN_ASIDE) and
names our subject (「ちょっと質問してもいいですか？あと、…」 asks only leave to ask)."""
ASKED_BEFORE_AN_ASIDE = 12
"""Characters the question before an aside needs to stand alone: 「いいですか？あと…」 asks
nothing by itself."""


def _before_an_aside(text: str) -> str | None:
    """The text before its first aside (see `_ASIDE`), or None when it has none."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    for index, sentence in enumerate(sentences):
        before = sentences[:index]
        if (
            _ASIDE.match(sentence)
            and any(_ASKS.search(asked) for asked in before)
            and len("".join(before).strip()) >= ASKED_BEFORE_AN_ASIDE
        ):
            return "".join(before).strip()
    return None


_PUNCTUATION = re.compile(r"[^\w\s+%]|_")
_LATIN_WORD = re.compile(r"[a-z0-9+]+")
_HIRAGANA = re.compile(r"[\u3041-\u309f]+")

SCORE_WEIGHTS = {"tfidf": 0.45, "centroid": 0.30, "ratio": 0.25, "keywords": 0.20}
CONFIDENT_SCORE = 0.30
UNANCHORED_SCORE = 0.50
"""A question with no anchor word (see knowledge/vocabulary.yaml) must match this closely."""
OFF_SUBJECT_SCORE = 0.65
"""A question that names another platform or tool, or an aspect the knowledge does not cover
(a Chatwork API, taxes), and no anchor word, must match this closely even when the entry speaks
of that subject (see `off_subject` for when it does not)."""
KANA_ONLY_SCORE = 0.45
"""A question typed entirely in hiragana is cut into words by guesswork (のうひん → のう|ひん):
it is matched by reading, but answered only on a close match."""
KANA_SPELLING_SCORE = 0.35
"""A question typed in kana only in which known spellings (ちゃとわ, かりばらい) were read as
their words: those are sure, the rest is still guesswork. On the sets, such questions answered
right scored 0.38 and more, while off-topic ones were answered from 0.33 (ちゃとわのつうちがこない)."""
CLEAR_LEAD = 0.02
SUGGEST_SCORE = 0.22
ON_TOPIC_SIMILARITY = 0.5
"""A question this close to a known phrasing is on topic even without a listed keyword. With one
subject word only it gets suggestions ("連絡" offers the contact entries) but no rescue by the
learned ranker: "how old are you" is close to a phrasing by "old" alone, and the ranker then
answered it with the free plan's limits. On the folds no change (4,613 right of 4,903, 195
near-misses answered); on the opened sets that unrelated question is no longer answered (keeping
such questions off topic altogether also took "連絡"'s suggestions away)."""
SUGGESTION_COUNT = 3
KANA_TERM_LENGTH = 4
"""In a question typed in kana only, terms this long count wherever they are in the reading
(`Lexicon.found_inside`): けされた (消された) in けされたりする; shorter ones (いくら in
くらいあんと) only at a guessed word's start and end."""
QUESTIONS_KEPT = 256
"""Questions kept analysed, by prepared text: one asked again (a frequent question, an
autocomplete query retyped) skips the analyser. About 10 kB each."""
RERANK_POOL = 8
"""Only the leading entries get the (costlier) edit-distance comparison with every phrasing."""
STOP_GRAM_POSTINGS = 2000
"""An n-gram in more phrasings than this carries almost no weight (low IDF) but costs a long
scan; skipping it keeps a 10,000-entry base fast. Small bases never reach it."""
UNEXPLAINED_SHARE = 0.7
"""The subject gate: a confident answer must account for at least 30% of the question's subject
words by weight. "クラウドワークスの出金手数料" is about 出金, which no entry speaks of. Set on
the regression sets: stricter limits turned away in-scope questions full of situation words
(主婦, イラストレーター, 記事) faster than they caught off-topic ones."""
ASKED_WORDS_MIN = 2
"""An entry also speaks of the subject words that at least this many of its labelled questions
use, written in kanji, katakana or Latin letters (a word typed in hiragana is the analyser's
guess): users ask for an entry in words its own text never uses (やりとり and 外 for when IDs may
be exchanged). A word used once may be a story's detail. On the ten training folds, against not
using them: 8 more right answers, 1 fewer wrong, and the cost, 3 more near-misses answered; at 1,
one more wrong answer than at 2."""
UNEXPLAINED_PENALTY = 0.05
"""Taken from an entry's score per unit of the question's subject it does not speak of, so that
of two close entries the one that accounts for the question's words ranks first (a free-plan
video call question goes to the plan's limits, not to why clients like group chats). Set on
the regression sets: 0.03-0.05 gained there and lost nowhere; 0.1 and more lost answers."""
RESCUE_PROBABILITY = 0.9
"""A question the scores leave among suggestions is answered when the learned ranker (naive
Bayes over every phrasing and the labelled questions of knowledge/questions.yaml) is this sure
of one of those suggestions. Measured leaving each regression set out of its training in turn:
9 more right answers of 991, none wrong, no off-topic question answered; on validation16 (new,
unseen) 55/60 -> 58/60 with the same off-topic figure. Never against the off-subject or aspect
gate, nor for a question typed in kana only that the speller could not spell; past the subject
gate only at SUBJECT_RESCUE."""
VETO_PROBABILITY = 0.98
"""A question the scores would answer gets suggestions instead when the learned ranker, its
words weighed as at most VETO_WORDS (see there), is this sure that no entry answers it
(knowledge/questions.yaml holds some 3,200 near-misses). Chosen with VETO_WORDS on the ten
training-question folds (each left out of the labelled questions in turn; 1,584 in scope, 1,616
near-misses): 0.999 untempered gave 1,350 right and 1,413 near-misses not answered; 0.99 with
15 words 1,354 and 1,434, the same 43 wrong answers (0.98: 1,348 and 1,450; 0.995: 1,361 and
1,418). With synonym groups among the ranker's features, on sixteen folds (2,388 in scope,
2,642 near-misses), from 0.99 without them (2,081 right, 53 wrong, 2,360 not answered): 0.99
gave 2,103, 53 and 2,339; 0.98 2,089, 52 and 2,369; 0.97 2,085, 49 and 2,380. Without synonyms,
0.98 gave 2,071, 53 and 2,387."""
VETO_SPARES_SCORE = 0.45
VETO_SPARES_LEAD = 0.1
"""The learned veto spares an answer the scores give at least this score, with at least this lead
over the runner-up, whose entry speaks of the question's subject words (all but a share of
VETO_SPARES_SHARE, and one that is no name at least): the commonest cause of misses was the veto
withdrawing such answers (「ちゃわくに とうろくする ほうほうを おしえて」,
「申請しないで勝手にチャットワークに移ったらどうなるの？」), since the near-misses the ranker
learned from use the same words. On the sealed and regression sets (8,700 questions): 11 more
right answers, 1 more wrong (「…クラウドワークスはもう開かなくても
大丈夫ですか？」 goes to the application), no near-miss answered (without the subject words, "Who is
the CEO of Chatwork?" was; at 0.4 and 0.05 one more right answer and no more)."""
VETO_SPARES_SHARE = 0.45
"""…and when the words its entry never speaks of are at most this share of the question's subject
(「クラウドワークスにはグループチャットの機能はありますか」: 機能; "I am a client in Singapore. How do I
get permission…": singapore, freelancer). With none allowed, such answers were withdrawn. On the
sealed and regression sets (session 26, 9,641 questions in scope, 5,314 near-misses): 0.35 gave 4
more right answers, 0.45 8 and one more wrong answer; each answered one more near-miss."""
OWN_PHRASING = 0.9
"""A question this close (rapidfuzz ratio) to one of the chosen entry's own phrasings is never
vetoed: the phrasings are what a moderator wrote the entry to answer, and near-misses labelled
before the entry existed (スタンプ, say) must not silence it. No effect on the training folds,
whose questions are never an entry's phrasing."""
VETO_WORDS = 15
"""Naive Bayes adds one log-likelihood per word as if each were independent evidence, so the
story around a long post's question (the writer's job, income, feelings: words the near-misses
are full of too) made it 0.9999 sure of `none` for questions the scores answered right; 16 of
the 39 misses on a set of forum-style posts were such vetoes. For the veto, the sum is scaled to
this many words (features: words and neighbouring pairs); a short question is judged as is."""
LONG_POST = 4
"""A question of this many sentences or more is a post with a story: the vetoes read only its
sentences that ask, when those name an anchor word besides Chatwork and CrowdWorks (a forum
post's translator, Osaka and gigs made the regression 0.99 sure that no entry answers what
Chatwork is). On the sealed sets 2 more right answers and 1 fewer, no near-miss answered;
validation201 (posts in the style of Q&A sites) 2 more. Generic anchors (料金, やりとり) still
count: a long accounting question on Chatwork's fee is answered. Without the anchor, a long off-topic post whose only question is 「どうすれば
いいですか？」 or 「チャットワークでのやり方を教えてください」 left the vetoes nothing to read and was
answered (the reviews found eleven). The cost: an in-scope long post whose question is as bare
(「…まだ仮払いがされていません。どうしたらいいでしょう？」) is weighed whole and may be vetoed, as
before LONG_POST."""
PREFER_PROBABILITY = 0.99
"""The learned ranker answers with another of the three leading entries instead of the scores'
choice when it is this sure of it. Where the two disagreed (each set left out of the training
in turn), at 0.99 the ranker alone was right 12 times and the scores alone 3 times."""
SYNONYM_MARK = "≈"
"""Marks a synonym group among the learned ranker's features (≈13968: 削除, 消す)."""
PLAIN_WORDS_RESCUE = 0.99
"""A question in plain words names nothing of the domain ("打ち間違えたまま送っちゃった。あとから
直せますか": no Chatwork, no keyword), so the scores never call it on topic. It is answered
when the ranker is this sure of one of the three leading entries. Each training-question set
left out in turn (16 sets, 2,388 in scope, 2,642 near-misses): 7 more right answers, no more
wrong ones, no near-miss answered (0.9: 8 more right, 1 more wrong). A question typed in kana
only may be rescued so once the speller has spelled its words (あいての はつげん -> 相手の発言)
and the entry speaks of one of its subject words at least (see `_speaks_of`):
on the opened sets 91 -> 93 of 96 right, none wrong (without the vetoes over content words);
"ねむれない どうしたらいい" names no subject word, and was answered before `_speaks_of`.
The entry must also pass the subject gate (UNEXPLAINED_SHARE): "What is the best way to learn
hiragana quickly?" was answered with the safest option (best way) at 1.00, learn, hiragana and
quickly unexplained. On the ten folds, the sealed and the opened sets nothing else changed."""
PLAIN_WORDS = 10
"""For PLAIN_WORDS_RESCUE, a question's words weigh as at most this many (see VETO_WORDS): the
labelled questions are nearly all about the domain, so a question about anything else is judged
on the few words it shares with them, and naive Bayes was 0.98 to 0.99 sure that
"ポケモンで一番強いのってどれ" asks for the safest option (一番). Tempered so, no unrelated question of
the regression sets is answered, and 4 of the 8 plain-words questions rescued on the folds
still are."""
SUBJECT_RESCUE = 0.99
"""A question the subject gate turned away (a long story whose question drowns in its context)
is answered when the ranker is this sure of one of the suggestions. With some 2,900 labelled
questions, each set left out of the training in turn: on the training-question folds 18 more
right answers of 573 and 3 more near-misses answered of 687 (0.999: 13 and 2); on the
regression sets 5 more right of 1,030 and no near-miss. Past the off-subject gate it cost 4
near-misses there, and past the aspect gate more than it gained: neither is allowed."""
REGRESSION_RESCUE = 0.9
"""After the scores and naive Bayes, the softmax regression (see learned.py) has the last word:
a question left unanswered is answered with the entry it is this sure of (never one the scores
do not see at all, never for a question off our subject or typed in kana only); an answer is
replaced by another entry it is REGRESSION_PREFER sure of; and withdrawn when it is
REGRESSION_VETO sure that no entry answers. Chosen on eighteen training-question folds (each
set left out of the labelled questions in turn; 2,649 in scope, 2,981 near-misses): from 2,305
right, 58 wrong and 2,655 near-misses not answered to 2,408, 53 and 2,835 (rescue at 0.95:
2,400, 52 and 2,840; veto at 0.9: 2,417, 54 and 2,807). For a question typed in kana only (its
words are the speller's guesses), the entry must speak of one of its subject words at least
(names aside; a question whose subject is only names passes): 「けいやくして かりばらいも
すみました このあと なにを すれば ちゃっとわーくに うつれますか」 was answered with how to sign up
to Chatwork, whose scores were below zero. On the sealed and regression sets (8,700 questions)
one other kana question so answered, right, gets the same entry as its only suggestion instead."""
OFF_SUBJECT_RESCUE = 0.95
"""The regression rescues a question the off-subject gate turned away (another marketplace,
another tool named without Chatwork or CrowdWorks) only when it is this sure: at 0.9 it answered
whether Coconala or Lancers also forbid direct deals and outside tools with CrowdWorks' rules.
On the sealed and regression sets (10,700 questions): 3 near-misses no longer answered, 3 right
answers become suggestions (at 0.99: 5 near-misses and 10 right answers)."""
REGRESSION_PREFER = 0.9
REGRESSION_VETO = 0.85
"""The regression's veto weighs content words only (see VETO_POS), through a regression trained
on those alone: it was the particles and their pairs (に, で|も, って|出来る), the near-misses'
writers' style rather than their subject, that made it 0.99 sure no entry answers "直接契約を持ち
かけるだけでも規約違反になる？". On ten training-question folds (4,903 in scope, 4,314
near-misses), from 4,598 right, 89 wrong and 200 near-misses answered (all words, veto at 0.8):
content words at 0.8 gave 4,604, 90 and 187; at 0.85 4,611, 90 and 195; at 0.9 4,615, 92 and
212. With the learned veto over content words too (see VETO_POS): 4,619, 86 and 200. A question
typed in kana only keeps its particles' evidence (its content words are the speller's guesses,
and over them alone 12 instead of 7 of the folds' 267 kana near-misses were answered): each
veto takes the surer of its two models for it. So, with the kana rescue (PLAIN_WORDS_RESCUE):
4,613, 86 and 194; kana questions 443 right, 2 wrong, 6 near-misses answered (7 before). On the
opened sets nobody trained on (v44, v45, v52, v53, v59, v63, v64; 490 in scope): 467 -> 474
right, near-misses 279/280 either way."""
_EVERY_WORD = " (typed in kana only: and over every word)"
VETO_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
"""Parts of speech the two vetoes leave out: particles, auxiliaries and punctuation say how a
question is written, and the labelled near-misses' writers wrote alike."""
RANKER_SMOOTHING = 0.3
FOREIGN_WORD_WEIGHT = 1.0
"""A subject word no entry's own text uses weighs this much against an answer, relative to 1.0
for words the knowledge knows: it is most likely what the question is really about. (Words an
entry knows only from its labelled questions, see ASKED_WORDS_MIN, weigh this much too.)"""


class _Decision(NamedTuple):
    """Where `answer` stands after a stage: the tier, why, and the entry it would answer with."""

    tier: Tier
    decision: str
    best_index: int
    best: Candidate
    scored: list[tuple[int, Candidate]]
    suggestions: tuple[FaqEntry, ...]


@dataclass(frozen=True)
class Candidate:
    """One entry's scores for a question, as `--explain` prints them."""

    entry_id: str
    score: float
    tfidf: float
    centroid: float
    ratio: float
    keywords: float
    unexplained: float = 0.0
    """Share of the question's subject the entry does not speak of (see `_unexplained`)."""
    keyword_hits: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "score": round(self.score, 4),
            "tfidf": round(self.tfidf, 4),
            "centroid": round(self.centroid, 4),
            "ratio": round(self.ratio, 4),
            "keywords": round(self.keywords, 4),
            "unexplained": round(self.unexplained, 4),
            "keyword_hits": list(self.keyword_hits),
        }


@dataclass(frozen=True)
class Explanation:
    """What decided an answer: the same numbers the decision used."""

    normalized: str
    words: tuple[str, ...]
    subject_words: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    on_topic: str
    required_score: float
    requirement: str
    lead: float
    unexplained: tuple[str, ...]
    unexplained_share: float
    aspects: tuple[str, ...]
    """What the question asks of its topic, as "aspect (cue)"."""
    unanswered_aspects: tuple[str, ...]
    decision: str
    story_subjects: tuple[str, ...] = ()
    """Other subjects named only in the story around the question, which do not gate it."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "normalized": self.normalized,
            "words": list(self.words),
            "subject_words": list(self.subject_words),
            "candidates": [c.as_dict() for c in self.candidates],
            "on_topic": self.on_topic,
            "required_score": self.required_score,
            "requirement": self.requirement,
            "lead": round(self.lead, 4),
            "unexplained": list(self.unexplained),
            "unexplained_share": round(self.unexplained_share, 4),
            "aspects": list(self.aspects),
            "unanswered_aspects": list(self.unanswered_aspects),
            "story_subjects": list(self.story_subjects),
            "decision": self.decision,
        }

    def lines(self) -> list[str]:
        """Human-readable, for `ask --explain`."""
        out = [
            f"normalised: {self.normalized}",
            f"words: {' '.join(self.words)}",
            f"subject words: {' '.join(self.subject_words) or '-'}",
            f"on topic: {self.on_topic}",
            "candidates (score = 0.45 tfidf + 0.30 centroid + 0.25 ratio + 0.20 keywords"
            f" - {UNEXPLAINED_PENALTY} unexplained):",
        ]
        for c in self.candidates:
            hits = f" hits {', '.join(c.keyword_hits)}" if c.keyword_hits else ""
            out.append(
                f"  {c.entry_id}: {c.score:.3f} (tfidf {c.tfidf:.3f}, centroid {c.centroid:.3f},"
                f" ratio {c.ratio:.3f}, keywords {c.keywords:.3f},"
                f" unexplained {c.unexplained:.2f}{hits})"
            )
        out += [
            f"required score: {self.required_score:.2f} ({self.requirement}); lead {self.lead:.3f}"
            f" (needs {CLEAR_LEAD})",
            f"aspect gate: asks {', '.join(self.aspects) or '-'}; the entry answers no question of"
            f" {', '.join(self.unanswered_aspects) or '-'}",
            f"subject gate: unexplained {' '.join(self.unexplained) or '-'}"
            f" = {self.unexplained_share:.2f} of the subject (names aside; 0 under two subject"
            f" words) (limit {UNEXPLAINED_SHARE})",
            *(
                [
                    f"off-subject gate: said only in the story, not asked: {', '.join(self.story_subjects)}"
                ]
                if self.story_subjects
                else []
            ),
            f"decision: {self.decision}",
        ]
        return out


def _plain_words_posteriors(evidence: tuple[NaiveBayes, list[str]] | None) -> dict[str, float]:
    """The ranker's posteriors for a question with no domain word: its own words only (synonyms
    would let it recognise anything), weighed as at most PLAIN_WORDS."""
    if evidence is None:
        return {}
    ranker, present = evidence
    own = [feature for feature in present if not feature.startswith(SYNONYM_MARK)]
    return ranker.posteriors(own, at_most=PLAIN_WORDS)


@dataclass(frozen=True)
class Answer:
    question: str
    lang: Lang
    tier: Tier
    score: float
    entry: FaqEntry | None = None
    suggestions: tuple[FaqEntry, ...] = ()
    explanation: Explanation | None = field(default=None, compare=False)

    @property
    def matched(self) -> bool:
        return self.tier == "answer"

    @property
    def text(self) -> str | None:
        return self.entry.answer.get(self.lang) if self.entry is not None else None

    def as_dict(self) -> dict[str, Any]:
        """The `ask --json` contract (plus "explain" when the explanation was asked for)."""
        data = {
            "question": self.question,
            "matched": self.matched,
            "entry_id": self.entry.id if self.entry is not None else None,
            "score": round(self.score, 4),
            "lang": self.lang,
            "answer": self.text,
            "suggestions": [entry.id for entry in self.suggestions],
        }
        if self.explanation is not None:
            data["explain"] = self.explanation.as_dict()
        return data


@dataclass(frozen=True)
class _Question:
    """A question as the matcher sees it."""

    analysis: Analysis
    terms: frozenset[str]
    """Every word list's terms that it contains (see `Lexicon`)."""
    normalized: str
    query: dict[int, float]
    """Its TF-IDF vector."""
    subject: dict[str, tuple[float, str]]
    """Subject word (its lemma, or stem for English) → weight, and its reading when it was
    typed in hiragana (then its segmentation, and so its lemma, is a guess)."""
    aspects: dict[str, str]
    """Aspect (knowledge/vocabulary.yaml `aspects`) → the cue that asks it; in a long post, of
    the sentences that ask (動画編集 in "動画編集をしています。" is the writer's job, not an
    edit asked about)."""
    asked_terms: frozenset[str]
    """The terms of the sentences that ask (those that end as questions, and the last one):
    another subject named only in the story ("前はUpworkで…") is not what is asked."""
    typed_in_kana: bool
    """Typed in kana only, even if a spelling such as ちゃとわ became チャットワーク since: the
    rest of its words are guesses."""
    spelled: bool = False
    """Typed in kana only, and its words spelled as the knowledge writes them (`KanaSpeller`):
    the learned stages may read them, but only in a question on our subject."""
    guessed: bool = False
    """Typed in kana only without a known spelling (ちゃとわ): answered only on a close match,
    spelled or not."""
    asked_analysis: Analysis | None = None
    """The sentences that ask, read apart from a long story (LONG_POST sentences or more) when
    they name an anchor word besides the names: what the vetoes weigh."""
    set_aside: tuple[tuple[int, int], ...] = ()
    """Spans of the other sites and tools named but not asked about, when the question names
    Chatwork or CrowdWorks and what is asked names an anchor word: in the story (「ランサーズと
    画面が違って迷子です。…クラウドワークスの申請ボタンってどこ？」) or as the foil (「Zoomと
    比べて、チャットワークのビデオ通話は…」, see `Matcher._foil_end`). The vetoes do not weigh
    them: the near-misses they learned from often name other sites and tools. Not when the
    question names none of ours (「普段はランサーズを使っています。直接契約を…」: Lancers is the
    frame)."""

    @cached_property
    def lemmas(self) -> frozenset[str]:
        """The learned rankers' features (`_ranker_features`), made once: both rankers read them."""
        return _ranker_features(self.analysis)

    @cached_property
    def veto_lemmas(self) -> frozenset[str]:
        """The vetoes' features (`_veto_features`), made once: both vetoes read them; in a long
        post, those of the sentences that ask; else without the subjects set aside."""
        if self.asked_analysis is not None:
            return _veto_features(self.asked_analysis)
        return _veto_features(self.analysis, self.set_aside)

    @cached_property
    def _worked_out(self) -> dict[tuple[str, int], Any]:
        return {}

    def once(self, key: tuple[str, int], work_out: Callable[[], _T]) -> _T:
        """What `work_out()` gives, computed the first time `key` (what, entry index) is asked:
        the gates and the regression ask again for what the scores computed (the ranking, each
        entry's edit distance and unexplained words), and a question kept analysed
        (`questions_kept`) is asked of one matcher only. Threads may compute a value at once:
        it is the same whoever computes it."""
        try:
            found: _T = self._worked_out[key]
        except KeyError:
            found = self._worked_out[key] = work_out()
        return found


class _Ranking(NamedTuple):
    """A question's scores for every entry before the edit distance (`Matcher._ranking`)."""

    best_cosine: np.ndarray
    centroid_cosine: np.ndarray
    keyword_scores: np.ndarray
    keyword_hits: dict[int, list[str]]
    preliminary: np.ndarray
    order: list[int]
    """The entries with a positive preliminary score, best first."""


class _Terms:
    """A word list matched on whole words by reading ("いくら" never inside "新しいクライアント")."""

    def __init__(self, readings: Iterable[str]):
        self.readings = frozenset(readings) - {""}

    def hits(self, found: frozenset[str]) -> frozenset[str]:
        """The list's terms among those found in a text (`Lexicon.found`)."""
        return self.readings & found

    def any(self, found: frozenset[str]) -> bool:
        return not self.readings.isdisjoint(found)

    def inside(self, analysis: Analysis) -> frozenset[str]:
        """Terms anywhere in the reading, whole words or not: for text typed in kana only,
        whose word boundaries are guesses (たすくきのう is read as one odd word)."""
        return frozenset(term for term in self.readings if term in analysis.reading)


class Matcher:
    """Built once per knowledge version; `answer()` is read-only and safe to share."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        vocabulary: VocabularyFile | None = None,
        analyzer: Analyzer | None = None,
        questions_kept: int = QUESTIONS_KEPT,
        labelled: Sequence[LabelledQuestion] = (),
        cache_dir: Path | None = None,
    ):
        """`labelled` questions train the learned ranker; without them there is none (the
        phrasings alone teach it too little to overrule the scores). With `cache_dir`, the
        analyses of the knowledge's texts are kept there between runs (`StoredAnalyses`)."""
        self.entries = tuple(entries)
        self._index_of = {entry.id: index for index, entry in enumerate(self.entries)}
        vocabulary = vocabulary or VocabularyFile(anchors=[k for e in entries for k in e.keywords])
        self._analyzer = analyzer or default_analyzer()
        self._build_cache: dict[str, Analysis] | None = {}
        """Analyses while indexing (phrasings are read again for keywords and subjects);
        dropped afterwards, so questions do not fill it."""
        self._stored: StoredAnalyses | None = StoredAnalyses(self._analyzer, cache_dir)
        self._aliases = tuple(
            (re.compile(alias.pattern), alias.canonical) for alias in vocabulary.aliases
        )
        self._names = frozenset(self._reading(name) for name in vocabulary.names) - {""}
        self._name_pattern = _alternation(self._names)
        self._filler = _alternation(self._reading(f) for f in vocabulary.filler)
        self._addressing = _addressing(vocabulary.addressing)
        self._stopwords_en = frozenset(w.casefold() for w in vocabulary.stopwords_en)
        self._generic = frozenset(
            form for w in vocabulary.generic for form in (to_hiragana(prepare(w)), self._reading(w))
        )
        self._anchors = self._terms(vocabulary.anchors)
        self._other_subjects = self._terms(vocabulary.other_subjects)
        self._unsupported = self._terms([*vocabulary.unsupported, *vocabulary.marketplaces])
        self._marketplaces = self._terms(vocabulary.marketplaces)
        self._own_subjects = _Terms(self._names)
        self._aspect_cues: dict[str, list[tuple[tuple[Word, ...], str, str]]] = defaultdict(list)
        for aspect, cues in vocabulary.aspects.items():
            for cue in cues:
                cue_words = self._analyze(cue).words
                for first in {cue_words[0].lemma, cue_words[0].reading} if cue_words else ():
                    self._aspect_cues[first].append((cue_words, aspect, cue))
                if len(cue_words) > 1:
                    # read alone 何分 is 何・分, in a question one word (何分まで): both count
                    whole = prepare(cue)
                    self._aspect_cues[whole].append(
                        ((Word(whole, whole, "", "", "", 0, ()),), aspect, cue)
                    )
        self._not_topics = self._names | {
            word.lemma for cues in self._aspect_cues.values() for cue, _, _ in cues for word in cue
        }
        keyword_lists = [
            sorted({self._reading(k) for k in entry.keywords} - {""}, key=len, reverse=True)
            for entry in self.entries
        ]
        self._keyword_terms = _Terms(k for keywords in keyword_lists for k in keywords)
        self._domain_terms = _Terms(
            [*self._keyword_terms.readings, *(self._reading(c) for _, c in self._aliases)]
        )
        self._lexicon = Lexicon(
            term
            for terms in (
                self._anchors,
                self._other_subjects,
                self._unsupported,
                self._own_subjects,
                self._domain_terms,
            )
            for term in terms.readings
        )
        written = {
            word
            for entry in self.entries
            for text in _entry_texts(entry)
            for word in _LATIN_WORD.findall(prepare(text))
        }
        self._latin_terms = frozenset(filter(is_latin, self._lexicon.terms)) | {
            word for word in written if any(alias.fullmatch(word) for alias, _ in self._aliases)
        }
        """The knowledge's Latin terms and the Latin spellings of its aliases (chatwork, escrow):
        kept as written in romaji, and what a swapped letter is mended into."""
        self._swapped = SwappedLetters(self._latin_terms)
        vectors, phrasing_analyses = self._index_phrasings()
        self._postings = _joined(
            _postings(vectors), _postings(self._centroids(vectors)), len(vectors)
        )
        labelled_analyses = [(q.entry, self._analyze(q.text)) for q in labelled]
        self._index_subjects(labelled_analyses)
        self._index_keywords(keyword_lists, phrasing_analyses)
        self._speller = KanaSpeller(
            [*phrasing_analyses, *(analysis for _, analysis in labelled_analyses)]
        )
        self._entry_aspects = self._index_aspects(labelled_analyses)
        self._ranker_examples = [
            *(
                (*self._features(self._analyze(text)), entry.id)
                for entry in (self.entries if labelled else ())
                for text in _entry_texts(entry)
            ),
            *((*self._features(analysis), entry_id) for entry_id, analysis in labelled_analyses),
        ]
        """What the ranker learns from, each text analysed once (for aspects too): the ranker
        now decides every answer, so its training is on the way to the first one."""
        self._ranker_lock = threading.Lock()
        self._trained_ranker: NaiveBayes | None = None
        self._regression: SoftmaxRegression | None = None
        self._veto_ranker: NaiveBayes | None = None
        self._veto_regression: SoftmaxRegression | None = None
        self._regression_key = _regression_key(self.entries, vocabulary, labelled)
        self._cache_dir = cache_dir
        self._stored.save()
        self._build_cache = self._stored = None
        self._questions_kept = questions_kept
        self._parsed = lru_cache(maxsize=questions_kept)(self._parse)

    def __getstate__(self) -> dict[str, Any]:
        """For the engine snapshot (see snapshot.py): without the analyser (a Sudachi
        dictionary), the lock and the questions kept analysed, which cannot be pickled."""
        state = self.__dict__.copy()
        for unpicklable in ("_analyzer", "_ranker_lock", "_parsed"):
            del state[unpicklable]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """The dropped parts made anew: the analyser a matcher uses when given none (the
        service's), a lock, and an empty cache of questions."""
        self.__dict__.update(state)
        self._analyzer = default_analyzer()
        self._ranker_lock = threading.Lock()
        self._parsed = lru_cache(maxsize=self._questions_kept)(self._parse)

    @classmethod
    def from_knowledge(
        cls, knowledge: Knowledge, analyzer: Analyzer | None = None, cache_dir: Path | None = None
    ) -> Matcher:
        return cls(
            knowledge.faq,
            knowledge.vocabulary,
            analyzer,
            labelled=knowledge.questions,
            cache_dir=cache_dir,
        )

    @staticmethod
    def _features(analysis: Analysis) -> tuple[frozenset[str], frozenset[str]]:
        return _ranker_features(analysis), _veto_features(analysis)

    def train(self) -> None:
        """Train the learned ranker now (the service does it in the background at start);
        otherwise the first question does, waiting some 0.1 s."""
        self._ranker()

    def _ranker(self) -> NaiveBayes | None:
        with self._ranker_lock:
            if self._trained_ranker is None and self._ranker_examples:
                examples = [(found, label) for found, _, label in self._ranker_examples]
                content = [(found, label) for _, found, label in self._ranker_examples]
                self._trained_ranker = NaiveBayes(examples, RANKER_SMOOTHING)
                self._veto_ranker = NaiveBayes(content, RANKER_SMOOTHING)
                self._regression = stored_regression(
                    examples, self._regression_key, self._cache_dir
                )
                self._veto_regression = stored_regression(
                    content, self._regression_key, self._cache_dir, VETO_REGRESSION_PREFIX
                )
                self._ranker_examples = []
            return self._trained_ranker

    def _regression_posteriors(self, question: _Question) -> dict[str, float]:
        """The regression's probability of each entry and of `none`; empty without labels."""
        self._ranker()
        regression = self._regression
        if regression is None:
            return {}
        return regression.posteriors(regression.known(question.lemmas))

    def _regression_veto(self, question: _Question, every_word: dict[str, float]) -> float:
        """The content words' regression's probability that no entry answers the question; for
        a question typed in kana only, the surer of it and `every_word`, the regression's
        posteriors over every word."""
        self._ranker()
        regression = self._veto_regression
        if regression is None:
            return 0.0
        present = regression.known(question.veto_lemmas)
        off_topic = regression.posteriors(present).get(OFF_TOPIC, 0.0)
        if question.typed_in_kana:
            return max(off_topic, every_word.get(OFF_TOPIC, 0.0))
        return off_topic

    def _evidence(self, question: _Question) -> tuple[NaiveBayes, list[str]] | None:
        """The ranker and the question's features it knows; None without a ranker."""
        ranker = self._ranker()
        if ranker is None:
            return None
        return ranker, ranker.known(question.lemmas)

    def _posteriors(self, evidence: tuple[NaiveBayes, list[str]] | None) -> dict[str, float]:
        """The learned ranker's probability of each entry and of `none`; empty without one."""
        if evidence is None:
            return {}
        ranker, present = evidence
        return ranker.posteriors(present)

    def _veto_probability(
        self, question: _Question, evidence: tuple[NaiveBayes, list[str]] | None
    ) -> float | None:
        """The content words' ranker's probability that no entry answers the question (in kana
        only, the surer of it and the ranker over every word, `evidence`), its words weighed as
        at most VETO_WORDS, when it reaches VETO_PROBABILITY."""
        self._ranker()
        ranker = self._veto_ranker
        if ranker is None:
            return None
        present = ranker.known(question.veto_lemmas)
        off_topic = ranker.posteriors(present, at_most=VETO_WORDS).get(OFF_TOPIC, 0.0)
        if question.typed_in_kana and evidence is not None:
            every_word, every_present = evidence
            off_topic = max(
                off_topic,
                every_word.posteriors(every_present, at_most=VETO_WORDS).get(OFF_TOPIC, 0.0),
            )
        return off_topic if off_topic >= VETO_PROBABILITY else None

    def _ranker_choice(
        self, question: _Question, posteriors: dict[str, float], bar: float
    ) -> str | None:
        """The entry the learned ranker is at least `bar` sure of; never for a question typed
        in kana only that the speller could not spell (its words are guesses)."""
        if (question.typed_in_kana and not question.spelled) or not posteriors:
            return None
        top = max(posteriors, key=posteriors.__getitem__)
        return None if top == OFF_TOPIC or posteriors[top] < bar else top

    def _rescued(
        self,
        question: _Question,
        posteriors: dict[str, float],
        suggestions: Sequence[FaqEntry],
        bar: float,
    ) -> tuple[int, float] | None:
        """The suggestion the learned ranker is sure of (its index and probability), if any,
        that answers what the question asks of its topic (see `unanswered_aspects`)."""
        top = self._ranker_choice(question, posteriors, bar)
        if (
            top is None
            or top not in {entry.id for entry in suggestions}
            or self.unanswered_aspects(question, self._index_of[top])
        ):
            return None
        return self._index_of[top], posteriors[top]

    def _regression_stage(
        self, question: _Question, on_topic: bool, before: _Decision, off_subject: bool
    ) -> _Decision:
        """The regression's last word (see REGRESSION_RESCUE): it withdraws an answer, answers a
        question left without one (`off_subject`: one the off-subject gate turned away, see
        OFF_SUBJECT_RESCUE), or replaces an answer."""
        answered = before.tier == "answer"
        regression = self._regression_posteriors(question)
        if (
            answered
            and before.best.ratio < OWN_PHRASING
            and (off_topic := self._regression_veto(question, regression)) >= REGRESSION_VETO
        ):
            return before._replace(
                tier="suggest" if before.suggestions else "none",
                decision=f"regression veto: over its content words{_EVERY_WORD * question.typed_in_kana}"
                f" it is {off_topic:.2f}"
                f" >= {REGRESSION_VETO} sure no entry answers it (before it: {before.decision})",
            )
        if answered:
            bar = REGRESSION_PREFER
        elif off_subject:
            bar = OFF_SUBJECT_RESCUE
        else:
            bar = REGRESSION_RESCUE
        chosen = self._scored_with(
            question, before.scored, self._ranker_choice(question, regression, bar)
        )
        if (
            chosen is None
            or (chosen[1] == before.best_index if answered else not on_topic)
            or (question.typed_in_kana and self._unexplained(question, chosen[1])[1] >= 1.0)
        ):
            return before
        scored, index = chosen
        best, suggestions = _put_first(index, scored, before.suggestions, self.entries)
        sure = f"the regression is {regression[best.entry_id]:.2f} >= {bar} sure of it"
        because = (
            f"{sure}, not of {before.best.entry_id}: {before.decision}"
            if answered
            else f"{sure}; before it: {before.decision}"
        )
        return _Decision(
            "answer", f"answer: {best.entry_id} ({because})", index, best, scored, suggestions
        )

    def _last_question_stage(
        self, question: str, parsed: _Question, ungated: bool, before: _Decision
    ) -> _Decision:
        """A story and then its question (「…と言われました。今すぐIDを教えても大丈夫？」): when the
        whole gets only suggestions, the last sentence that asks is answered alone, and its answer
        is taken when it is among the whole's suggestions (the story agrees with it). Not when
        the whole names no anchor word, or another subject (「時間単価制と…？仮払いのタイミングも
        変わる？」), or words its entry never speaks of, or asks what the entry does not answer:
        the story is the context then. Nor when the whole was answered and a veto withdrew it
        (「…契約を途中でやめることに…仮払いのお金はどうなりますか？」): the question was weighed
        then (in a long post, its sentences that ask: see LONG_POST)."""
        if (
            before.tier != "suggest"
            or not ungated
            or not self._anchors.any(parsed.terms)
            or self._story_subjects(parsed.terms)
        ):
            return before
        sentences = [s for s in _SENTENCE_END.split(prepare(question)) if s.strip()]
        asking = [s for s in sentences[1:] if _ASKS.search(s)]
        if not asking:
            return before
        last = self.answer(asking[-1])
        if last.tier != "answer":
            return before
        if last.entry is not self.entries[before.best_index]:
            if last.entry not in before.suggestions:
                return before
            index = self._index_of[last.entry.id]
            best, suggestions = _put_first(index, before.scored, before.suggestions, self.entries)
            before = before._replace(best_index=index, best=best, suggestions=suggestions)
        return before._replace(
            tier="answer",
            decision=f"answer: {before.best.entry_id} (its last question"
            f" 「{asking[-1].strip()}」 alone is answered with it; before it: {before.decision})",
        )

    def _scored_with(
        self, question: _Question, scored: list[tuple[int, Candidate]], entry_id: str | None
    ) -> tuple[list[tuple[int, Candidate]], int] | None:
        """The scored entries including `entry_id`'s, and its index; None when the scores see
        nothing of it (or no entry is given)."""
        if entry_id is None:
            return None
        index = self._index_of[entry_id]
        if any(i == index for i, _ in scored):
            return scored, index
        order = self._ranking(question).order
        if index not in order:
            return None
        return [*scored, (index, self._candidate(question, index, order.index(index)))], index

    def _preferred(
        self,
        question: _Question,
        posteriors: dict[str, float],
        scored: Sequence[tuple[int, Candidate]],
        best_index: int,
    ) -> tuple[int, float] | None:
        """Another of the leading entries that the learned ranker is sure of, and that passes
        the gates the scores' choice passed (its index and probability), if any."""
        top = self._ranker_choice(question, posteriors, PREFER_PROBABILITY)
        index = self._index_of.get(top or "", best_index)
        if (
            index == best_index
            or index not in {i for i, _ in scored}
            or self.off_subject(question, index)
            or self.unanswered_aspects(question, index)
            or self._unexplained(question, index)[1] > UNEXPLAINED_SHARE
        ):
            return None
        return index, posteriors[self.entries[index].id]

    # -- text ---------------------------------------------------------------------------------

    def _apply_aliases(self, prepared: str) -> str:
        """Spellings and paraphrases → one form (ちゃとわ → チャットワーク). Patterns see kana
        folded to hiragana; the text keeps its script so the analyser can read it."""
        folded = to_hiragana(prepared)
        for pattern, canonical in self._aliases:
            pieces, last = [], 0
            for found in pattern.finditer(folded):
                pieces += [prepared[last : found.start()], f" {canonical} "]
                last = found.end()
            if pieces:
                prepared = "".join([*pieces, prepared[last:]])
                folded = to_hiragana(prepared)
        return " ".join(prepared.split())

    def _analyze(self, text: str) -> Analysis:
        cache = self._build_cache
        if cache is not None and text in cache:
            return cache[text]
        prepared = self._apply_aliases(prepare(text[:MAX_QUESTION_CHARS]))
        analysis = (self._stored or self._analyzer).analyze(prepared)
        if cache is not None:
            cache[text] = analysis
        return analysis

    def _reading(self, text: str) -> str:
        return self._analyze(text).reading.strip()

    def _terms(self, terms: Iterable[str]) -> _Terms:
        return _Terms(self._reading(t) for t in terms)

    def _compared(self, analysis: Analysis) -> str:
        """The reading with filler and punctuation removed, and the names standing apart."""
        text = analysis.reading
        text = self._filler.sub(" ", text)
        text = self._name_pattern.sub(lambda m: f" {m.group()} ", text)
        text = _PUNCTUATION.sub(" ", text)
        return " ".join(text.split())

    def normalize(self, text: str) -> str:
        """The form every question and phrasing is compared in (the reading)."""
        return self._compared(self._analyze(text))

    def features(self, normalized: str) -> list[str]:
        """Character 2- and 3-grams of the reading, and whole Latin words (minus stopwords)."""
        grams: list[str] = []
        for chunk in normalized.split():
            if chunk in self._names:
                grams.append(f"t:{chunk}")
                continue
            if _LATIN_WORD.fullmatch(chunk):
                if chunk not in self._stopwords_en:
                    grams.append(f"w:{_stem(chunk)}")
                continue
            padded = f" {chunk} "
            for size in (2, 3):
                grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
        return grams

    def _subject_words(self, analysis: Analysis) -> dict[str, str]:
        """Topic nouns (and English words) minus the generic ones: what a question could be
        about; the names count as one word each. Lemma (stem for English) → its reading when
        it was typed in hiragana (its segmentation, and so its lemma, is a guess then)."""
        names = [(s, e, analysis.reading[s:e]) for n in self._names for s, e in analysis.find(n)]
        generic = self._generic
        words: dict[str, str] = {}
        for word in analysis.words:
            name = next((n for s, e, n in names if s <= word.start < e), None)
            if name is not None:
                words[name] = ""
            elif is_latin(word.surface):
                if (
                    word.surface.isalpha()
                    and word.surface not in self._stopwords_en
                    and word.surface not in generic
                ):
                    words[_stem(word.surface)] = ""
            elif (
                word.topical
                and word.lemma not in generic
                and word.reading not in generic
                and to_hiragana(word.surface) not in generic
            ):
                words[word.lemma] = word.reading if _HIRAGANA.fullmatch(word.surface) else ""
        return words

    def _question(self, text: str) -> _Question:
        prepared = self._addressing.sub("", prepare(text[:MAX_QUESTION_CHARS]), count=1)
        mended = self._swapped.mend(prepared)
        read = read_romaji(mended, self._latin_terms, self._speller.long_vowels)
        first = _before_an_aside(read)
        if first is not None and self.has_domain_term(parsed := self._parsed(first)):
            return parsed
        return self._parsed(read)

    def _read(self, prepared: str, typed_in_kana: bool) -> tuple[Analysis, bool]:
        """The analysis of a question's text, spelled as the knowledge spells its words first
        when it was typed in kana only, or, in a question with kanji, each word typed in kana
        between spaces (仮払い まえに さぎょう); and whether it is still all guesswork (kana only,
        no known spelling such as ちゃとわ in it)."""
        aliased = self._apply_aliases(prepared)
        if not typed_in_kana:
            spelled = " ".join(
                self._speller.spell(token) if KANA_ONLY.fullmatch(token) else token
                for token in aliased.split(" ")
            )
            return self._analyzer.analyze(spelled), False
        return self._analyzer.analyze(self._speller.spell(aliased)), bool(
            KANA_ONLY.fullmatch(aliased)
        )

    def _parse(self, prepared: str) -> _Question:
        sentences = [s for s in _SENTENCE_END.split(prepared) if s.strip()]
        typed_in_kana = bool(KANA_ONLY.fullmatch(prepared))
        asks = [_ASKS.search(s) is not None for s in sentences]
        if asks and not any(asks):
            asks[-1] = True  # no sentence asks: the last one is the question
        if all(asks):
            analysis, guessed = self._read(prepared, typed_in_kana)
            asked_analysis = analysis
        else:
            read = [self._read(sentence, typed_in_kana) for sentence in sentences]
            analysis = joined([sentence for sentence, _ in read])
            asked_analysis = joined(
                [sentence for (sentence, _), ask in zip(read, asks, strict=True) if ask]
            )
            guessed = all(sentence_guessed for _, sentence_guessed in read)
        subject = {
            lemma: (self._word_weight.get(lemma, FOREIGN_WORD_WEIGHT), kana)
            for lemma, kana in self._subject_words(analysis).items()
        }
        normalized = self._compared(analysis)
        terms = self._lexicon.found(analysis)
        if typed_in_kana:
            terms |= self._lexicon.found_inside(analysis, KANA_TERM_LENGTH)
        asked_terms, aspects = terms, self._aspects_asked(analysis)
        if asked_analysis is not analysis and terms:
            asked_terms = self._lexicon.found(asked_analysis)
            aspects = self._aspects_asked(asked_analysis)
        foil: frozenset[str] = frozenset()
        others = self._set_aside(asked_terms)
        if others and sum(asks) == 1 and (foil_end := self._foil_end(asked_analysis)):
            foil = frozenset(
                term
                for term in others
                if (starts := [start for start, _ in asked_analysis.find(term)])
                and max(starts) < foil_end
            )
            asked_terms = asked_terms - self._marketplaces.hits(foil)
        set_aside = (
            self._set_aside(terms) - self._set_aside(asked_terms) | foil
            if self._own_subjects.any(terms) and self._anchors.any(asked_terms - self._names)
            else frozenset()
        )
        return _Question(
            analysis,
            terms,
            normalized,
            self._query_vector(normalized),
            subject,
            aspects,
            asked_terms,
            typed_in_kana=typed_in_kana,
            spelled=typed_in_kana and not KANA_ONLY.fullmatch(analysis.text),
            guessed=guessed,
            asked_analysis=(
                asked_analysis
                if len(sentences) >= LONG_POST and self._anchors.any(asked_terms - self._names)
                else None
            ),
            set_aside=tuple(span for term in set_aside for span in analysis.find(term)),
        )

    def _foil_end(self, analysis: Analysis) -> int:
        """Where the foil of the one sentence that asks ends (0: none): 「ランサーズには催促機能みたい
        なのがあるけど、クラウドワークスは？」 and 「ランサーズのように、クラウドワークスでも…」 set
        another marketplace against ours, and ask only what comes after けど, のに, みたいに, ように,
        と違って or と同じで (in English, the word after like or unlike), when that names Chatwork
        or CrowdWorks. Only another site or tool said before it is the foil's (see `_parse`: a
        marketplace is then not what is asked, and the vetoes set both aside), not a feature no
        entry covers (Upworkのマイルストーン)."""
        words = analysis.words
        end = 0
        for index, word in enumerate(words):
            following = words[index + 1] if index + 1 < len(words) else None
            before = words[index - 1].surface if index else ""
            if (word.kind.startswith("接続助詞") and word.lemma in _CONTRASTIVE) or (
                word.lemma in _SET_AGAINST and before in ("と", "に", "は")
            ):
                after = word.end
            elif word.surface in _LIKE_EN and following and is_latin(following.surface):
                after = following.end
                if following.surface in _BEFORE_A_PLACE and index + 2 < len(words):
                    after = words[index + 2].end
            elif (
                following
                and (
                    (
                        word.lemma in _LIKE
                        and word.kind.startswith("助動詞語幹")
                        and following.surface in ("に", "な")
                    )
                    # のに read as の and に: a clause's end only before a comma
                    or (
                        word.surface == "の"
                        and following.surface == "に"
                        and analysis.reading[following.end : following.end + 1] == " "
                    )
                )
            ):
                after = following.end
            else:
                continue
            if any(start >= after for name in self._names for start, _ in analysis.find(name)):
                end = after
        return end

    # -- index --------------------------------------------------------------------------------

    def _index_phrasings(self) -> tuple[list[dict[int, float]], list[Analysis]]:
        """TF-IDF vectors of every phrasing (and title), in entry order, and their analyses
        (read once more for keywords, then dropped: a snapshot need not carry them)."""
        self._vocabulary: dict[str, int] = {}
        phrasing_analyses: list[Analysis] = []
        self._entry_of_phrasing: list[int] = []
        self._phrasings_by_entry: list[list[str]] = [[] for _ in self.entries]
        feature_ids: list[list[int]] = []
        for entry_index, entry in enumerate(self.entries):
            for text in _entry_texts(entry):
                analysis = self._analyze(text)
                normalized = self._compared(analysis)
                if not normalized:
                    continue
                phrasing_analyses.append(analysis)
                self._entry_of_phrasing.append(entry_index)
                self._phrasings_by_entry[entry_index].append(normalized)
                feature_ids.append([self._feature_id(g) for g in self.features(normalized)])
        document_frequency = Counter(f for ids in feature_ids for f in set(ids))
        total = len(feature_ids)
        self._idf = {
            f: math.log((total + 1) / (df + 1)) + 1.0 for f, df in document_frequency.items()
        }
        vectors = [self._weigh(ids) for ids in feature_ids]
        self._entry_starts = np.searchsorted(
            np.array(self._entry_of_phrasing), np.arange(len(self.entries))
        )
        return vectors, phrasing_analyses

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

    def _index_keywords(
        self, keyword_lists: list[list[str]], phrasing_analyses: list[Analysis]
    ) -> None:
        """Each keyword's weight for each entry: the share of the phrasings containing it (as
        whole words) that belong to the entry ("何日" says approval time; "申請" says little),
        times how few entries speak of it at all: a word many answers use (だめ, 今後は)
        cannot by itself outweigh the rest of a question."""
        owners: dict[str, Counter[int]] = defaultdict(Counter)
        for analysis, entry_index in zip(phrasing_analyses, self._entry_of_phrasing, strict=True):
            for keyword in self._keyword_terms.hits(self._lexicon.found(analysis)):
                owners[keyword][entry_index] += 1
        total = len(self.entries)
        speakers: Counter[str] = Counter()
        for entry in self.entries:
            spoken: set[str] = set()
            for text in (*_entry_texts(entry), entry.answer.ja, entry.answer.en):
                spoken.update(self._keyword_terms.hits(self._lexicon.found(self._analyze(text))))
            speakers.update(spoken)
        rarest = math.log((total + 1) / 2)  # one speaker; 0 when there is a single entry
        specificity = {
            keyword: max(0.0, min(1.0, math.log((total + 1) / (1 + speakers[keyword])) / rarest))
            if rarest
            else 1.0
            for keyword in self._keyword_terms.readings
        }
        self._keywords = [
            tuple(
                (
                    keyword,
                    math.sqrt(specificity[keyword])
                    * (owners[keyword][i] + 1)
                    / (sum(owners[keyword].values()) + 1),
                )
                for keyword in keywords
            )
            for i, keywords in enumerate(keyword_lists)
        ]
        self._entries_with_keyword: dict[str, list[int]] = defaultdict(list)
        for entry_index, keywords in enumerate(keyword_lists):
            for keyword in keywords:
                self._entries_with_keyword[keyword].append(entry_index)

    def _index_subjects(self, labelled_analyses: Sequence[tuple[str, Analysis]]) -> None:
        """The words each entry speaks of (phrasings, title, keywords and answer, and the words
        its labelled questions ask with, see ASKED_WORDS_MIN), and how common each word of its
        own texts is across entries: a word every entry uses explains little."""
        self._entry_words: list[frozenset[str]] = []
        self._entry_readings: list[str] = []
        self._entry_asked = [
            " ".join([*phrasings, *(self._reading(k) for k in entry.keywords)])
            for phrasings, entry in zip(self._phrasings_by_entry, self.entries, strict=True)
        ]
        for entry in self.entries:
            texts = [
                *_entry_texts(entry),
                *entry.keywords,
                entry.answer.ja,
                entry.answer.en,
            ]
            words: set[str] = set()
            readings = []
            for text in texts:
                analysis = self._analyze(text)
                words.update(self._subject_words(analysis))
                readings.append(analysis.reading)
            self._entry_words.append(frozenset(words | self._names))
            self._entry_readings.append(" ".join(readings))
        entry_count = Counter(w for words in self._entry_words for w in words)
        total = len(self.entries) or 1
        self._word_weight = {
            word: 0.5 + 0.5 * math.log((total + 1) / (count + 1)) / math.log(total + 1)
            for word, count in entry_count.items()
        }
        asked: dict[str, Counter[str]] = defaultdict(Counter)
        for entry_id, analysis in labelled_analyses:
            asked[entry_id].update(
                w for w, kana in self._subject_words(analysis).items() if not kana
            )
        self._entry_words = [
            words | {w for w, uses in asked[entry.id].items() if uses >= ASKED_WORDS_MIN}
            for words, entry in zip(self._entry_words, self.entries, strict=True)
        ]

    def _aspects_asked(self, analysis: Analysis) -> dict[str, str]:
        """The aspects whose cues occur in the text, as whole words by dictionary form
        (取り消せますか → 取り消す) or reading (Sudachi reads かかる in どれくらいかかるもの as
        斯かる, not 掛かる)."""
        words = analysis.words
        asked: dict[str, str] = {}
        for i, word in enumerate(words):
            for cue, aspect, spelling in (
                *self._aspect_cues.get(word.lemma, ()),
                *self._aspect_cues.get(word.reading, ()),
            ):
                if len(words) - i >= len(cue) and all(
                    said.lemma == wanted.lemma or said.reading == wanted.reading
                    for said, wanted in zip(words[i : i + len(cue)], cue, strict=True)
                ):
                    asked.setdefault(aspect, spelling)
        return asked

    def _index_aspects(
        self, labelled: Sequence[tuple[str, Analysis]]
    ) -> list[dict[str, frozenset[str]]]:
        """The aspects each entry answers, each with the subject words of the questions that
        ask it: its phrasings, keywords and labelled questions (knowledge/questions.yaml)."""
        labelled_by_entry: dict[str, list[Analysis]] = defaultdict(list)
        for entry_id, analysis in labelled:
            labelled_by_entry[entry_id].append(analysis)
        indexed = []
        for entry in self.entries:
            topics: dict[str, set[str]] = defaultdict(set)
            own = [self._analyze(t) for t in (*_entry_texts(entry), *entry.keywords)]
            for analysis in (*own, *labelled_by_entry[entry.id]):
                for aspect in self._aspects_asked(analysis):
                    topics[aspect].update(set(self._subject_words(analysis)) - self._not_topics)
            indexed.append({aspect: frozenset(words) for aspect, words in topics.items()})
        return indexed

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
        ids = [self._vocabulary[g] for g in self.features(normalized) if g in self._vocabulary]
        return self._weigh(ids)

    # -- scoring ------------------------------------------------------------------------------

    def _keyword_score(self, entry_index: int, hits: frozenset[str]) -> tuple[float, list[str]]:
        """Sum of the entry's keyword weights, longest first; a keyword inside a longer one
        that already matched does not count twice."""
        score = 0.0
        counted: list[str] = []
        for keyword, weight in self._keywords[entry_index]:
            if keyword in hits and not any(keyword in longer for longer in counted):
                score += weight
                counted.append(keyword)
        return min(1.0, score), counted

    def has_domain_term(self, question: _Question) -> bool:
        """Any keyword or anchor at all: without one, a question gets no answer or suggestion."""
        return self._anchors.any(question.terms) or self._domain_terms.any(question.terms)

    def off_subject(self, question: _Question, entry_index: int) -> list[str]:
        """Aspects and other tools the question names but the entry never speaks of: a
        question about Chatwork's task feature or Lancers' rules is not answered by an entry
        that merely shares its other words; in a question typed in kana only, an aspect counts
        even inside a guessed word, unless it is a site or tool named only in the story or as
        the foil. Another tool counts only when the question names neither Chatwork nor
        CrowdWorks ("クラウドワークスで契約中のクライアントにLINEで" is ours).
        What the entry speaks of is what it answers (its phrasings and keywords): an answer
        that mentions a password in passing does not answer a question about a forgotten one.
        Only the sentences that ask count: a post that tells how its writer used Upwork before
        and then asks about the free plan is about the free plan."""
        terms = self._unsupported.hits(question.asked_terms)
        if question.typed_in_kana:
            terms |= self._unsupported.inside(question.analysis) - self._set_aside(
                question.terms - question.asked_terms
            )
        if not self._own_subjects.any(question.terms):
            terms |= self._other_subjects.hits(question.asked_terms)
        asked = self._entry_asked[entry_index]
        return sorted({term for term in terms if term not in asked})

    def unanswered_aspects(self, question: _Question, entry_index: int) -> list[str]:
        """What the question asks about its topic (to undo it, its deadline, how many) that the
        entry never answers about the question's subject: "検収の期限は？" shares 検収 with the
        escrow entry, but no phrasing of it asks for a deadline, and the approval entry asks
        deadlines only of 申請. Any cue of the aspect counts (いつまで answers 期限); English and
        kana-only questions are checked on the aspect alone (their words do not meet the
        Japanese phrasings')."""
        answered = self._entry_aspects[entry_index]
        topic = (
            set()
            if question.typed_in_kana
            else {w for w in question.subject if not w.isascii()} - self._not_topics
        )
        return [
            f"{aspect} ({cue})"
            for aspect, cue in question.aspects.items()
            if aspect not in answered or (topic and topic.isdisjoint(answered[aspect]))
        ]

    def required_score(self, question: _Question) -> tuple[float, str]:
        """How close a match must be before it is answered, given how the question is asked."""
        if question.guessed:
            return KANA_ONLY_SCORE, "typed in kana only: its words are a guess"
        if question.typed_in_kana:
            return (
                KANA_SPELLING_SCORE,
                "typed in kana only; only known spellings (ちゃとわ) are sure",
            )
        if self._anchors.any(question.terms):
            return CONFIDENT_SCORE, "anchored"
        if self._unsupported.any(question.terms) or self._other_subjects.any(question.terms):
            return OFF_SUBJECT_SCORE, "names another subject and no anchor word"
        return UNANCHORED_SCORE, "no anchor word"

    def _unnamed(self, question: _Question) -> list[str]:
        """The question's subject words but the names (Chatwork, CrowdWorks), which every entry
        speaks of."""
        return [word for word in question.subject if word not in self._names]

    def _unexplained(self, question: _Question, entry_index: int) -> tuple[tuple[str, ...], float]:
        """`_work_out_unexplained`, once per question and entry (see `_Question.once`)."""
        return question.once(
            ("unexplained", entry_index),
            lambda: self._work_out_unexplained(question, entry_index),
        )

    def _work_out_unexplained(
        self, question: _Question, entry_index: int
    ) -> tuple[tuple[str, ...], float]:
        """The question's subject words the entry never speaks of, and their share by weight;
        the share is 0 for a question with a single subject word (too little to judge by), but
        the word still shows it is not about a known phrasing's subject. The names
        (Chatwork, CrowdWorks) are left out: every entry speaks of them, so counting them as
        explained would dilute what the question is really about (チャットワークの管理者権限)."""
        subject = {w: question.subject[w] for w in self._unnamed(question)}
        known = self._entry_words[entry_index]
        reading = self._entry_readings[entry_index]
        missing = tuple(
            lemma
            for lemma, (weight, kana) in subject.items()
            if lemma not in known and not (kana and kana in reading)
        )
        if len(subject) < 2:
            return missing, 0.0
        return missing, sum(subject[w][0] for w in missing) / sum(w for w, _ in subject.values())

    def _lone_word_elsewhere(
        self, question: _Question, unexplained: tuple[str, ...], scored: list[tuple[int, Candidate]]
    ) -> bool:
        """Whether the question's one subject word (names aside) is one the entry never speaks of
        and another leading entry does: the subject gate counts nothing under two words, yet "do I
        need approval before using chatwork" is about approval, which sign-up never mentions.
        `unexplained` is what the leader, scored[0], leaves unexplained."""
        if not unexplained or len(self._unnamed(question)) != 1:
            return False
        return any(not self._unexplained(question, i)[0] for i, _ in scored[1:SUGGESTION_COUNT])

    def _clear_answer(
        self, question: _Question, entry_index: int, score: float, lead: float, share: float
    ) -> bool:
        """Whether the scores' answer is too clear for the learned veto (see VETO_SPARES_SCORE)."""
        return (
            score >= VETO_SPARES_SCORE
            and lead >= VETO_SPARES_LEAD
            and share <= VETO_SPARES_SHARE
            and self._speaks_of(question, entry_index)
        )

    def _speaks_of(self, question: _Question, entry_index: int) -> bool:
        """Whether the entry speaks of one of the question's subject words at least (names
        aside): what a kana question off our subject needs before the ranker may answer it, so
        that "ねむれない どうしたらいい" (no subject word at all) is never rescued."""
        return len(self._unexplained(question, entry_index)[0]) < len(self._unnamed(question))

    def _plain_words_rescuable(self, question: _Question, entry_index: int) -> bool:
        """Whether the ranker may answer a question in plain words with this entry: the entry
        accounts for its subject as the subject gate asks (see PLAIN_WORDS_RESCUE), and, when the
        question has subject words (or is typed in kana), the entry speaks of one of them. The
        gate counts nothing under two subject words, so without that 「コーヒーを飲みすぎると
        眠れなくなるって本当ですか？」 (one subject word, コーヒー) was answered with the free plan's
        limits; 「打ち間違えたまま送っちゃった。あとから直せますか」 has none and is answered (no
        change on the sealed and regression sets, where only kana questions were held to it)."""
        named = bool(self._unnamed(question))
        if (question.typed_in_kana or named) and not self._speaks_of(question, entry_index):
            return False
        return self._unexplained(question, entry_index)[1] <= UNEXPLAINED_SHARE

    def rank(self, question: str, limit: int = SUGGESTION_COUNT) -> list[tuple[FaqEntry, float]]:
        """Entries by descending score; shared by answers, suggestions and autocomplete."""
        parsed = self._question(question)
        return [(self.entries[c[0]], c[1].score) for c in self._scores(parsed, limit)]

    def _scores(
        self, question: _Question, limit: int = SUGGESTION_COUNT
    ) -> list[tuple[int, Candidate]]:
        """The best `limit` (entry index, Candidate), best first."""
        if not question.normalized:
            return []
        ranking = self._ranking(question)
        finals: list[tuple[int, Candidate]] = []
        for rank, entry_index in enumerate(ranking.order[: max(limit, RERANK_POOL)]):
            if (
                len(finals) >= limit
                and ranking.preliminary[entry_index] + SCORE_WEIGHTS["ratio"]
                < finals[limit - 1][1].score
            ):
                break  # even a perfect ratio and no penalty leave it (and all after it) out
            finals.append((entry_index, self._candidate(question, entry_index, rank)))
            finals.sort(key=lambda final: final[1].score, reverse=True)
        return finals[:limit]

    def _ranking(self, question: _Question) -> _Ranking:
        """The scores every entry gets before the edit distance, once per question."""
        return question.once(("ranking", -1), lambda: self._work_out_ranking(question))

    def _work_out_ranking(self, question: _Question) -> _Ranking:
        cosines = self._accumulate(question.query)
        phrasing_count = len(self._entry_of_phrasing)
        best_cosine = np.maximum.reduceat(cosines[:phrasing_count], self._entry_starts)
        centroid_cosine = cosines[phrasing_count:]
        hits = self._keyword_terms.hits(question.terms)
        keyword_scores = np.zeros(len(self.entries))
        keyword_hits: dict[int, list[str]] = {}
        for entry_index in {i for keyword in hits for i in self._entries_with_keyword[keyword]}:
            keyword_scores[entry_index], keyword_hits[entry_index] = self._keyword_score(
                entry_index, hits
            )
        preliminary = (
            SCORE_WEIGHTS["tfidf"] * best_cosine
            + SCORE_WEIGHTS["centroid"] * centroid_cosine
            + SCORE_WEIGHTS["keywords"] * keyword_scores
        )
        candidates = np.flatnonzero(preliminary > 0)
        order = candidates[np.argsort(-preliminary[candidates], kind="stable")]
        return _Ranking(
            best_cosine, centroid_cosine, keyword_scores, keyword_hits, preliminary, order.tolist()
        )

    def _candidate(self, question: _Question, entry_index: int, rank: int) -> Candidate:
        """An entry's scores, the edit distance to its closest phrasing only when it ranks among
        the leading entries (RERANK_POOL) before it."""
        ranking = self._ranking(question)
        ratio = self._ratio(question, entry_index) if rank < RERANK_POOL else 0.0
        unexplained = self._unexplained(question, entry_index)[1]
        return Candidate(
            entry_id=self.entries[entry_index].id,
            score=float(ranking.preliminary[entry_index])
            + SCORE_WEIGHTS["ratio"] * ratio
            - UNEXPLAINED_PENALTY * unexplained,
            tfidf=float(ranking.best_cosine[entry_index]),
            centroid=float(ranking.centroid_cosine[entry_index]),
            ratio=ratio,
            keywords=float(ranking.keyword_scores[entry_index]),
            unexplained=unexplained,
            keyword_hits=tuple(ranking.keyword_hits.get(entry_index, ())),
        )

    def _ratio(self, question: _Question, entry_index: int) -> float:
        """The edit-distance similarity of the question to the entry's closest phrasing, once
        per question and entry."""
        return question.once(
            ("ratio", entry_index), lambda: self._work_out_ratio(question, entry_index)
        )

    def _work_out_ratio(self, question: _Question, entry_index: int) -> float:
        closest = process.extractOne(
            question.normalized, self._phrasings_by_entry[entry_index], scorer=fuzz.ratio
        )
        return closest[1] / 100 if closest else 0.0

    def _accumulate(self, query: dict[int, float]) -> np.ndarray:
        """Dot products of the query with every phrasing, then every entry (see `_joined`)."""
        postings = self._postings
        size = len(self._entry_of_phrasing) + len(self.entries)
        used = [
            (postings[feature_id], weight)
            for feature_id, weight in query.items()
            if feature_id in postings
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

    def answer(self, question: str, lang: Lang | None = None, explain: bool = False) -> Answer:
        """Never raises: any string gets an Answer (possibly tier "none")."""
        answer_lang = lang or detect_language(question)
        parsed = self._question(question)
        scored = self._scores(parsed)
        if not scored:
            explanation = self._explain(parsed, [], "none: nothing to compare") if explain else None
            return Answer(question, answer_lang, "none", 0.0, explanation=explanation)
        best_index, best = scored[0]
        runner_up = scored[1][1].score if len(scored) > 1 else 0.0
        suggestions = tuple(
            self.entries[i] for i, c in scored[:SUGGESTION_COUNT] if c.score >= SUGGEST_SCORE
        )
        unexplained, share = self._unexplained(parsed, best_index)
        by_one_word = False
        if self.has_domain_term(parsed):
            on_topic = "has a domain word"
        elif best.tfidf >= ON_TOPIC_SIMILARITY and not unexplained:
            by_one_word = len(parsed.subject) < 2
            on_topic = f"close to a known phrasing ({best.tfidf:.2f})" + (
                " by one word: suggestions only" if by_one_word else ""
            )
        else:
            on_topic = ""
        required, requirement = self.required_score(parsed)
        off_subject = self.off_subject(parsed, best_index)
        unanswered = self.unanswered_aspects(parsed, best_index)
        lead = best.score - runner_up
        leads = lead >= CLEAR_LEAD or self._answers_together(
            best_index, scored[1][0] if len(scored) > 1 else None
        )
        lone = self._lone_word_elsewhere(parsed, unexplained, scored)
        gated = share > UNEXPLAINED_SHARE or lone
        if not on_topic:
            tier: Tier = "none"
            decision = "none: not about our subject"
        elif off_subject:
            decision = f"about another subject: {', '.join(off_subject)}"
            tier = "suggest" if suggestions else "none"
        elif unanswered:
            decision = f"aspect gate: the entry answers no question of {', '.join(unanswered)}"
            tier = "suggest" if suggestions else "none"
        elif best.score < required:
            decision = f"below the required score ({best.score:.3f} < {required:.2f})"
            tier = "suggest" if suggestions else "none"
        elif not leads:
            decision = "no clear lead over the runner-up"
            tier = "suggest" if suggestions else "none"
        elif gated:
            decision = f"subject gate: the entry does not speak of {', '.join(unexplained)}"
            tier = "suggest" if suggestions else "none"
        else:
            tier = "answer"
            decision = f"answer: {best.entry_id}"
        scores_tier = tier
        learnable = tier == "answer" or not (off_subject or unanswered)
        evidence = (
            self._evidence(parsed) if (tier != "none" or not on_topic) and learnable else None
        )
        if on_topic:
            posteriors = self._posteriors(evidence)
            bar, pool = SUBJECT_RESCUE if gated else RESCUE_PROBABILITY, suggestions
        else:
            posteriors = _plain_words_posteriors(evidence)
            bar, pool = PLAIN_WORDS_RESCUE, tuple(self.entries[i] for i, _ in scored[:3])
        if (
            tier in ("suggest", "none")
            and not by_one_word
            and (rescue := self._rescued(parsed, posteriors, pool, bar))
            and (on_topic or self._plain_words_rescuable(parsed, rescue[0]))
        ):
            best_index, probability = rescue
            best, suggestions = _put_first(best_index, scored, suggestions, self.entries)
            tier = "answer"
            among = "the suggestions" if on_topic else "the leading entries"
            decision = (
                f"answer: {best.entry_id} (learned ranker {probability:.2f}"
                f" >= {bar} among {among}; the scores alone: {decision})"
            )
        elif (
            tier == "answer"
            and best.ratio < OWN_PHRASING
            and not self._clear_answer(parsed, best_index, best.score, lead, share)
            and (off_topic := self._veto_probability(parsed, evidence)) is not None
        ):
            tier = "suggest" if suggestions else "none"
            decision = (
                f"learned veto: over its content words{_EVERY_WORD * parsed.typed_in_kana}"
                f" the ranker is {off_topic:.4f}"
                f" >= {VETO_PROBABILITY} sure no entry answers it, its words weighed as at most"
                f" {VETO_WORDS}"
                f" (the scores alone: {decision})"
            )
        elif tier == "answer" and (
            preferred := self._preferred(parsed, posteriors, scored, best_index)
        ):
            previous = best.entry_id
            best_index, probability = preferred
            best, suggestions = _put_first(best_index, scored, suggestions, self.entries)
            decision = (
                f"answer: {best.entry_id} (learned ranker {probability:.2f} >= {PREFER_PROBABILITY}"
                f" prefers it to {previous}, the scores' choice)"
            )
        # an answer a veto withdrew (the learned one here, the regression's below) stays withdrawn:
        # the question was weighed (a long post's asking sentences, see LONG_POST) and found to
        # be about something no entry answers
        withdrawn = "answer" in (scores_tier, tier)
        tier, decision, best_index, best, scored, suggestions = self._last_question_stage(
            question,
            parsed,
            not (off_subject or unanswered or gated or withdrawn),
            self._regression_stage(
                parsed,
                bool(on_topic),
                _Decision(tier, decision, best_index, best, scored, suggestions),
                bool(off_subject),
            ),
        )
        if tier != "answer":
            decision = f"{tier} ({decision})" if not decision.startswith(tier) else decision
        explanation = (
            self._explain(
                parsed,
                [c for _, c in scored],
                decision,
                on_topic=on_topic,
                required=(required, requirement),
                lead=lead,
                unexplained=(unexplained, share),
                unanswered=unanswered,
            )
            if explain
            else None
        )
        if tier == "answer":
            return Answer(
                question,
                answer_lang,
                "answer",
                best.score,
                self.entries[best_index],
                suggestions[1:],
                explanation,
            )
        if tier == "suggest":
            return Answer(
                question, answer_lang, "suggest", best.score, None, suggestions, explanation
            )
        return Answer(question, answer_lang, "none", best.score, explanation=explanation)

    def _explain(
        self,
        question: _Question,
        candidates: list[Candidate],
        decision: str,
        on_topic: str = "",
        required: tuple[float, str] = (0.0, "-"),
        lead: float = 0.0,
        unexplained: tuple[tuple[str, ...], float] = ((), 0.0),
        unanswered: Sequence[str] = (),
    ) -> Explanation:
        return Explanation(
            normalized=question.normalized,
            words=tuple(w.surface for w in question.analysis.words),
            subject_words=tuple(question.subject),
            candidates=tuple(candidates),
            on_topic=on_topic or "no",
            required_score=required[0],
            requirement=required[1],
            lead=lead,
            unexplained=tuple(unexplained[0]),
            unexplained_share=unexplained[1],
            aspects=tuple(f"{aspect} ({cue})" for aspect, cue in question.aspects.items()),
            unanswered_aspects=tuple(unanswered),
            decision=decision,
            story_subjects=tuple(
                sorted(
                    self._story_subjects(question.terms)
                    - self._story_subjects(question.asked_terms)
                )
            ),
        )

    def _story_subjects(self, terms: frozenset[str]) -> frozenset[str]:
        return self._unsupported.hits(terms) | self._other_subjects.hits(terms)

    def _set_aside(self, terms: frozenset[str]) -> frozenset[str]:
        """Other sites and tools: named in the story or as the foil, they are not asked about.
        Not the aspects no entry covers (却下, Linux): a story that names one is often what
        "Is that true?" asks about."""
        return self._marketplaces.hits(terms) | self._other_subjects.hits(terms)


def _regression_key(
    entries: Sequence[FaqEntry],
    vocabulary: VocabularyFile,
    labelled: Sequence[LabelledQuestion],
) -> str:
    """Everything the regression's examples are made from: the core's code, the analyser, the
    aliases, every entry's texts and the labelled questions (names its file in CACHE_DIR)."""
    digest = hashlib.sha256(core_code_digest() + stored_analyses_key().encode())
    parts = [
        *(f"{alias.pattern}\x1f{alias.canonical}" for alias in vocabulary.aliases),
        *(f"{entry.id}\x1f{text}" for entry in entries for text in _entry_texts(entry)),
        *(f"{question.entry}\x1f{question.text}" for question in labelled),
    ]
    digest.update("\x1e".join(parts).encode())
    return digest.hexdigest()[:32]


def _put_first(
    index: int,
    scored: Sequence[tuple[int, Candidate]],
    suggestions: tuple[FaqEntry, ...],
    entries: Sequence[FaqEntry],
) -> tuple[Candidate, tuple[FaqEntry, ...]]:
    """The candidate the ranker chose, and the suggestions with its entry first."""
    chosen = entries[index]
    return next(c for i, c in scored if i == index), (
        chosen,
        *(e for e in suggestions if e is not chosen),
    )


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _addressing(addressing: Addressing) -> re.Pattern[str]:
    """The bot called by name at the start ("@bot", "ねえボット、", "hey bot,"), on prepared text;
    a name must end there (ボットで作りたい is not a call)."""
    if not addressing.names:
        return re.compile(r"(?!)")
    names = "|".join(re.escape(prepare(n)) for n in sorted(addressing.names, key=len, reverse=True))
    calls = "|".join(re.escape(prepare(c)) for c in sorted(addressing.calls, key=len, reverse=True))
    call = rf"(?:(?:{calls})[\s、,!！]*)?" if calls else ""
    return re.compile(
        rf"^\s*{call}@?(?:{names})(?:さん|くん|ちゃん)?(?=[\s、,:：!！?？]|$)[\s、,:：!！]*"
    )


def _alternation(terms: Iterable[str]) -> re.Pattern[str]:
    alternatives = sorted({re.escape(t) for t in terms if t}, key=len, reverse=True)
    return re.compile("|".join(alternatives)) if alternatives else re.compile(r"(?!)")


def _postings(vectors: Sequence[dict[int, float]]) -> dict[int, list[tuple[int, float]]]:
    """Feature → (row, weight) pairs: the sparse matrix by column."""
    postings: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for row, vector in enumerate(vectors):
        for feature_id, weight in vector.items():
            postings[feature_id].append((row, weight))
    return postings


def _joined(
    phrasings: dict[int, list[tuple[int, float]]],
    entries: dict[int, list[tuple[int, float]]],
    phrasing_count: int,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Both matrices as one, entry rows after the phrasing rows, so a question is scored
    against both in one pass; postings longer than STOP_GRAM_POSTINGS are dropped here once."""
    joined = {}
    for feature_id in phrasings.keys() | entries.keys():
        pairs = [
            *_unless_stop_gram(phrasings.get(feature_id, [])),
            *(
                (phrasing_count + row, w)
                for row, w in _unless_stop_gram(entries.get(feature_id, []))
            ),
        ]
        if pairs:
            joined[feature_id] = (
                np.fromiter((row for row, _ in pairs), dtype=np.int64, count=len(pairs)),
                np.fromiter((weight for _, weight in pairs), dtype=np.float64, count=len(pairs)),
            )
    return joined


def _unless_stop_gram(pairs: list[tuple[int, float]]) -> list[tuple[int, float]]:
    return pairs if len(pairs) <= STOP_GRAM_POSTINGS else []


def _ranker_features(analysis: Analysis) -> frozenset[str]:
    """The ranker's features: dictionary forms and neighbouring pairs, and each word's synonym
    groups (≈id), so "メッセージを消したい" weighs what "削除" taught it."""
    return features([word.lemma for word in analysis.words]) | _synonym_groups(analysis.words)


def _veto_features(analysis: Analysis, set_aside: Sequence[tuple[int, int]] = ()) -> frozenset[str]:
    """The vetoes' features: as `_ranker_features`, of content words only (see VETO_POS), and
    not of the words inside the `set_aside` spans."""
    words = [
        word
        for word in analysis.words
        if word.pos not in VETO_POS and not any(s <= word.start < e for s, e in set_aside)
    ]
    return features([word.lemma for word in words]) | _synonym_groups(words)


def _synonym_groups(words: Iterable[Word]) -> set[str]:
    return {f"{SYNONYM_MARK}{group}" for word in words for group in word.synonyms}


def _entry_texts(entry: FaqEntry) -> Iterable[str]:
    yield from (*entry.questions.ja, *entry.questions.en, entry.title.ja, entry.title.en)
