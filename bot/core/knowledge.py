"""Knowledge files (`knowledge/*.yaml`): schema, loading and precise error reporting.

Content is data, not code, so a moderator can fix a typo without a release; the price of that is
that every mistake must be reported with the file, line, entry and field it sits in.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from pydantic import Field, field_validator

from bot.core.gcpause import without_collection
from bot.core.learned import (
    MESSAGES_FILE,
    QUESTIONS_FILE,
    LabelledMessage,
    LabelledQuestion,
    MessagesFile,
    QuestionsFile,
    check_messages,
    check_questions,
)
from bot.core.safety import SAFETY_FILE, PassedExamples, SafetyFile, check_safety
from bot.core.schema import (
    LANGS,
    AsOf,
    Document,
    EntryId,
    KnowledgeError,
    Localized,
    M,
    Name,
    NonEmpty,
    Problem,
    Strict,
    duplicate_ids,
)

log = logging.getLogger(__name__)

FAQ_FILE = "faq.yaml"
WALKTHROUGH_FILE = "walkthrough.yaml"
VOCABULARY_FILE = "vocabulary.yaml"


class Phrasings(Strict):
    ja: list[NonEmpty] = Field(min_length=1)
    en: list[NonEmpty] = Field(min_length=1)


class Source(Strict):
    name: NonEmpty
    url: str | None = None


class Sourced(Strict):
    """Content that states facts: where they come from, and when they were checked."""

    sources: list[Source] = Field(min_length=1)
    as_of: AsOf | None = None

    @field_validator("as_of", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """YAML reads an unquoted `as_of: 2026-01-15` as a date; keep the documented form valid."""
        return value.isoformat() if type(value) is date else value


class FaqEntry(Sourced):
    id: EntryId
    title: Localized
    answer: Localized
    questions: Phrasings
    keywords: list[NonEmpty] = Field(min_length=1)
    related: list[EntryId] = []


class FaqFile(Strict):
    entries: list[FaqEntry] = Field(min_length=1)


class Alias(Strict):
    pattern: NonEmpty
    """A regex on NFKC, lower-case text with katakana folded to hiragana."""
    canonical: NonEmpty


class Addressing(Strict):
    """How users call the bot at the start of a question ("@bot", "ねえボット、", "hey bot,"):
    dropped before matching, so that the bot is not taken for what it is asked about."""

    names: list[NonEmpty] = []
    calls: list[NonEmpty] = []
    """Words said before a name (ねえ, hey)."""


class VocabularyFile(Strict):
    """The words the answer engine knows beyond the FAQ itself (see bot/core/matcher.py)."""

    anchors: list[NonEmpty] = Field(min_length=1)
    other_subjects: list[NonEmpty] = []
    unsupported: list[NonEmpty] = []
    marketplaces: list[NonEmpty] = []
    """Other crowdsourcing sites: unsupported too, but a foil when set against ours."""
    aspects: dict[Name, list[NonEmpty]] = {}
    names: list[NonEmpty] = []
    aliases: list[Alias] = []
    filler: list[NonEmpty] = []
    stopwords_en: list[NonEmpty] = []
    generic: list[NonEmpty] = []
    addressing: Addressing = Addressing()


class Choice(Strict):
    label: Localized
    next: EntryId


class Step(Sourced):
    id: EntryId
    title: Localized
    body: Localized
    copy_text: Localized | None = None
    choices: list[Choice] = []
    next: EntryId | None = None
    offers_reminder: bool = False
    """The waiting-for-approval step: adapters that can send DMs offer 「明日リマインドする」."""


class WalkthroughFile(Strict):
    start: EntryId
    steps: list[Step] = Field(min_length=1)


@dataclass(frozen=True)
class Knowledge:
    directory: Path
    faq: tuple[FaqEntry, ...]
    walkthrough: WalkthroughFile
    safety: SafetyFile
    vocabulary: VocabularyFile
    messages: tuple[LabelledMessage, ...]
    """Labelled client messages the safety check's learned stage is trained on."""
    questions: tuple[LabelledQuestion, ...]
    """Labelled questions the matcher's learned ranker is trained on, with the phrasings."""

    def entry(self, entry_id: str) -> FaqEntry | None:
        return next((e for e in self.faq if e.id == entry_id), None)


def default_knowledge_dir() -> Path:
    """`KNOWLEDGE_DIR`, else the copy shipped in the wheel, else the checkout's `knowledge/`.

    Never relative to the current directory: the bot must work from a service's working dir.
    """
    override = os.environ.get("KNOWLEDGE_DIR")
    if override:
        return Path(override)
    package_dir = Path(__file__).resolve().parent.parent
    bundled = package_dir / "knowledge_data"
    if bundled.is_dir():
        return bundled
    return package_dir.parent / "knowledge"


def _check_faq(doc: Document, faq: FaqFile) -> list[Problem]:
    ids = [e.id for e in faq.entries]
    problems = duplicate_ids(doc, "entries", ids)
    known = set(ids)
    for index, entry in enumerate(faq.entries):
        for position, related in enumerate(entry.related):
            if related not in known:
                loc: tuple[str | int, ...] = ("entries", index, "related", position)
                problems.append(doc.problem(loc, f"unknown related id '{related}'"))
        for lang in LANGS:
            seen: set[str] = set()
            for position, phrasing in enumerate(getattr(entry.questions, lang)):
                if phrasing in seen:
                    loc = ("entries", index, "questions", lang, position)
                    problems.append(doc.problem(loc, f"repeated phrasing '{phrasing}'"))
                seen.add(phrasing)
    return problems


def _check_walkthrough(doc: Document, walk: WalkthroughFile) -> list[Problem]:
    ids = [s.id for s in walk.steps]
    problems = duplicate_ids(doc, "steps", ids)
    known = set(ids)
    if walk.start not in known:
        problems.append(doc.problem(("start",), f"unknown step '{walk.start}'"))
    for index, step in enumerate(walk.steps):
        if step.next is not None and step.next not in known:
            problems.append(doc.problem(("steps", index, "next"), f"unknown step '{step.next}'"))
        for position, choice in enumerate(step.choices):
            if choice.next not in known:
                loc = ("steps", index, "choices", position, "next")
                problems.append(doc.problem(loc, f"unknown step '{choice.next}'"))
    return problems


def _check_vocabulary(doc: Document, vocabulary: VocabularyFile) -> list[Problem]:
    problems = []
    for index, alias in enumerate(vocabulary.aliases):
        try:
            re.compile(alias.pattern)
        except re.error as exc:
            problems.append(doc.problem(("aliases", index, "pattern"), f"invalid regex: {exc}"))
    return problems


@without_collection
def load_knowledge(directory: Path | None = None, cache_dir: Path | None = None) -> Knowledge:
    """Load and validate every knowledge file; raise KnowledgeError listing all problems.
    `cache_dir` remembers a safety file that passed its examples (`PassedExamples`)."""
    directory = Path(directory) if directory is not None else default_knowledge_dir()
    problems: list[Problem] = []

    def parse(
        name: str, model: type[M], extra_checks: Callable[[Document, M], list[Problem]]
    ) -> M | None:
        path = directory / name
        display = str(path)
        if not path.is_file():
            problems.append(Problem(display, None, None, None, "file not found"))
            return None
        try:
            doc = Document(path, display)
            parsed = doc.validate(model)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
            return None
        problems.extend(extra_checks(doc, parsed))
        return parsed

    faq = parse(FAQ_FILE, FaqFile, _check_faq)
    walkthrough = parse(WALKTHROUGH_FILE, WalkthroughFile, _check_walkthrough)
    passed = PassedExamples(cache_dir) if cache_dir is not None else None
    safety = parse(SAFETY_FILE, SafetyFile, partial(check_safety, passed=passed))
    vocabulary = parse(VOCABULARY_FILE, VocabularyFile, _check_vocabulary)

    def check_kinds(doc: Document, labelled: MessagesFile) -> list[Problem]:
        """Against the rules' kinds; unknowable while safety.yaml itself is broken."""
        if safety is None:
            return []
        return check_messages(doc, labelled, {rule.kind for rule in safety.rules})

    messages = parse(MESSAGES_FILE, MessagesFile, check_kinds)

    def check_entries(doc: Document, labelled: QuestionsFile) -> list[Problem]:
        """Against the FAQ's ids; unknowable while faq.yaml itself is broken."""
        if faq is None:
            return []
        return check_questions(doc, labelled, (entry.id for entry in faq.entries))

    questions = parse(QUESTIONS_FILE, QuestionsFile, check_entries)
    if (
        problems
        or faq is None
        or walkthrough is None
        or safety is None
        or vocabulary is None
        or messages is None
        or questions is None
    ):
        raise KnowledgeError(problems)
    log.info(
        "loaded %d FAQ entries and %d walkthrough steps from %s",
        len(faq.entries),
        len(walkthrough.steps),
        directory,
    )
    return Knowledge(
        directory=directory,
        faq=tuple(faq.entries),
        walkthrough=walkthrough,
        safety=safety,
        vocabulary=vocabulary,
        messages=tuple(messages.messages),
        questions=tuple(questions.questions),
    )
