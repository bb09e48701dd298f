"""What the bot does, whatever the platform: answer, pick, walk through, check, remind, moderate.

Adapters hold one `Assistant` per platform and call only its methods: they never reach the store
or the engines, so every rule (what is recorded, rate limits, cooldowns, who is asked for a
comment) is written once here. The records kept for moderators (answer events, unanswered
questions, walkthrough events) carry no user ids. Answers never wait for those records, and the
walkthrough goes on from the step carried in its buttons when the store is unavailable.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry, Step
from bot.core.matcher import MAX_QUESTION_CHARS, Answer
from bot.core.ports import (
    QuestionTier,
    Reminder,
    Store,
    StoreUnavailable,
    WalkthroughEvent,
    utc_now,
)
from bot.core.ratelimit import RateLimiter
from bot.core.reports import format_gaps, format_stats, group_questions
from bot.core.safety import SafetyReport
from bot.core.schema import KnowledgeError, Lang
from bot.core.service import Engines, Service, watch_knowledge
from bot.core.text import explicit_language, fold
from bot.core.walkthrough import Action, Position, Progress

log = logging.getLogger(__name__)

T = TypeVar("T")

REMINDER_KEY = "check_application"
QUESTION_LIKE = re.compile(
    r"[?？]|(ですか|ますか|でしょうか|かな|教えて|知りたい|どうすれば|どうしたら)"
)
"""Un-mentioned chatter in an FAQ channel is only considered when it reads like a question."""


@dataclass(frozen=True)
class Pacing:
    """Limits and delays from settings: per-user rate limit, FAQ-channel cooldown, retention."""

    rate_limit_count: int = 5
    rate_limit_window_seconds: float = 30.0
    channel_cooldown_seconds: float = 600.0
    reminder_delay: timedelta = timedelta(hours=24)
    question_retention_days: float = 30.0


@dataclass(frozen=True)
class WalkState:
    """What an adapter renders for the guide: the step, its actions, and what to tell the user."""

    progress: Progress
    step: Step
    actions: tuple[Action, ...]
    finished: bool
    warn_unsaved: bool = False
    """Tell the user their progress may not be saved: the store failed, first time for them."""
    reminders: tuple[Reminder, ...] = field(default=())
    """The user's pending reminders, when the guide is opened and the store can say."""

    @property
    def offers_reminder(self) -> bool:
        return self.step.offers_reminder

    @classmethod
    def at(
        cls, position: Position, warn_unsaved: bool = False, reminders: tuple[Reminder, ...] = ()
    ) -> WalkState:
        return cls(
            position.progress,
            position.step,
            position.actions,
            position.finished,
            warn_unsaved,
            reminders,
        )


@dataclass(frozen=True)
class RateLimited:
    """A refused request: the notice, and whether it is the first refusal of this flood.

    An interaction must be answered, so it always gets the notice; a message gets it only
    the first time, then silence until the window lets the user in again.
    """

    notice: str
    first: bool


@dataclass(frozen=True)
class ReloadOutcome:
    """The moderator's reply to a reload: `ok` False means the last good knowledge stays."""

    ok: bool
    text: str


class Assistant:
    def __init__(
        self,
        service: Service,
        store: Store,
        platform: str,
        pacing: Pacing = Pacing(),
        records_usage: bool = True,
    ):
        """`records_usage` False (the local console): what is typed there is not counted in
        the statistics nor kept among the unanswered questions moderators review; walkthrough
        progress is still saved, so the guide resumes."""
        self.records_usage = records_usage
        self._service = service
        self._store = store
        self.platform = platform
        self.pacing = pacing
        self._limiter = RateLimiter(pacing.rate_limit_count, pacing.rate_limit_window_seconds)
        self._channel_cooldowns = RateLimiter(1, pacing.channel_cooldown_seconds or 1e-9)
        self._warned_unsaved: set[str] = set()

    @property
    def prepared(self) -> bool:
        """False on a cold start until the learned stages are trained: an adapter that must
        reply within seconds (a Discord interaction) says the reply is coming first."""
        return self._service.prepared

    async def _off_the_loop_until_prepared(self, work: Callable[..., T], *args: Any) -> T:
        """Until the service is prepared a call may wait seconds for the training: it runs in
        a worker thread then, so the event loop keeps the bot's connections alive."""
        if self._service.prepared:
            return work(*args)
        return await asyncio.to_thread(work, *args)

    @property
    def _engines(self) -> Engines:
        """Read on every call: a reload swaps them atomically."""
        return self._service.engines

    # --- answers ------------------------------------------------------------------------

    @property
    def topics(self) -> tuple[FaqEntry, ...]:
        """Every entry, in menu order: the topic list offered when nothing matched."""
        return self._engines.matcher.entries

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self._engines.knowledge.entry(entry_id)

    def related(self, answer: Answer, limit: int = 4) -> list[FaqEntry]:
        """Entries the answered one links to, still present after reloads."""
        if answer.entry is None:
            return []
        knowledge = self._engines.knowledge
        found = [knowledge.entry(entry_id) for entry_id in answer.entry.related]
        return [entry for entry in found if entry is not None][:limit]

    def complete(self, partial: str, limit: int = 25) -> list[FaqEntry]:
        """Entries ranked for what the user has typed so far (autocomplete); all when blank."""
        matcher = self._engines.matcher
        if not partial.strip():
            return list(matcher.entries[:limit])
        return [entry for entry, _ in matcher.rank(partial, limit=limit)]

    def rate_limit(self, user_id: str, lang: Lang) -> RateLimited | None:
        """Count a request; None when the user may go on, else what to tell them."""
        decision = self._limiter.hit(user_id)
        if decision.allowed:
            return None
        seconds = max(1, round(decision.retry_after))
        return RateLimited(ui("rate_limited", lang, seconds=seconds), decision.first_refusal)

    async def ask(self, question: str, lang: Lang | None = None) -> Answer:
        """Score a question once and record the outcome for moderators."""
        answer = await self._off_the_loop_until_prepared(
            self._engines.matcher.answer, question, lang
        )
        self._record(question, answer)
        return answer

    async def ask_or_pick(self, text: str, lang: Lang) -> Answer | None:
        """`/faq`: an autocomplete pick arrives as an entry id, free text as a question.

        `lang` is the user's interface language; a question written in the other one is
        answered in the language it is written in. None when a picked entry is gone.
        """
        if self.entry(text.strip()) is not None:
            return await self.pick(text.strip(), lang)
        return await self.ask(text, explicit_language(text) or lang)

    async def pick(self, entry_id: str, lang: Lang) -> Answer | None:
        """An entry chosen from suggestions, the topic menu or autocomplete; None if gone."""
        entry = self.entry(entry_id)
        if entry is None:
            return None
        if self.records_usage:
            self._store.record_answer(entry.id, lang, "pick")
        return self._engines.matcher.answer_for(entry, lang)

    async def answer_in_channel(self, channel_id: str, user_id: str, text: str) -> Answer | None:
        """FAQ channels: confident answers only, once per entry per channel per cooldown.

        The question is scored once; chatter that gets no answer is neither answered nor
        recorded, and a rate-limited user is silently skipped (no notice in a public channel).
        """
        if not QUESTION_LIKE.search(fold(text)):
            return None
        answer = await self._off_the_loop_until_prepared(self._engines.matcher.answer, text)
        if answer.entry is None:
            return None
        if not self._channel_cooldowns.hit(f"{channel_id}:{answer.entry.id}").allowed:
            return None
        if not self._limiter.hit(user_id).allowed:
            return None
        self._record(text, answer)
        return answer

    def _record(self, question: str, answer: Answer) -> None:
        """Queued for the store's background writer: an answer never waits for it."""
        if not self.records_usage:
            return
        if answer.entry is not None:
            self._store.record_answer(answer.entry.id, answer.lang, "answer")
        elif question.strip():
            tier: QuestionTier = "suggest" if answer.tier == "suggest" else "none"
            self._store.record_question(question.strip()[:MAX_QUESTION_CHARS], tier, answer.lang)

    # --- safety check -------------------------------------------------------------------

    async def check(self, text: str, lang: Lang | None = None) -> SafetyReport:
        """Safety check of a client's message. Nothing is stored: it is someone else's text."""
        return await self._off_the_loop_until_prepared(self._engines.safety.check, text, lang)

    # --- walkthrough --------------------------------------------------------------------

    async def walkthrough(self, user_id: str) -> WalkState:
        """Where the user left off, or the first step for a newcomer (or when the store fails)."""
        walkthrough = self._engines.walkthrough
        try:
            stored = await self._store.get_progress(self.platform, user_id)
        except StoreUnavailable as exc:
            log.debug("walkthrough starts without stored progress: %s", exc)
            return WalkState.at(walkthrough.state(None), self._warn_once(user_id))
        position = walkthrough.state(stored)
        warn = False
        if stored is None:
            self._count_walkthrough("started")
            warn = not await self._save(user_id, position.progress) and self._warn_once(user_id)
        return WalkState.at(position, warn, await self._pending_if_known(user_id))

    async def walk(self, user_id: str, step_id: str, action: str) -> WalkState:
        """Apply a pressed button / chosen number, addressed by the step it was shown on.

        The stored progress is read and checked once per press. Without the store the button's
        own step is enough: the user moves on, and is told once that it may not be saved.
        """
        try:
            stored = await self._store.get_progress(self.platform, user_id)
            new_user = stored is None
        except StoreUnavailable as exc:
            log.debug("walkthrough goes on from the button's step: %s", exc)
            stored, new_user = None, False
        position, finished_now = self._engines.walkthrough.press(stored, step_id, action)
        if action == "restart" or new_user:
            self._count_walkthrough("started")
        if finished_now:
            self._count_walkthrough("finished")
        saved = await self._save(user_id, position.progress)
        return WalkState.at(position, not saved and self._warn_once(user_id))

    def _count_walkthrough(self, event: WalkthroughEvent) -> None:
        if self.records_usage:
            self._store.record_walkthrough(event)

    async def _save(self, user_id: str, progress: Progress) -> bool:
        try:
            await self._store.set_progress(self.platform, user_id, progress.encode())
        except StoreUnavailable as exc:
            log.debug("walkthrough progress not saved: %s", exc)
            return False
        self._warned_unsaved.clear()
        return True

    def _warn_once(self, user_id: str) -> bool:
        """True the first time a user meets the failing store; a successful save resets it."""
        if user_id in self._warned_unsaved:
            return False
        self._warned_unsaved.add(user_id)
        return True

    async def _pending_if_known(self, user_id: str) -> tuple[Reminder, ...]:
        try:
            return tuple(await self.pending_reminders(user_id))
        except StoreUnavailable as exc:
            log.debug("pending reminders not listed: %s", exc)
            return ()

    # --- reminders ----------------------------------------------------------------------

    async def remind(self, user_id: str, lang: Lang) -> Reminder:
        """「明日リマインドする」: a DM later asking the user to check the application status.

        Pressing again while one is pending returns that one: one reminder, not a DM per click.
        """
        for pending in await self.pending_reminders(user_id):
            if pending.text_key.partition(":")[0] == REMINDER_KEY:
                return pending
        due = utc_now() + self.pacing.reminder_delay
        return await self._store.add_reminder(
            self.platform, user_id, user_id, f"{REMINDER_KEY}:{lang}", due
        )

    async def pending_reminders(self, user_id: str) -> list[Reminder]:
        return await self._store.pending_reminders(self.platform, user_id)

    async def cancel_reminder(self, user_id: str, reminder_id: int) -> bool:
        return await self._store.cancel_reminder(self.platform, user_id, reminder_id)

    @staticmethod
    def reminder_text(reminder: Reminder) -> str:
        _, _, lang = reminder.text_key.partition(":")
        return ui(f"remind_{REMINDER_KEY}", "en" if lang == "en" else "ja")

    async def deliver_reminders(self, send: Callable[[str, str], Awaitable[bool]]) -> int:
        """Send every due reminder of this platform; returns how many were settled.

        `send(user_id, text)` returns False when the user can never receive it (the reminder
        is dropped) and raises when a later attempt may work (it stays due). A reminder is
        marked delivered only after it went out: a crash in between repeats it, never loses it.
        """
        settled = 0
        for reminder in await self._store.due_reminders():
            if reminder.platform != self.platform:
                continue
            try:
                delivered = await send(reminder.user_id, self.reminder_text(reminder))
            except Exception:
                log.warning("could not send reminder %d; will retry", reminder.id, exc_info=True)
                continue
            if not delivered:
                log.warning(
                    "user %s cannot receive DMs; dropping reminder %d",
                    reminder.user_id,
                    reminder.id,
                )
            await self._store.mark_delivered(reminder.id)
            settled += 1
        return settled

    # --- feedback -----------------------------------------------------------------------

    async def vote(self, user_id: str, message_id: str, entry_id: str, helpful: bool) -> bool:
        """Store a 👍 / 👎 on an answer; True when the user should be asked what was missing.

        One vote per user per answer message. Voting the same way again keeps the comment; a
        changed vote drops it. Only a first 👎 asks, so nobody is asked twice.
        """
        earlier = await self._store.get_feedback(self.platform, user_id, message_id)
        comment = earlier.comment if earlier is not None and earlier.helpful == helpful else None
        await self._store.record_feedback(
            self.platform, user_id, message_id, entry_id, helpful, comment
        )
        asked_before = earlier is not None and not earlier.helpful
        return not helpful and not asked_before

    async def comment(self, user_id: str, message_id: str, entry_id: str, text: str) -> None:
        """What was missing, given after a 👎 (empty text keeps just the vote)."""
        await self._store.record_feedback(
            self.platform,
            user_id,
            message_id,
            entry_id,
            helpful=False,
            comment=text.strip() or None,
        )

    # --- moderators ---------------------------------------------------------------------

    async def reload(self, lang: Lang) -> ReloadOutcome:
        """Load the knowledge again, off the event loop; on errors the last good one stays."""
        try:
            engines = await asyncio.to_thread(self._service.reload)
        except KnowledgeError as exc:
            return ReloadOutcome(False, ui("reload_failed", lang, problems=exc))
        knowledge = engines.knowledge
        steps = len(knowledge.walkthrough.steps)
        return ReloadOutcome(True, ui("reloaded", lang, faq=len(knowledge.faq), steps=steps))

    async def gaps_report(self, lang: Lang) -> str:
        """Unanswered questions within the retention period, grouped by similarity."""
        since = utc_now() - timedelta(days=self.pacing.question_retention_days)
        return format_gaps(group_questions(await self._store.questions(since=since)), lang)

    async def stats_report(self, lang: Lang) -> str:
        return format_stats(await self._store.stats(), self._engines.knowledge, lang)

    # --- upkeep, run by the adapter's background tasks ---------------------------------

    async def heartbeat(self) -> None:
        """Proof of life for `chatwork-safe-bot health`, read from another process."""
        await self._store.beat()

    async def prune_questions(self) -> int:
        removed = await self._store.prune_questions(self.pacing.question_retention_days)
        if removed:
            log.info(
                "pruned %d recorded questions older than %s days",
                removed,
                self.pacing.question_retention_days,
            )
        return removed

    async def watch_knowledge(self, interval: float) -> None:
        """`KNOWLEDGE_WATCH=1`: reload whenever a knowledge file changes (runs until cancelled)."""
        await watch_knowledge(self._service, interval)

    async def recall(self, key: str) -> str | None:
        """A value an adapter kept across restarts (e.g. the hash of its synced commands)."""
        return await self._store.get_meta(key)

    async def remember(self, key: str, value: str) -> None:
        await self._store.set_meta(key, value)
