"""What the bot does for a user, whatever the platform: answer, pick, walk through, check.

Adapters call these and only translate the results; the records kept for moderators (answer
events, unanswered questions, walkthrough progress) are made here, once, for every platform.
Answers never wait for those records, and the walkthrough goes on from the step carried in
its buttons when the store is unavailable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.matcher import MAX_QUESTION_CHARS, Answer
from bot.core.ports import Reminder, Store, StoreUnavailable, utc_now
from bot.core.replies import ui
from bot.core.safety import SafetyReport
from bot.core.schema import Lang
from bot.core.service import Engines, Service
from bot.core.walkthrough import Action, Progress, Step

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WalkState:
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


REMINDER_KEY = "check_application"


class Assistant:
    def __init__(
        self,
        service: Service,
        store: Store,
        platform: str,
        reminder_delay: timedelta = timedelta(hours=24),
    ):
        self.service = service
        self.store = store
        self.platform = platform
        self.reminder_delay = reminder_delay
        self._warned_unsaved: set[str] = set()

    @property
    def engines(self) -> Engines:
        return self.service.engines

    async def ask(self, question: str, lang: Lang | None = None) -> Answer:
        answer = self.engines.matcher.answer(question, lang)
        if answer.entry is not None:
            self.store.record_answer(answer.entry.id, answer.lang, "answer")
        elif question.strip():
            tier = "suggest" if answer.tier == "suggest" else "none"
            self.store.record_question(question.strip()[:MAX_QUESTION_CHARS], tier, answer.lang)
        return answer

    async def pick(self, entry_id: str, lang: Lang) -> Answer | None:
        """An entry chosen from suggestions, the topic menu or autocomplete; None if gone."""
        entry = self.engines.knowledge.entry(entry_id)
        if entry is None:
            return None
        self.store.record_answer(entry.id, lang, "pick")
        return self.engines.matcher.answer_for(entry, lang)

    def check(self, text: str, lang: Lang | None = None) -> SafetyReport:
        """Safety check of a client's message. Nothing is stored: it is someone else's text."""
        return self.engines.safety.check(text, lang)

    async def walkthrough(self, user_id: str) -> WalkState:
        """Where the user left off, or the first step for a newcomer (or when the store fails)."""
        walkthrough = self.engines.walkthrough
        try:
            stored = await self.store.get_progress(self.platform, user_id)
        except StoreUnavailable as exc:
            log.debug("walkthrough starts without stored progress: %s", exc)
            return self._state(walkthrough.start(), self._warn_once(user_id))
        progress = walkthrough.resume(stored)
        warn = False
        if stored is None:
            self.store.record_walkthrough("started")
            warn = not await self._save(user_id, progress) and self._warn_once(user_id)
        return self._state(progress, warn, await self._pending_if_known(user_id))

    async def walk(self, user_id: str, step_id: str, action: str) -> WalkState:
        """Apply a pressed button / chosen number, addressed by the step it was shown on.

        Without the store the button's own step is enough: the user moves on, and is told once
        that the progress may not be saved.
        """
        walkthrough = self.engines.walkthrough
        try:
            stored = await self.store.get_progress(self.platform, user_id)
            new_user = stored is None
        except StoreUnavailable as exc:
            log.debug("walkthrough goes on from the button's step: %s", exc)
            stored, new_user = None, False
        resumed = walkthrough.resume(stored)
        before = resumed if resumed.step_id == step_id else walkthrough.at(step_id)
        after = walkthrough.advance_at(step_id, action, stored)
        if action == "restart" or new_user:
            self.store.record_walkthrough("started")
        if walkthrough.reached_end(before, after):
            self.store.record_walkthrough("finished")
        saved = await self._save(user_id, after)
        return self._state(after, not saved and self._warn_once(user_id))

    async def _save(self, user_id: str, progress: Progress) -> bool:
        try:
            await self.store.set_progress(self.platform, user_id, progress.encode())
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

    async def remind(self, user_id: str, lang: Lang) -> Reminder:
        """「明日リマインドする」: a DM later asking the user to check the application status.

        Pressing again while one is pending returns that one: one reminder, not a DM per click.
        """
        for pending in await self.pending_reminders(user_id):
            if pending.text_key.partition(":")[0] == REMINDER_KEY:
                return pending
        due = utc_now() + self.reminder_delay
        return await self.store.add_reminder(
            self.platform, user_id, user_id, f"{REMINDER_KEY}:{lang}", due
        )

    async def pending_reminders(self, user_id: str) -> list[Reminder]:
        return await self.store.pending_reminders(self.platform, user_id)

    async def cancel_reminder(self, user_id: str, reminder_id: int) -> bool:
        return await self.store.cancel_reminder(self.platform, user_id, reminder_id)

    @staticmethod
    def reminder_text(reminder: Reminder) -> str:
        _, _, lang = reminder.text_key.partition(":")
        return ui(f"remind_{REMINDER_KEY}", "en" if lang == "en" else "ja")

    def _state(
        self, progress: Progress, warn_unsaved: bool, reminders: tuple[Reminder, ...] = ()
    ) -> WalkState:
        walkthrough = self.engines.walkthrough
        return WalkState(
            progress=progress,
            step=walkthrough.step(progress),
            actions=walkthrough.actions(progress),
            finished=walkthrough.is_finished(progress),
            warn_unsaved=warn_unsaved,
            reminders=reminders,
        )
