"""Safety check of a client's message: what is risky, why, what to do, and a reply to send.

The rules live in `knowledge/safety.yaml` so that a moderator can add a spelling or a phrase
without a release; this module only defines their schema and runs them. Patterns are folded like
the text (`fold()`), so authors may write katakana and capitals, and `{term}` placeholders keep
the long alternations (tools, payment methods…) in one place.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from bot.core.learned import LearnedSettings, MessageModel, Verdict
from bot.core.schema import (
    Document,
    EntryId,
    KnowledgeError,
    Lang,
    Localized,
    Name,
    NonEmpty,
    Problem,
    Strict,
    duplicate_ids,
)
from bot.core.text import detect_language, fold
from bot.core.words import core_code_digest

SAFETY_FILE = "safety.yaml"

log = logging.getLogger(__name__)

# Client messages that matter fit in a chat message (Discord allows 2,000-4,000 characters) and
# the request sits near the top; beyond that we would only scan pasted documents, which adds
# latency and false alarms, so only the first MAX_SCAN characters are read.
MAX_SCAN = 5_000

Severity = Literal["danger", "caution"]
Risk = Literal["danger", "caution", "none"]

_RANK = {"danger": 0, "caution": 1}
_TERM = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_ESCAPE = re.compile(r"(\\.)", re.DOTALL)
_SENTENCE = re.compile(r"(?:「[^「」]{0,60}」|[^。!?.]|\.(?!\s|$))+[。!?.]*")
"""A short quote stays in the sentence that reports it: 「直接払いにできますか？」とのことですが、…"""
_FAQ_LABEL = re.compile(r"^(?:q|質問|(?P<answer>a|回答|答え?))\s*\d*\s*[.:)]\s*")
"""The label of a line of a list of questions and answers (Q. / A. / 質問: / 回答:)."""
_FAQ_NO = re.compile(
    r"(?:いいえ|no(?! (?:problem|worries|need|issue))|できません|不可|禁止|だめ|ng|お断り"
    r"|お受けして(?:いません|おりません))(?![a-z])"
)
"""The no that opens an answer: only it is added to the question (the answer stays a sentence
of its own), so that the answer's other words (「特に不要です」) do not pair with the question's
(「納品ボタン」) nor hide under the question's context."""
_ECHO_DENIED = re.compile(r"^(いいえ|いえ|いや|no)[、,.!] ?")
"""A question echoed and answered no on the next line: 「LINE交換?」「いえ、CW内で十分です」."""
_QUOTE_MARKS = str.maketrans({"\u2019": "'", "\u2018": "'", "\uff07": "'", "『": "「", "』": "」"})
"""Curly apostrophes read as straight ones, and 『nested quotes』 as 「quotes」, which the rules
know: 「『では後払いで』とお送りしてしまいましたが、撤回します」 is told of, not asked."""
_SPACED_OUT = re.compile(r"(?<!\S)\w(?: \w){3,}(?!\S) ?")
_JAPANESE_GAP = re.compile(
    r"(?<=[\u3041-\u309f\u3400-\u9fff々〆ー]) (?=[\u3041-\u309f\u3400-\u9fff々〆ー])"
)
"""Japanese has no spaces between words; learners and voice input add them (申請 が 承認 されました)."""
_BROKEN_LINE = re.compile(r"[^\s・\-*•●■◆※:：。!?.\d①-⑳【「(（>][^:：。!?.]{0,5}")
"""A phone's one phrase per line (電話番号 / 教えて / ください): a short line with no end
mark, no bullet, number or label, continued by the next line (which starts no list either).
A line ending in です/ます is a sentence of its own (「LINE / 用です / 作って / ください」) unless
the next one goes on with が/けど/ので; English lines are joined with a space ("Hi / No need…")."""
_QUOTED = re.compile(r"^ *>+ ?")
QUOTE_MARK = "> "
"""A line quoted from an earlier message ("> チャットワークでのやり取りは可能でしょうか"): the
worker's words that the client answers. They propose nothing unless the client's sentence under
them agrees (_AGREES, `_Reading.agreed`), and excuse nothing: 「> 仮払いの完了後、作業に取りかかります」
quoted before 「弊社ではいつも作業完了後に仮払いをしています」 puts no escrow first."""
_AGREEMENT = (
    r"はい|ええ|了解|承知|かしこまりました|"
    r"それで(?:お願い|よろし|大丈夫|結構|ok|いい|良い|構い|かまい|問題|進め|いきま|行きま)|"
    r"そちらで|その方法で|その形で|そのように|そうして(?:ください|下さい|いただ|頂|もらえ)|"
    r"そうしましょう|ぜひ|問題(?:ありません|ございません|ないです)|大丈夫です|構いません|かまいません|"
    r"(?<!not )(?:ok|okay)\b|yes\b|(?<!not )(?<!make )(?<!be )sure\b|sounds good|that works|"
    r"agreed|no problem|please do\b|(?:great|good) idea|that would be great"
)
_AGREES = re.compile(
    r"^(?!\s*(?:いえ|いいえ|いや|no\b(?! (?:problem|worries|issue))|nope\b))"
    rf"(?:(?:.*?[\s、,。!?])?(?:{_AGREEMENT})|.*?(?:助かります|ありがたいです)(?!が|けど))"
)
"""A sentence that says yes, not one that opens with a no (「いえ、…それで納品扱いに」)."""
_FORWARDED = re.compile(
    r"(?<![\d字円本件名])(?:以下|下記)(?:の|に|、|,|:)(?![^。]{0,6}?(?:回答|お答え|返信|ご返答))|"
    r"こんな|このような|再送|再掲|貼(?:り|っ)|(?:改めて|あらためて|もう一度|再度)(?:お)?送|転送|"
    r"\b(?:forwarded|got this|received this|past(?:e|ed|ing)|this message|the message below|resend\w*)\b"
)
"""The words before the quoted lines that show them rather than answer them: a worker pasting
a client's message (「クライアントからこんなメッセージが届いたのですが」), a client sending its own
words again (「念のため改めてお送りします」) or setting its rules out (「作業ルールを以下にまとめました」)."""
_SHOWN_BELOW = re.compile(_FORWARDED.pattern + r"|↑|これって|\bis this\b")
"""The same under quoted lines the message opens with: the worker's comment on a pasted
message (「これって大丈夫なメッセージでしょうか？」 "Is this message safe?"), the client's own words
sent again (「↑の件、ご確認いただけましたか？」)."""
_SAID = re.compile(r"(?:です|ます|でした|ました|ません)[ねよ]?$")
_GOES_ON = re.compile(r"(?:が|けど|けれど|ので|のに)")
_LATIN_END = re.compile(r"[a-z0-9']$")
_LATIN_START = re.compile(r"[a-z]")
_AFTER_WINDOW = 20
_AFTER_WINDOW_EN = 45
"""English puts more letters between the hit and its negator: "direct contracts outside the
platform are not allowed"."""
_BEFORE_WINDOW = 40
_ONLY_THEN_NEGATOR = re.compile(r"しか(?!し|た)[^。、,]{0,12}?(?:ない|ません|なく)")
"""しか…ない restricts, it does not deny: 「DMでしか連絡とってないんで」 asks for the DM."""
_CLAUSE_END = re.compile(r"(?:n't|\bnot|\bnever|\bno)\s*[:;]|,\s*(?=(?:just|simply|instead)\b)")
"""A negator standing alone before a colon answers what came before; it denies nothing after it:
"We don't: the escrow is funded". ("We don't accept: direct contracts, PayPal" still denies its
list.) Nor past a comma that opens what to do instead: "No need to wait, just add me on…"."""
# "You suggested that we continue the project outside CrowdWorks to save the fee": the
# reporting verb may sit a long clause before the words it reports
_REPORTED_WINDOW = 80
_PATTERNS_KEPT = 1024
"""Compiled patterns kept: one version of the rules expands to about 600 (validation, examples
and checker share them); a reload reuses the unchanged ones and older versions' fall out."""


class Negation(Strict):
    after: NonEmpty
    after_en: NonEmpty
    before: NonEmpty
    proposal: NonEmpty
    reported: NonEmpty
    """Right after a hit: the words are someone else's, quoted or reported (「…」と,
    を持ちかけられた), not the client's own proposal."""
    reported_en: NonEmpty
    """Around a hit, the same in English ("you suggested", "thanks for offering", "saw your
    msg about")."""
    pressed_again: NonEmpty
    """After a reported hit's sentence: the client presses what it told of on the worker
    (「…直接契約したい』と言われていまして…もう一度だけご検討いただけないでしょうか」)."""


class Template(Strict):
    id: EntryId
    when: NonEmpty | None = None
    text: Localized


class Channel(Strict):
    """A way of handing over work that a reply can name: `{channel}` in a template's text."""

    match: NonEmpty
    deliver: Localized


class Examples(Strict):
    """Messages the rule must flag and must leave alone; `check-knowledge` runs them."""

    flag: list[NonEmpty] = []
    clean: list[NonEmpty] = []


class Rule(Strict):
    id: EntryId
    kind: Name
    severity: Severity
    severity_reason: NonEmpty
    all_of: list[Name] = []
    """Word lists (`words:`) that must each be hit in one sentence: a request (教えて, 頂戴…)
    about an object (an ID, a phone number…). The readable form of a rule."""
    denied_object_excuses: bool = False
    """With `all_of`: a sentence whose every word of the object lists is negated makes no
    request (「メアドを聞くことはないので…ください」). Off where the denial is the risk itself
    (「納品ボタンは押さなくて大丈夫です」)."""
    match: list[NonEmpty] = []
    """Regexes, the escape hatch for what word lists cannot say."""
    requires: list[NonEmpty] = []
    unless: list[NonEmpty] = []
    despite: list[NonEmpty] = []
    """Regexes that cancel `unless`: 「承認されたらすぐ使えるように」 excuses nothing when the
    message puts the move before approval (申請を出す前に, 申請は不要)."""
    unless_sentence: list[NonEmpty] = []
    rule: Localized
    source: Localized
    advice: Localized
    templates: list[EntryId] = []
    alternatives: list[EntryId] = []
    examples: Examples = Examples()

    @model_validator(mode="after")
    def _matches_something(self) -> Rule:
        if not self.match and not self.all_of:
            raise ValueError("a rule needs `all_of` (word lists) or `match` (regexes)")
        return self


class Spelling(Strict):
    """Another word clients use for what the rules name (お支払いの預け入れ is 仮払い): every
    rule reads `canonical` where `pattern` matches, so no rule needs its own synonyms."""

    pattern: NonEmpty
    canonical: NonEmpty


class WorkContent(Strict):
    """A list of what the piece itself will say (a flyer's details, a page's outline) carries
    the client's own phone, accounts and payment methods for its readers, and none of it is
    asked of the worker. Its items are excused from the rules of `kinds`: lines that match
    `item`, right under a line that matches a `header`, in a list none of whose items names a
    job's `conditions` (報酬, 納期: that list is the job's terms); nor an item that `asks`."""

    kinds: list[Name] = []
    header: list[NonEmpty] = []
    item: NonEmpty = "^$"
    conditions: list[NonEmpty] = []
    asks: list[NonEmpty] = []
    held_over: list[NonEmpty] = []
    """A line between the header and its list leaves the header in force only when it speaks of
    the piece (「お支払い方法ごとに文面を分けたいです」), asks nothing and names no term."""
    quote_before: list[NonEmpty] = []
    quote_after: list[NonEmpty] = []
    """A line that is one quotation 「…」 is the piece's own wording when the line before it
    matches `quote_before` (「次の文言を入れてください:」) or the line after it `quote_after`
    (「という一文と、当店の振込先を入れてください」)."""


class SafetyFile(Strict):
    terms: dict[Name, list[NonEmpty]] = {}
    words: dict[Name, list[NonEmpty]] = {}
    """Plain word lists (no regex): usable in `all_of`, and as `{name}` in patterns."""
    spellings: list[Spelling] = []
    negation: Negation
    channels: list[Channel] = []
    templates: list[Template] = []
    rules: list[Rule] = Field(min_length=1)
    learned: LearnedSettings = LearnedSettings()
    work_content: WorkContent = WorkContent()


class PatternError(ValueError):
    """A rule pattern that does not compile, or names an unknown term."""


def _fold_fragment(fragment: str) -> str:
    """`fold()` a piece of a pattern but keep its edge spaces, which are part of the regex."""
    if not fragment:
        return fragment
    core = fold(fragment)
    lead = " " if fragment[0].isspace() else ""
    trail = " " if fragment[-1].isspace() and core else ""
    return lead + core + trail


def fold_pattern(pattern: str) -> str:
    """Fold a regex like the text it runs on, leaving escapes (`\\S`, `\\.`) untouched."""
    parts = _ESCAPE.split(pattern)
    return "".join(p if index % 2 else _fold_fragment(p) for index, p in enumerate(parts))


class _Compiler:
    def __init__(self, terms: dict[str, list[str]], words: dict[str, list[str]] | None = None):
        self.terms = {
            name: "(?:" + "|".join(fold_pattern(item) for item in items) + ")"
            for name, items in terms.items()
        }
        for name, items in (words or {}).items():
            self.terms[name] = "(?:" + "|".join(_word_pattern(w) for w in items) + ")"
        # a term may name another (`{tool}` inside `topic`, `{chatwork}` inside `tool`), at
        # any depth, so that one spelling lives in one place
        for _ in self.terms:
            expanded = {
                name: _TERM.sub(lambda found: self.terms.get(found.group(1), found.group()), text)
                for name, text in self.terms.items()
            }
            if expanded == self.terms:
                break
            self.terms = expanded

    def expand(self, pattern: str) -> str:
        def substitute(found: re.Match[str]) -> str:
            name = found.group(1)
            if name not in self.terms:
                raise PatternError(f"unknown term '{{{name}}}'")
            return self.terms[name]

        return _TERM.sub(substitute, fold_pattern(pattern))

    def compile(self, pattern: str) -> re.Pattern[str]:
        try:
            return _compiled(self.expand(pattern))
        except re.error as exc:
            raise PatternError(f"invalid regex: {exc}") from None

    def any_of(self, patterns: Sequence[str]) -> re.Pattern[str] | None:
        if not patterns:
            return None
        return _compiled("|".join(f"(?:{self.compile(p).pattern})" for p in patterns))


@lru_cache(maxsize=_PATTERNS_KEPT)
def _compiled(expanded: str) -> re.Pattern[str]:
    """One compilation per process of each expanded pattern: validation, the rules' examples
    and the checker itself compile the same ones, more than `re`'s own cache keeps."""
    return re.compile(expanded)


_REGEX_SYNTAX = re.compile(r"\(\?|[\\\[\]|*+^$]")
"""What marks a regex (a lookaround, a class, an escape, an alternation); a word list holds plain
words, escaped, where that syntax would never match. A lone ? is a word's own (ある?)."""


def _word_pattern(word: str) -> str:
    """A plain word as a regex: folded, escaped, Latin words whole ("line" is not "online")."""
    folded = re.escape(fold(word))
    return rf"(?<![a-z]){folded}(?![a-z])" if word.isascii() else folded


def _patterns(safety: SafetyFile) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every regex in the file with its location, for validation."""
    for name, items in safety.terms.items():
        for position, item in enumerate(items):
            yield ("terms", name, position), item
    for index, spelling in enumerate(safety.spellings):
        yield ("spellings", index, "pattern"), spelling.pattern
    for field in ("after", "after_en", "before", "proposal", "reported", "reported_en"):
        yield ("negation", field), getattr(safety.negation, field)
    for kind, patterns in safety.learned.unless.items():
        for position, pattern in enumerate(patterns):
            yield ("learned", "unless", kind, position), pattern
    for kind, patterns in safety.learned.lines.names.items():
        for position, pattern in enumerate(patterns):
            yield ("learned", "lines", "names", kind, position), pattern
    for position, pattern in enumerate(safety.learned.lines.unless):
        yield ("learned", "lines", "unless", position), pattern
    content = safety.work_content
    yield ("work_content", "item"), content.item
    for field in ("header", "held_over", "conditions", "asks", "quote_before", "quote_after"):
        for position, pattern in enumerate(getattr(content, field)):
            yield ("work_content", field, position), pattern
    for position, pattern in enumerate(safety.learned.signature):
        yield ("learned", "signature", position), pattern
    for position, pattern in enumerate(safety.learned.not_overruled):
        yield ("learned", "not_overruled", position), pattern
    for index, channel in enumerate(safety.channels):
        yield ("channels", index, "match"), channel.match
    for index, template in enumerate(safety.templates):
        if template.when is not None:
            yield ("templates", index, "when"), template.when
    for index, rule in enumerate(safety.rules):
        for field in ("match", "requires", "unless", "despite", "unless_sentence"):
            for position, pattern in enumerate(getattr(rule, field)):
                yield ("rules", index, field, position), pattern


def check_safety(
    doc: Document, safety: SafetyFile, passed: PassedExamples | None = None
) -> list[Problem]:
    """Cross-field checks: unique ids, known templates, regexes that compile, and the rules'
    examples (skipped when `passed` has seen this very file pass them)."""
    problems = duplicate_ids(doc, "rules", [r.id for r in safety.rules])
    problems += duplicate_ids(doc, "templates", [t.id for t in safety.templates])
    known = {t.id for t in safety.templates}
    for index, rule in enumerate(safety.rules):
        for field in ("templates", "alternatives"):
            for position, template in enumerate(getattr(rule, field)):
                if template not in known:
                    loc: tuple[str | int, ...] = ("rules", index, field, position)
                    problems.append(doc.problem(loc, f"unknown template '{template}'"))
    for index, rule in enumerate(safety.rules):
        for position, name in enumerate(rule.all_of):
            if name not in safety.words:
                loc = ("rules", index, "all_of", position)
                problems.append(doc.problem(loc, f"unknown word list '{name}'"))
    problems += [
        doc.problem(
            ("words", name, position),
            "a word list holds plain words, matched as written: move this regex to `terms`",
        )
        for name, items in safety.words.items()
        for position, word in enumerate(items)
        if _REGEX_SYNTAX.search(word)
    ]
    kinds = {rule.kind for rule in safety.rules}
    named: list[tuple[tuple[str | int, ...], str]] = [
        *((("learned", "unless", kind), kind) for kind in safety.learned.unless),
        *((("learned", "overrules", i), kind) for i, kind in enumerate(safety.learned.overrules)),
        *((("learned", "lines", "names", kind), kind) for kind in safety.learned.lines.names),
        *((("work_content", "kinds", i), kind) for i, kind in enumerate(safety.work_content.kinds)),
    ]
    problems += [
        doc.problem(loc, f"no rule has kind '{kind}'") for loc, kind in named if kind not in kinds
    ]
    compiler = _Compiler(safety.terms, safety.words)
    broken_terms: set[str] = set()
    for loc, pattern in _patterns(safety):
        if broken_terms.intersection(_TERM.findall(pattern)):
            if loc[0] == "terms":
                broken_terms.add(str(loc[1]))
            continue  # the broken term is already reported once, where it is defined
        try:
            if loc[0] == "terms":
                _compiled(fold_pattern(pattern))
                for name in _TERM.findall(pattern):
                    if name not in safety.terms and name not in safety.words:
                        raise PatternError(f"unknown term '{{{name}}}'")
            else:
                compiler.compile(pattern)
        except (PatternError, re.error) as exc:
            message = str(exc) if isinstance(exc, PatternError) else f"invalid regex: {exc}"
            problems.append(doc.problem(loc, message))
            if loc[0] == "terms":
                broken_terms.add(str(loc[1]))
    if not problems and not (passed is not None and passed.seen(doc.text)):
        problems += _check_examples(doc, safety)
        if not problems and passed is not None:
            passed.record(doc.text)
    return problems


_PASSED_PREFIX = "safety-examples-passed-"


class PassedExamples:
    """Which safety files have passed their rules' examples, remembered in the cache directory
    (`CACHE_DIR`) between runs: checking them was a tenth of the start-up. A file's stamp is
    the SHA-256 of its text and of the code that runs the rules, so an edit or an upgrade is
    checked again; only a pass is stamped. A directory that cannot be written costs one warning
    and the check on every start."""

    def __init__(self, directory: Path):
        self._directory = directory

    def _stamp(self, text: str) -> Path:
        digest = hashlib.sha256(core_code_digest() + text.encode()).hexdigest()
        return self._directory / f"{_PASSED_PREFIX}{digest[:32]}"

    def seen(self, text: str) -> bool:
        return self._stamp(text).is_file()

    def record(self, text: str) -> None:
        stamp = self._stamp(text)
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError as exc:
            log.warning("cannot stamp the safety examples as checked in %s (%s)", stamp, exc)
            return
        with suppress(OSError):
            for stale in self._directory.glob(f"{_PASSED_PREFIX}*"):
                if stale != stamp:
                    stale.unlink()


def _check_examples(doc: Document, safety: SafetyFile) -> list[Problem]:
    """Each rule's examples, run through the rule: a moderator's edit is checked at once."""
    checker = SafetyChecker(safety)
    problems = []
    for index, compiled in enumerate(checker.rules):
        for field, should_fire in (("flag", True), ("clean", False)):
            for position, text in enumerate(getattr(compiled.rule.examples, field)):
                trace = checker.trace(compiled, text)
                if trace.fired != should_fire:
                    why = f" ({trace.reason})" if trace.reason else ""
                    verdict = "does not flag" if should_fire else "flags"
                    loc = ("rules", index, "examples", field, position)
                    problems.append(doc.problem(loc, f"the rule {verdict} this example{why}"))
    return problems


def load_safety(path: Path) -> SafetyFile:
    """Parse and validate one safety file on its own (load_knowledge does the same for all)."""
    doc = Document(path, str(path))
    safety = doc.validate(SafetyFile)
    problems = check_safety(doc, safety)
    if problems:
        raise KnowledgeError(problems)
    return safety


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: Severity
    rule: str
    source: str
    advice: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "rule": self.rule,
            "source": self.source,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class RuleTrace:
    """What one rule did with a message, for `check --explain`: where it matched, and what
    suppressed it when it did not fire, or the excuse it fired despite."""

    rule: str
    kind: str
    fired: bool
    sentence: str = ""
    span: str = ""
    reason: str = ""
    probability: float | None = None
    """Set for the learned stage, whose `span` lists the words that weighed most."""
    excused: bool = False
    """The rule matched, but the context says the words are not the client's proposal (negated,
    reported, `unless`, `unless_sentence`): the learned stage may not report its kind either."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "kind": self.kind,
            "fired": self.fired,
            "sentence": self.sentence,
            "span": self.span,
            "reason": self.reason,
        }
        if self.probability is not None:
            data["probability"] = round(self.probability, 4)
        return data

    def line(self) -> str:
        if self.fired:
            outcome = f"fired ({self.reason})" if self.reason else "fired"
        else:
            outcome = f"suppressed: {self.reason}"
        if self.probability is not None:
            on_line = f" on the line 「{self.sentence}」" if self.sentence else ""
            return (
                f"{self.rule} ({self.kind}) p={self.probability:.3f}{on_line} {outcome};"
                f" words {self.span}"
            )
        where = f" on 「{self.span}」 in 「{self.sentence}」" if self.span else ""
        return f"{self.rule} ({self.kind}) {outcome}{where}"


@dataclass(frozen=True)
class SafetyReport:
    text: str
    lang: Lang
    risk: Risk
    findings: tuple[Finding, ...]
    reply_template: str | None
    alternative_template: str | None = None
    explanation: tuple[RuleTrace, ...] | None = dataclass_field(default=None, compare=False)
    sentences: tuple[str, ...] = dataclass_field(default=(), compare=False)
    """The sentences as the rules read them (folded, respelled), for the explanation."""
    respelled: tuple[tuple[str, str], ...] = dataclass_field(default=(), compare=False)
    """(the client's word, the word the rules read) for every `spellings` hit."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": self.text,
            "risk": self.risk,
            "findings": [f.as_dict() for f in self.findings],
            "reply_template": self.reply_template,
            "alternative_template": self.alternative_template,
        }
        if self.explanation is not None:
            data["explain"] = {
                "sentences": list(self.sentences),
                "spellings": [{"word": word, "read_as": as_} for word, as_ in self.respelled],
                "rules": [trace.as_dict() for trace in self.explanation],
            }
        return data


_CHANNEL = "{channel}"


@dataclass(frozen=True)
class _CompiledTemplate:
    when: re.Pattern[str] | None
    text: Localized

    @property
    def names_channel(self) -> bool:
        return _CHANNEL in self.text.ja or _CHANNEL in self.text.en


@dataclass(frozen=True)
class _CompiledRule:
    rule: Rule
    match: re.Pattern[str] | None
    all_of: tuple[re.Pattern[str], ...]
    requires: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    despite: re.Pattern[str] | None
    unless_sentence: re.Pattern[str] | None
    templates: tuple[_CompiledTemplate, ...]
    alternatives: tuple[_CompiledTemplate, ...]


def sentences(text: str) -> list[str]:
    """Folded sentences of a message: lines first (fold() joins them), then 。 ! ? and '. ' (not
    inside a short 「quote」); letters spaced out to dodge filters ("c h a t w o r k",
    "ち ゃ っ と"), Japanese words spaced apart and a phone's one phrase per line are joined
    again. An FAQ's question line ends with the no that opens its answer line (「q. 直接契約は
    できますか? a. いいえ」), so that the answer can deny the question. A quoted line's sentences
    start with QUOTE_MARK when the client answers them (`_quotes_answered`)."""
    folded = (fold(line.translate(_QUOTE_MARKS)) for line in text.splitlines())
    folded = (_SPACED_OUT.sub(lambda m: m.group().replace(" ", ""), line) for line in folded)
    lines = _joined_broken_lines([_JAPANESE_GAP.sub("", line) for line in folded])
    found: list[str] = []
    question = False
    for line in lines:
        label = _FAQ_LABEL.match(line)
        asks = label is not None and label.group("answer") is None
        answers = label is not None and not asks
        quoted = _QUOTED.match(line)
        if quoted:
            line = line[quoted.end() :]
        parts = [s.strip() for s in _SENTENCE.findall(line[label.end() if label else 0 :])]
        parts = [f"{QUOTE_MARK}{part}" if quoted else part for part in parts if part]
        if parts and answers and question and (no := _FAQ_NO.match(parts[0])):
            found[-1] = f"{found[-1]} a. {no.group()}"
        if parts and asks:
            parts[0] = f"q. {parts[0]}"
        question = asks and bool(parts)
        found += parts
    for i, (part, after) in enumerate(itertools.pairwise(found)):
        if part.endswith("?") and (no := _ECHO_DENIED.match(after)):
            found[i] = f"{part} a. {no.group(1)}"
    return _quotes_answered(found)


def _quotes_answered(parts: list[str]) -> list[str]:
    """The parts as they are when the client answers the quoted lines: at no less length than
    the quotes, or under them in a message that opens with one ("> Can we wait for the
    approval?" "No need, just add me on Chatwork"). Otherwise the quotes are the message itself,
    pasted by the worker with a short comment (「鯖の皆さんこれどう思います？ > …Discordのユーザー名
    教えてください」), and lose their mark. So do quotes that the words before them show rather than
    answer (_FORWARDED)."""
    first = next((i for i, part in enumerate(parts) if part.startswith(QUOTE_MARK)), len(parts))
    if first == len(parts):
        return parts
    quoted = sum(len(part) for part in parts if part.startswith(QUOTE_MARK))
    own = sum(len(part) for part in parts if not part.startswith(QUOTE_MARK))
    answered_below = first == 0 and any(
        not part.startswith(QUOTE_MARK) for part in parts[first + 1 :]
    )
    shown_below = _SHOWN_BELOW.search(
        " ".join(part for part in parts if not part.startswith(QUOTE_MARK))
    )
    if (own >= quoted or (answered_below and not shown_below)) and not _FORWARDED.search(
        " ".join(parts[:first])
    ):
        return parts
    return [part.removeprefix(QUOTE_MARK) for part in parts]


@dataclass(frozen=True)
class _Reading:
    """A message as the rules read it, worked out once per check rather than once per rule."""

    parts: list[str]
    message: str
    """The parts joined."""
    own: str
    """The message without the quoted lines the client does not agree to: what the client says
    in their own words or takes up ("> I can start once you fund the escrow." "Sounds good")."""
    agreed: frozenset[str]
    """The quoted lines that the client's first sentence after their block agrees to (an e-mail
    reply answers each quote under it, so a yes to one quote is not a yes to all)."""
    content: dict[str, str] = dataclass_field(default_factory=dict)
    """The sentences of the work's content (`work_content` items), each with its list's header."""


def _reading(parts: list[str]) -> _Reading:
    agreed: set[str] = set()
    reply = ""
    for part in reversed(parts):
        if not part.startswith(QUOTE_MARK):
            reply = part
        elif _AGREES.search(reply):
            agreed.add(part)
    own = " ".join(
        part.removeprefix(QUOTE_MARK)
        for part in parts
        if not part.startswith(QUOTE_MARK) or part in agreed
    )
    return _Reading(parts, " ".join(parts), own, frozenset(agreed))


def _set_aside(text: str, match: re.Match[str]) -> bool:
    before = _SENTENCE_END.split(text[max(0, match.start() - _REPORTED_WINDOW) : match.start()])[-1]
    after = text[match.end() : match.end() + _REPORTED_WINDOW]
    return bool(
        _SET_ASIDE_AFTER.search(after)
        or (_SET_ASIDE_BEFORE.search(before) and _SET_ASIDE_BUT.search(after))
        or _ONE_OPTION.search(after)
        or (_THIS_TIME.search(before) and _NEXT_TIMES.search(after))
    )


def _joined_broken_lines(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for previous, line in zip(["。", *lines], lines, strict=False):
        if (
            _BROKEN_LINE.fullmatch(previous)
            and _BROKEN_LINE.match(line)
            and (not _SAID.search(previous) or _GOES_ON.match(line))
        ):
            latin = _LATIN_END.search(joined[-1]) and _LATIN_START.match(line)
            joined[-1] += f" {line}" if latin else line
        else:
            joined.append(line)
    return joined


def _respell(
    pattern: re.Pattern[str], canonical: str, sentence: str, respelled: list[tuple[str, str]]
) -> str:
    """`sentence` with `canonical` for every hit of `pattern`, each hit noted in `respelled`."""

    def replace(hit: re.Match[str]) -> str:
        respelled.append((hit.group(), canonical))
        return canonical

    return pattern.sub(replace, sentence)


_KEPT = (
    r"(?![、,]? ?[^。.!?]{0,25}?(?:その(?:通り|とおり|まま)|予定(?:通り|どおり)|変わ(?:り|ら)|"
    r"引き続き|もう少し|それまで|承認(?:まで|され(?:る|た)?まで)|お待ち|申請(?:を出|し(?:ます|て"
    r"おき)|いたし)|\buntil then\b|\btill then\b|\bin the meantime\b|\bmeanwhile\b|"
    r"\b(?:still|will|'ll|happy to|can|must|should) (?:still )?wait\b|\bno (?:rush|hurry)\b|"
    r"\bkeep (?:using|talking|chatting|everything|it)\b|\b(?:file|submit) (?:the|an|our)\b))"
)
"""…unless what follows keeps it: 「…とお伝えしましたが、申請中ですのでもう少しこちらで」 "…, but
until then", "…, but don't worry, I'll file the application today"."""
_SET_ASIDE_AFTER = re.compile(
    r"^[^。]{0,30}?(?:(?:(?:と|って) ?(?:書き|申し上げ|お伝えし|お送りし|言い|お話しし|ご案内し)"
    r"(?:ました|ていました|ておりました)|(?:と|って) ?(?:の ?こと(?:です|でした)?|おっしゃって(?:いました|"
    r"います|おりました)|伺って(?:います|いました|おります))|(?:の|こと)(?:は|も) ?(?:承知|理解|分かって|わかって|存じ|"
    r"知って)[^。、]{0,8}?)(?:が|けれど|けど|ものの)" + _KEPT + r"|承知の ?(?:上|うえ))"
    r"|^ ?も ?(?:できます|可能です|構いません|かまいません)(?:が|けれど|けど|ものの)"
    + _KEPT
    + r"|^[^。]{0,6}?(?:では|だと|じゃ|を待って(?:いて|いた)?(?:は|たら)|まで待(?:つと|って(?:いて|いた)?(?:は|たら)))"
    r" ?(?:遅|間に合わ|時間がかかりすぎ)"
    r"|^[^。]{0,10}?(?:され|し|す)(?:ると|ては|たら|てしまうと|ちゃうと)[、,]? ?[^。、]{0,20}?"
    r"(?:遅れ|困|不便|面倒|手間|ややこし|二重|混乱|難し|むずかし|見(?:づら|にく)|みにく)"
    r"(?![^。、]{0,8}?(?:ない|なし|なく|ありません|ません|ですか|でしょうか|[?？]))"
)
_SET_ASIDE_BEFORE = re.compile(
    r"\b(?:i|we) (?:know|understand|reali[sz]e|am aware|are aware)\b(?:(?!\bbut\b)[^.!?]){0,90}$"
)
_SET_ASIDE_BUT = re.compile(r"\bbut\b" + _KEPT)
"""An excuse the client quotes, knows or concedes and then sets aside is no excuse: 「「移行は承認
後に」と書きましたが、撤回します」「規約違反になるのは承知の上で」「納品はクラウドワークスでもできますが、
当社はBacklogで」 "I know CrowdWorks says … until approved, but" (not 「…というのは理解しています。
それまでは」, a rule told and kept); so is one called too late (「『申請の承認後』では遅すぎます」) or in
the way or hard to use (「クラウドワークスで納品報告をされると社内の検収フローが遅れてしまうので」,
「クラウドワークスで納品すると、上司が見るのが難しい」; not 「…納品すると難しいですか？」)."""
_THIS_TIME = re.compile(r"今回(?:は|だけ|のみ)[^。、]{0,20}$")
_NEXT_TIMES = re.compile(
    r"^[^。]{0,12}?(?:が|けど|けれど|けれども|[、,])[、,]? ?(?:次回|次から|今後|以降|それ以降|"
    r"2回目|二回目|2本目|二本目)"
)
"""An excuse for this time only, another way for the times after: 「今回はクラウドワークスで進めます
が、次回以降のご依頼はすべて弊社の請求システムで直接」."""
_ONE_OPTION = re.compile(r"^ ?(?:で)?も ?[、,]|^ ?か ?[、,]|^ ?,? ?or\b")
"""An excuse that is itself one option of a choice excuses nothing: 「クラウドワークスの納品機能
でも、Googleドキュメントの共有リンクでも、どちらでも構いません」, "either upload it through the delivery
form on CrowdWorks or drop it in Dropbox", "keep messaging here, or … add me on Discord"."""
_UNTIL = ("まで", "までは", "until")
"""An excuse that ends so puts the act after it (see `_kept_until`)."""
_WAIT = re.compile(
    r"^(?:は|も)? ?(?:まて|また|まつ|なんて|なんか|とか)|待|我慢|ない ?の ?(?:は|が|も)"
)
"""The negator denies the wait, and the excuse with it: a wait or a dismissal anywhere in the
sentence (「承認されるまで待たなくていい」「承認されるまでなんて待っていられない」「承認されるまで時間が
かかるので待てません」), or the negation judged (「承認されるまでやり取りできないのは不便」)."""
_SENTENCE_END = re.compile(r"[。.!?]")

_SHORTEST_LINE = 8
"""Shorter lines (a name, a date, 「以上」) are not weighed alone: too few words to judge."""
_SIGNATURE_OPENS = re.compile(
    r"^\s*(?:[-―─━=_*~〜・]{2,}|(?:best regards|kind regards|regards|sincerely|cheers|thanks"
    r"|thank you|よろしくお願い(?:いた|致)?します|以上(?:です)?)[,.。!！]*)\s*$"
)
"""A line that closes the body of an e-mail: a rule of dashes or a closing formula."""
_SIGNATURE_LINE_LENGTH = 80
"""A block with a longer line is the body's text, not a signature."""
_SIGNATURE_POINTED = re.compile(
    # 「今後のやり取りは以下でお願いいたします」「以降の連絡先はこちらです」「下記の携帯に」
    r"(?:以下|下記)(?:の)? ?(?:まで|に|へ|で|から|宛|あて|アドレス|メール|メアド|番号|電話|携帯"
    r"|連絡先|url|リンク|フォーム|フォルダ)|下の ?(?:アドレス|メール|番号|連絡先|url|リンク)"
    r"|(?:連絡先|アドレス|番号|納品先|送付先|提出先)(?:は|:)? ?(?:こちら|以下|下記)"
    # "reach me with the details below", "send them to the address below", "in my signature"
    r"|\b(?:below|the following|(?:in|from) my signature)\b"
)
"""The body pointing at the block: its lines are then what it asks for, and all are read."""
_SIGNATURE_SPEAKS = re.compile(
    r"ます|ましょ|ません|ください|下さい|でしょう|しよう|ませんか"
    r"|\b(?:let's|i'll|we'll|talk|chat|call me|text me)\b"
)
"""A sentence, not a signature's label: 「追伸 今後は私の携帯090-…でやり取りしましょう」."""

LEARNED = "learned"
"""The rule id shown for a finding of the learned stage."""


_WHOLE_QUOTE = re.compile(r"「[^「」]+」")
"""A line that is one quotation and nothing else."""


class SafetyChecker:
    """Runs the rules of a SafetyFile, then the learned model for a kind no rule reported (a
    message that names Telegram may also ask to skip the site's delivery); compile once, then
    `check()` any number of messages."""

    def __init__(self, safety: SafetyFile, model: MessageModel | None = None):
        self.model = model
        self._threshold = safety.learned.threshold
        self._overrule = safety.learned.overrule
        self._overrules = frozenset(safety.learned.overrules)
        compiler = _Compiler(safety.terms, safety.words)
        self._not_overruled = compiler.any_of(safety.learned.not_overruled)
        self._learned_unless = {
            kind: compiler.any_of(patterns) for kind, patterns in safety.learned.unless.items()
        }
        self._lines = safety.learned.lines
        self._line_names = {
            kind: names
            for kind, patterns in self._lines.names.items()
            if (names := compiler.any_of(patterns)) is not None
        }
        self._line_unless = compiler.any_of(self._lines.unless)
        self._signature = compiler.any_of(safety.learned.signature)
        content = safety.work_content
        self._content_kinds = frozenset(content.kinds)
        self._content_header = compiler.any_of(content.header)
        self._content_item = compiler.compile(content.item)
        self._content_conditions = compiler.any_of(content.conditions)
        self._content_asks = compiler.any_of(content.asks)
        self._content_held_over = compiler.any_of(content.held_over)
        self._quote_before = compiler.any_of(content.quote_before)
        self._quote_after = compiler.any_of(content.quote_after)
        templates = {
            t.id: _CompiledTemplate(compiler.compile(t.when) if t.when else None, t.text)
            for t in safety.templates
        }
        self._channels = tuple(
            (compiler.compile(channel.match), channel.deliver) for channel in safety.channels
        )
        negation = safety.negation
        self._spellings = tuple(
            (compiler.compile(spelling.pattern), fold(spelling.canonical))
            for spelling in safety.spellings
        )
        self._after = (compiler.compile(negation.after), compiler.compile(negation.after_en))
        self._before = compiler.compile(negation.before)
        self._proposal = compiler.compile(negation.proposal)
        self._reported = compiler.compile(negation.reported)
        self._reported_en = compiler.compile(negation.reported_en)
        self._pressed_again = compiler.compile(negation.pressed_again)
        self.rules = tuple(
            _CompiledRule(
                rule=rule,
                match=compiler.any_of(rule.match),
                all_of=tuple(compiler.compile(f"{{{name}}}") for name in rule.all_of),
                requires=compiler.any_of(rule.requires),
                unless=compiler.any_of(rule.unless),
                despite=compiler.any_of(rule.despite),
                unless_sentence=compiler.any_of(rule.unless_sentence),
                templates=tuple(templates[t] for t in rule.templates),
                alternatives=tuple(templates[t] for t in rule.alternatives),
            )
            for rule in safety.rules
        )
        self._first_of_kind: dict[str, _CompiledRule] = {}
        self._unless_of_kind: dict[str, list[_CompiledRule]] = {}
        for compiled in self.rules:
            self._first_of_kind.setdefault(compiled.rule.kind, compiled)
            if compiled.unless is not None:
                self._unless_of_kind.setdefault(compiled.rule.kind, []).append(compiled)

    def check(self, text: str, lang: Lang | None = None, explain: bool = False) -> SafetyReport:
        """Findings for a client's message; never raises, and reads only the first MAX_SCAN chars."""
        if lang not in (None, "ja", "en"):
            raise ValueError(f"unsupported language {lang!r}")
        scanned = text[:MAX_SCAN]
        lang = lang or detect_language(scanned)
        ruled = self._without_signature_block(scanned)
        parts, respelled = self._read(sentences(ruled))
        if self.model is not None and (spelled := self.model.spell(ruled)) != ruled:
            spelled_parts, respelled_kana = self._read(sentences(spelled))
            parts += spelled_parts
            respelled += respelled_kana
        content, uncontented = self._work_content(scanned)
        reading = dataclasses.replace(_reading(parts), content=content)
        message = reading.message
        fired: dict[str, tuple[int, _CompiledRule]] = {}
        excused: dict[str, RuleTrace] = {}
        traces: list[RuleTrace] = []
        for order, compiled in enumerate(self.rules):
            kind = compiled.rule.kind
            if kind in fired:
                if explain:
                    first = fired[kind][1].rule.id
                    trace = self._evaluate(compiled, reading)
                    if trace.span:
                        reason = f"{kind} already reported by {first}"
                        traces.append(RuleTrace(trace.rule, kind, False, "", "", reason))
                continue
            trace = self._evaluate(compiled, reading, overrule=kind in self._overrules)
            if trace.fired:
                fired[kind] = (order, compiled)
            elif trace.excused:
                excused.setdefault(kind, trace)
            if explain and (trace.fired or trace.span or trace.reason):
                traces.append(trace)
        ranked = sorted(fired.values(), key=lambda item: (_RANK[item[1].rule.severity], item[0]))
        findings = tuple(self._finding(compiled.rule, lang) for _, compiled in ranked)
        if self.model is not None:
            learned, trace = self._learned(uncontented, reading.own, excused)
            if learned is not None and learned.rule.kind not in fired:
                ranked = [*ranked, (len(self.rules), learned)]
                findings = (*findings, self._finding(learned.rule, lang, severity="caution"))
            if explain:
                traces.append(trace)
        template = alternative = None
        for _, compiled in ranked:
            template = self._template(compiled.templates, message, lang)
            if template is not None:
                alternative = self._template(compiled.alternatives, message, lang)
                break
        risk: Risk = findings[0].severity if findings else "none"
        if not explain:
            return SafetyReport(text, lang, risk, findings, template, alternative)
        return SafetyReport(
            text,
            lang,
            risk,
            findings,
            template,
            alternative,
            tuple(traces),
            tuple(parts),
            tuple(respelled),
        )

    def train(self) -> None:
        """Train the learned stage now (a background thread at start), not on the first check."""
        if self.model is not None:
            self.model.train()

    def trace(self, compiled: _CompiledRule, text: str) -> RuleTrace:
        """One rule alone on a message (how `check-knowledge` runs a rule's examples)."""
        parts, _ = self._read(sentences(text[:MAX_SCAN]))
        return self._evaluate(compiled, _reading(parts))

    def _work_content(self, scanned: str) -> tuple[dict[str, str], str]:
        """The sentences of the items of each list of the work's content (`work_content`), with
        the header line above the list; and `scanned` without those items, for the model."""
        if self._content_header is None:
            return {}, scanned
        content: dict[str, str] = {}
        lines = scanned.splitlines()
        written = [
            (number, folded) for number, line in enumerate(lines) if (folded := fold(line).strip())
        ]
        content_lines: set[int] = set()
        header = ""
        items: list[tuple[int, str]] = []

        def close_list() -> None:
            conditions = self._content_conditions
            if header and not (conditions and any(conditions.search(item) for _, item in items)):
                for number, item in items:
                    if self._content_asks is None or not self._content_asks.search(item):
                        content.update(dict.fromkeys(self._read(sentences(item))[0], header))
                        content_lines.add(number)

        for number, folded in written:
            if self._content_item.search(folded):
                items.append((number, folded))
                continue
            close_list()
            if self._content_header.search(folded):
                header = folded
            elif (
                items
                or self._content_held_over is None
                or not self._content_held_over.search(folded)
                or self._asks_or_names_a_term(folded)
            ):
                header = ""
            items = []
        close_list()
        for number, folded, announced in self._announced_quotations(written):
            content.update(dict.fromkeys(self._read(sentences(folded))[0], announced))
            content_lines.add(number)
        if not content_lines:
            return content, scanned
        return content, "\n".join(line for n, line in enumerate(lines) if n not in content_lines)

    def _announced_quotations(
        self, written: list[tuple[int, str]]
    ) -> Iterator[tuple[int, str, str]]:
        """The quotation lines announced as the piece's wording (`quote_before`, `quote_after`),
        each with its line number and the line that announced it."""
        for place, (number, folded) in enumerate(written):
            if not _WHOLE_QUOTE.fullmatch(folded) or self._asks_or_names_a_term(folded):
                continue
            before = written[place - 1][1] if place else ""
            after = written[place + 1][1] if place + 1 < len(written) else ""
            if self._quote_before and before and self._quote_before.search(before):
                yield number, folded, before
            elif self._quote_after and after and self._quote_after.search(after):
                yield number, folded, after

    def _asks_or_names_a_term(self, folded: str) -> bool:
        """A line that asks the worker for something or names a term of the job is never the
        piece's content, whatever announces it."""
        return bool(
            (self._content_asks is not None and self._content_asks.search(folded))
            or (self._content_conditions is not None and self._content_conditions.search(folded))
        )

    def _read(self, parts: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
        """The sentences with every `spellings` word replaced by the word the rules know, and
        what was replaced."""
        respelled: list[tuple[str, str]] = []
        read = []
        for sentence in parts:
            for pattern, canonical in self._spellings:
                sentence = _respell(pattern, canonical, sentence, respelled)
            read.append(sentence)
        return read, respelled

    def _hits(self, compiled: _CompiledRule, sentence: str) -> Iterator[re.Match[str]]:
        """Where the rule matches a sentence: its regexes, or every word list at once (then
        the first list's word, the request, is what negation looks at)."""
        if compiled.match is not None:
            yield from compiled.match.finditer(sentence)
        if compiled.all_of and all(p.search(sentence) for p in compiled.all_of[1:]):
            yield from compiled.all_of[0].finditer(sentence)

    def _evaluate(
        self, compiled: _CompiledRule, reading: _Reading, overrule: bool = False
    ) -> RuleTrace:
        """The first unsuppressed hit fires the rule; the hits are looked at lazily, since
        most rules match nothing in most messages. A rule whose every hit is an item of the
        work's content is not `excused`: the learned stage still weighs the rest of the message
        (「…私のPayPayから送金させてください」 after a list of the shop's own payment methods).
        A hit found reported still fires when the client presses it on the worker right after
        (`_pressed_on_the_worker`). With `overrule`, a hit on a sentence the model is sure is ordinary
        lets the next hit speak: 「前任とはチャットワークでやり取りされていたと伺っていますが」
        told of, then 「私の個人チャットワークに直接メッセージを」 asked for."""
        rule = compiled.rule
        hits = ((s, hit) for s in reading.parts for hit in self._hits(compiled, s))
        first = next(hits, None)
        if first is None:
            return RuleTrace(rule.id, rule.kind, False)
        sentence, hit = first
        if compiled.requires is not None and not compiled.requires.search(reading.message):
            return RuleTrace(rule.id, rule.kind, False, sentence, hit.group(), "`requires` absent")
        excuse, overridden = self._excused(compiled, reading.own)
        if excuse:
            return RuleTrace(rule.id, rule.kind, False, sentence, hit.group(), excuse, excused=True)
        reason = ""
        only_content = True  # False once a hit is excused for another reason
        overruled = None
        overruled_sentences: set[str] = set()
        for sentence, hit in itertools.chain([first], hits):
            if sentence in overruled_sentences:
                continue
            if compiled.unless_sentence is not None and (
                found := next(
                    (
                        m
                        for m in compiled.unless_sentence.finditer(sentence)
                        if not _set_aside(sentence, m)
                    ),
                    None,
                )
            ):
                reason = f"`unless_sentence` matched 「{found.group()}」"
            elif sentence.startswith(QUOTE_MARK) and sentence not in reading.agreed:
                reason = "quoted from an earlier message, and not agreed to"
            elif rule.kind in self._content_kinds and (header := reading.content.get(sentence)):
                reason = f"an item of the work's content, listed under 「{header}」"
                continue
            elif (
                negated := (
                    self._negated(sentence, hit)
                    or self._inside_negated(sentence, hit)
                    or self._object_negated(compiled, sentence)
                )
            ) and not self._pressed_on_the_worker(reading, sentence, hit):
                reason = negated
            else:
                trace = RuleTrace(rule.id, rule.kind, True, sentence, hit.group(), overridden)
                if not overrule or (trace := self._overruled(trace)).fired:
                    return trace
                overruled = overruled or trace
                overruled_sentences.add(sentence)
                continue
            only_content = False
        if overruled is not None:
            return overruled
        return RuleTrace(
            rule.id, rule.kind, False, sentence, hit.group(), reason, excused=not only_content
        )

    def _pressed_on_the_worker(self, reading: _Reading, sentence: str, hit: re.Match[str]) -> bool:
        """Whether a hit reported (not denied) is pressed on the worker right after it, in its
        own sentence or the next: told of, then asked for again (`negation.pressed_again`)."""
        if self._denied(sentence, hit) or not self._reported_after(sentence, hit):
            return False
        index = reading.parts.index(sentence)
        following = reading.parts[index + 1 : index + 2]
        return any(self._pressed_again.search(part) for part in [sentence[hit.end() :], *following])

    def _excused(self, compiled: _CompiledRule, message: str) -> tuple[str, str]:
        """(why `unless` excuses the message, or ""; why it did not although it matched, or "").
        An excuse that is itself denied excuses nothing: 「クラウドワークスで納品しなくていい」
        is the risk, not the safe way."""
        if compiled.unless is None:
            return "", ""
        found = denied = set_aside = None
        for match in compiled.unless.finditer(message):
            if _set_aside(message, match):
                set_aside = set_aside or match
            elif not self._denied(message, match) or self._kept_until(message, match):
                found = match
                break
            else:
                denied = denied or match
        if found is None:
            if denied is not None:
                return "", f"`unless` matched 「{denied.group()}」 but it is negated"
            if set_aside is not None:
                return "", f"`unless` matched 「{set_aside.group()}」 but the client sets it aside"
            return "", ""
        excuse = f"`unless` matched 「{found.group()}」"
        if compiled.despite is not None and (against := compiled.despite.search(message)):
            return "", f"{excuse} but `despite` matched 「{against.group()}」"
        return excuse, ""

    @staticmethod
    def _kept_until(message: str, match: re.Match[str]) -> bool:
        """Whether the excuse puts the act after it, its negator being that order itself:
        「申請が承認されるまではお伝えできません」 (not 「承認されるまで待たなくていい」)."""
        if not match.group().endswith(_UNTIL):
            return False
        after = _SENTENCE_END.split(message[match.end() : match.end() + _AFTER_WINDOW])[0]
        return not _WAIT.search(after)

    def _object_negated(self, compiled: _CompiledRule, sentence: str) -> str:
        """Why a word-list rule's object is denied, or "": every word of another list in the
        sentence is negated (「メアドを聞くことはないので」, 「チャットワークでのやり取りは控えさせて
        ください」), so the request it pairs with asks for something else. Denied, not reported:
        「LINEで「副業」とメッセージください」 quotes what to send, not someone's proposal."""
        if not compiled.rule.denied_object_excuses:
            return ""
        for words in compiled.all_of[1:]:
            found = list(words.finditer(sentence))
            reasons = [
                self._denied(sentence, w) or self._inside_negated(sentence, w) for w in found
            ]
            if found and all(reasons):
                return f"「{found[0].group()}」 {reasons[0]}"
        return ""

    def _inside_negated(self, sentence: str, hit: re.Match[str]) -> str:
        """Why the hit is part of a longer phrase that another rule matched and found negated or
        reported, or "": 「サイト外」 in 「サイト外での直接契約はお受けしておりません」, where the
        negator is past the short hit's reach."""
        for compiled in self.rules:
            for other in self._hits(compiled, sentence):
                if (
                    other.start() <= hit.start()
                    and hit.end() <= other.end()
                    and other.span() != hit.span()
                    and (negated := self._negated(sentence, other))
                ):
                    return f"inside 「{other.group()}」 of {compiled.rule.id}: {negated}"
        return ""

    def _negated(self, sentence: str, hit: re.Match[str]) -> str:
        """Why the hit is not the client's proposal, or "": denied ("直接契約はできません",
        "we can't pay outside"), or reported ("直接契約を持ちかけられたことがありますが",
        "you suggested we move to Skype, but…")."""
        if denied := self._denied(sentence, hit):
            return denied
        if found := self._reported_after(sentence, hit):
            return f"reported, not proposed: 「{found.group().strip()}」"
        return ""

    def _reported_after(self, sentence: str, hit: re.Match[str]) -> re.Match[str] | None:
        """Someone else's words right after the hit (or around it, in English)."""
        after = sentence[hit.end() : hit.end() + _AFTER_WINDOW]
        around = sentence[max(0, hit.start() - _REPORTED_WINDOW) : hit.end() + _AFTER_WINDOW]
        return self._reported.search(after) or self._reported_en.search(around)

    def _denied(self, sentence: str, hit: re.Match[str]) -> str:
        """The half of `_negated` that a word-list rule's object is tested with: a negator
        right after the hit, or one shortly before it that is no proposal."""
        after_ja, after_en = self._after
        after = sentence[hit.end() : hit.end() + _AFTER_WINDOW]
        before = _CLAUSE_END.split(sentence[max(0, hit.start() - _BEFORE_WINDOW) : hit.start()])[-1]
        if (
            (
                after_ja.search(after)
                and not _ONLY_THEN_NEGATOR.search(sentence[hit.start() : hit.end() + _AFTER_WINDOW])
            )
            or after_en.search(sentence[hit.end() : hit.end() + _AFTER_WINDOW_EN])
            or (self._before.search(before) and not self._proposal.search(before))
        ):
            return "negated (できません, don't…)"
        return ""

    def _overruled(self, trace: RuleTrace) -> RuleTrace:
        """The fired rule's trace, or why the model overrules it: it is sure the sentence the rule
        fired on is ordinary. Never a rule that fired despite an excuse it met (「承認されているので、
        今回も申請なしで」): its `despite` is the evidence the model's words do not weigh."""
        if self.model is None or self._overrule >= 1.0 or trace.reason:
            return trace
        if self._not_overruled is not None and self._not_overruled.search(trace.sentence):
            return trace
        verdict = self.model.verdict(trace.sentence)
        if verdict is None or verdict.clean < self._overrule:
            return trace
        reason = f"overruled by the learned stage: P(ordinary)={verdict.clean:.5f}"
        return dataclasses.replace(trace, fired=False, reason=reason)

    def _learned(
        self, scanned: str, message: str, excused: dict[str, RuleTrace]
    ) -> tuple[_CompiledRule | None, RuleTrace]:
        """The model's most likely risky kind, told with the advice of that kind's first rule;
        believed above the threshold unless a rule of that kind says the context makes it safe:
        its `unless` matches, or it met the words the model weighs and found them negated,
        reported or a topic ("直接契約はお受けできません", "we cannot pay by PayPal")."""
        assert self.model is not None
        scanned = self._unsigned(scanned)
        verdict = self.model.verdict(scanned)
        if verdict is None or verdict.kind not in self._first_of_kind:
            return None, RuleTrace(LEARNED, "", False, reason="no risky kind learned")
        line = ""
        if verdict.probability < self._threshold and (riskiest := self._riskiest_line(scanned)):
            verdict, line = riskiest
        compiled = self._first_of_kind[verdict.kind]
        if verdict.probability < self._threshold:
            return None, self._learned_trace(verdict, f"below {self._threshold}")
        unless = self._learned_unless.get(verdict.kind)
        if unless is not None and (
            found := next((m for m in unless.finditer(message) if not _set_aside(message, m)), None)
        ):
            reason = f"`learned.unless` matched 「{found.group()}」"
            return None, self._learned_trace(verdict, reason, line)
        for excusing in self._unless_of_kind.get(verdict.kind, ()):
            excuse, _ = self._excused(excusing, message)
            if excuse:
                reason = f"{excuse} (of {excusing.rule.id})"
                return None, self._learned_trace(verdict, reason, line)
        if (declined := excused.get(verdict.kind)) is not None:
            reason = f"{declined.rule} matched 「{declined.span}」: {declined.reason}"
            return None, self._learned_trace(verdict, reason, line)
        return compiled, self._learned_trace(verdict, "", line)

    def _without_signature_block(self, scanned: str) -> str:
        """`scanned` without the signature lines of a block that closes it, for the rules: the
        lines after its last closing formula or rule of dashes, when they are all short. A
        company's address, phone number and e-mail address under its name ask for nothing; a
        request beside them, a sentence in the block, or a chat tool's ID in the block (not a
        `learned.signature` line), is still read; and the whole block when the message points
        at it (「連絡は以下でお願いします」)."""
        if self._signature is None:
            return scanned
        lines = scanned.splitlines()
        folded = [fold(line) for line in lines]
        closing = [bool(_SIGNATURE_OPENS.match(line)) for line in folded]
        last_written = max(
            (i for i, line in enumerate(lines) if line.strip() and not closing[i]), default=-1
        )
        opens = [i for i, closes in enumerate(closing) if closes and i < last_written]
        if not opens:
            return scanned
        start = opens[-1] + 1
        if any(len(line) > _SIGNATURE_LINE_LENGTH for line in lines[start:]):
            return scanned
        kept = [
            i
            for i in range(start, len(lines))
            if not self._signature.search(folded[i]) or _SIGNATURE_SPEAKS.search(folded[i])
        ]
        if any(_SIGNATURE_POINTED.search(folded[i]) for i in [*range(start), *kept]):
            return scanned
        return "\n".join([*lines[:start], *(lines[i] for i in kept)])

    def _unsigned(self, scanned: str) -> str:
        """`scanned` without its signature lines (`learned.signature`), for the model."""
        if self._signature is None:
            return scanned
        lines = scanned.splitlines()
        kept = [line for line in lines if not self._signature.search(fold(line))]
        return "\n".join(kept) if kept and len(kept) < len(lines) else scanned

    def _riskiest_line(self, scanned: str) -> tuple[Verdict, str] | None:
        """The line of a long message the model is surest is risky, with its verdict, among the
        lines it is sure enough of (`learned.lines`) that name their kind's object. The model
        (the analyser) weighs only the lines that name an object: the regexes are cheaper."""
        assert self.model is not None
        settings = self._lines
        lines = [line for line in scanned.splitlines() if len(line.strip()) >= _SHORTEST_LINE]
        if len(lines) < settings.at_least:
            return None
        found = []
        for line in lines:
            folded = fold(line)
            if self._line_unless is not None and self._line_unless.search(folded):
                continue
            named = {kind for kind, names in self._line_names.items() if names.search(folded)}
            if not named:
                continue
            verdict = self.model.verdict(line)
            if (
                verdict is not None
                and verdict.probability >= settings.threshold
                and verdict.kind in named
                and verdict.kind in self._first_of_kind
            ):
                found.append((verdict, line.strip()))
        return max(found, key=lambda item: item[0].probability, default=None)

    @staticmethod
    def _learned_trace(verdict: Verdict, reason: str, line: str = "") -> RuleTrace:
        """`line`: the one line the verdict is about, when the whole message was not risky
        enough."""
        words = ", ".join(f"{word} +{odds}" for word, odds in verdict.evidence) or "none"
        return RuleTrace(
            LEARNED,
            verdict.kind,
            not reason,
            sentence=line,
            span=words,
            reason=reason,
            probability=verdict.probability,
        )

    @staticmethod
    def _finding(rule: Rule, lang: Lang, severity: Severity | None = None) -> Finding:
        return Finding(
            kind=rule.kind,
            severity=severity or rule.severity,
            rule=rule.rule.get(lang),
            source=rule.source.get(lang),
            advice=rule.advice.get(lang),
        )

    def _template(
        self, templates: Sequence[_CompiledTemplate], message: str, lang: Lang
    ) -> str | None:
        """The first template that fits; one naming `{channel}` fits only if a channel is named."""
        for template in templates:
            if template.when is not None and not template.when.search(message):
                continue
            text = template.text.get(lang)
            if not template.names_channel:
                return text
            channel = self._channel(message)
            if channel is not None:
                return text.replace(_CHANNEL, channel.get(lang))
        return None

    def _channel(self, message: str) -> Localized | None:
        """The channel the client asked for: the one named first in the message."""
        found = [
            (hit.start(), deliver)
            for pattern, deliver in self._channels
            if (hit := pattern.search(message))
        ]
        return min(found, key=lambda item: item[0])[1] if found else None
