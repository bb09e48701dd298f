"""The store port: what the core keeps between restarts, as an async interface with no SQL.

The core owns this interface and its records; `bot/store/` implements them, so importing the
core never loads a database driver.

SQLite is the default; PostgreSQL (several bot processes) can implement the same interface.
Timestamps are timezone-aware UTC datetimes at this boundary. Users are `(platform, user_id)`
strings so Discord, Slack and the console share one store. Question texts, answer and
walkthrough events carry no user ids: they exist for improving the FAQ, not for tracking people.

The store never stands between a user and an answer: those records are queued and written in
batches in the background (dropped, and counted, when the store fails), and the calls a user
waits for give up with `StoreUnavailable` well within Discord's 3 s deadline.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal, Self, get_args

QuestionTier = Literal["none", "suggest"]
"""Why a question is worth a moderator's look: no match at all, or only 「もしかして」."""

AnswerTier = Literal["answer", "pick"]
"""How an entry was shown: a confident answer to free text, or picked from a list/button."""

WalkthroughEvent = Literal["started", "finished"]

QUESTION_TIERS: tuple[str, ...] = get_args(QuestionTier)
ANSWER_TIERS: tuple[str, ...] = get_args(AnswerTier)
WALKTHROUGH_EVENTS: tuple[str, ...] = get_args(WalkthroughEvent)


class StoreError(Exception):
    """The store cannot be opened or used as configured (bad URL, newer schema)."""


class StoreUnavailable(Exception):
    """The store did not answer in time, or refused (locked, read-only, disk): a passing fault.

    Callers on a user's path go on without the store; the store retries by itself.
    """


@dataclass(frozen=True)
class Feedback:
    platform: str
    user_id: str
    message_id: str
    entry_id: str
    helpful: bool
    comment: str | None
    created_at: datetime


@dataclass(frozen=True)
class RecordedQuestion:
    text: str
    tier: QuestionTier
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """An entry shown (entry set) or a question's outcome for stats (entry None)."""

    entry_id: str | None
    lang: str
    tier: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    text: str
    tier: QuestionTier
    lang: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WalkthroughRecord:
    event: WalkthroughEvent
    created_at: datetime


Record = AnswerRecord | QuestionRecord | WalkthroughRecord
"""What `Store.record_*` queue for the background writer."""


@dataclass(frozen=True)
class Reminder:
    id: int
    platform: str
    user_id: str
    target: str
    text_key: str
    due_at: datetime
    created_at: datetime
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.delivered_at is None and self.cancelled_at is None


@dataclass(frozen=True)
class EntryCount:
    entry_id: str
    count: int


@dataclass(frozen=True)
class Stats:
    """Figures for `/faq-admin stats` and `report` over events since `since` (None: all time).

    A free-text question is counted once, by its outcome: answered (confident), suggested or
    unanswered. Entries picked from suggestions or menus count towards `top_entries` but are
    not new questions, so they do not inflate the answer rate.
    """

    since: datetime | None
    top_entries: tuple[EntryCount, ...]
    answered: int
    suggested: int
    unanswered: int
    helpful: int
    not_helpful: int
    walkthrough_started: int
    walkthrough_finished: int

    @property
    def questions(self) -> int:
        return self.answered + self.suggested + self.unanswered

    @property
    def answer_rate(self) -> float | None:
        return _ratio(self.answered, self.questions)

    @property
    def helpful_ratio(self) -> float | None:
        return _ratio(self.helpful, self.helpful + self.not_helpful)

    @property
    def completion_rate(self) -> float | None:
        """Finishes per start; capped at 1 because a finish can follow a start before `since`."""
        rate = _ratio(self.walkthrough_finished, self.walkthrough_started)
        return None if rate is None else min(rate, 1.0)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {allowed}, not {value!r}")


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes: guessing their zone would shift reminders by hours."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp must be timezone-aware: {moment!r}")
    return moment.astimezone(UTC)


class Store(ABC):
    """Persistence for one bot process; every method is safe to await concurrently."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @abstractmethod
    async def close(self) -> None: ...

    # Walkthrough progress: an opaque string (`Progress.encode()`), validated on resume.
    @abstractmethod
    async def get_progress(self, platform: str, user_id: str) -> str | None: ...

    @abstractmethod
    async def set_progress(
        self, platform: str, user_id: str, progress: str, now: datetime | None = None
    ) -> None: ...

    @abstractmethod
    async def clear_progress(self, platform: str, user_id: str) -> None: ...

    # Key/value meta, e.g. the hash of the last synced command set.
    @abstractmethod
    async def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    async def set_meta(self, key: str, value: str) -> None: ...

    # Feedback: one vote per user per answer message; voting again replaces the vote.
    @abstractmethod
    async def record_feedback(
        self,
        platform: str,
        user_id: str,
        message_id: str,
        entry_id: str,
        helpful: bool,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> None: ...

    @abstractmethod
    async def get_feedback(
        self, platform: str, user_id: str, message_id: str
    ) -> Feedback | None: ...

    # Questions worth improving the FAQ for, and the outcome of every question for stats.
    # Recording never waits and never fails: the record is queued (see `flush`).
    def record_question(
        self, text: str, tier: QuestionTier, lang: str, now: datetime | None = None
    ) -> None:
        """Keep the text for `gaps` (pruned) and the outcome for `stats` (kept, no text)."""
        _check(tier, QUESTION_TIERS, "question tier")
        self._queue(QuestionRecord(text, tier, lang, as_utc(now or utc_now())))

    def record_answer(
        self, entry_id: str, lang: str, tier: AnswerTier, now: datetime | None = None
    ) -> None:
        _check(tier, ANSWER_TIERS, "answer tier")
        self._queue(AnswerRecord(entry_id, lang, tier, as_utc(now or utc_now())))

    def record_walkthrough(self, event: WalkthroughEvent, now: datetime | None = None) -> None:
        _check(event, WALKTHROUGH_EVENTS, "walkthrough event")
        self._queue(WalkthroughRecord(event, as_utc(now or utc_now())))

    @abstractmethod
    def _queue(self, record: Record) -> None:
        """Hand a record to the background writer without waiting."""

    @abstractmethod
    async def write_records(self, records: Sequence[Record]) -> None:
        """Write a batch at once (the background writer's call); raises StoreUnavailable."""

    @abstractmethod
    async def flush(self) -> None:
        """Write every queued record now (reports read their own records; close flushes)."""

    @abstractmethod
    async def questions(self, since: datetime | None = None) -> list[RecordedQuestion]: ...

    @abstractmethod
    async def prune_questions(self, older_than_days: float, now: datetime | None = None) -> int: ...

    # Reminders, delivered by a loop that polls `due_reminders`, so they survive restarts.
    @abstractmethod
    async def add_reminder(
        self,
        platform: str,
        user_id: str,
        target: str,
        text_key: str,
        due_at: datetime,
        now: datetime | None = None,
    ) -> Reminder: ...

    @abstractmethod
    async def due_reminders(self, now: datetime | None = None) -> list[Reminder]: ...

    @abstractmethod
    async def mark_delivered(self, reminder_id: int, now: datetime | None = None) -> bool: ...

    @abstractmethod
    async def cancel_reminder(
        self, platform: str, user_id: str, reminder_id: int, now: datetime | None = None
    ) -> bool: ...

    @abstractmethod
    async def pending_reminders(self, platform: str, user_id: str) -> list[Reminder]: ...

    @abstractmethod
    async def stats(self, since: datetime | None = None, top: int = 10) -> Stats: ...

    # Heartbeat of the running bot, read by `chatwork-safe-bot health` in another process.
    @abstractmethod
    async def beat(self, now: datetime | None = None) -> None: ...

    @abstractmethod
    async def last_beat(self) -> datetime | None: ...
