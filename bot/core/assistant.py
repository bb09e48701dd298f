"""What the bot does for a user, whatever the platform: answer, pick, walk through, check.

Adapters call these and only translate the results; the records kept for moderators (answer
events, unanswered questions, walkthrough progress) are made here, once, for every platform.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.core.matcher import MAX_QUESTION_CHARS, Answer
from bot.core.ports import Reminder, Store, utc_now
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

    @property
    def engines(self) -> Engines:
        return self.service.engines

    async def ask(self, question: str, lang: Lang | None = None) -> Answer:
        answer = self.engines.matcher.answer(question, lang)
        if answer.entry is not None:
            await self.store.record_answer(answer.entry.id, answer.lang, "answer")
        elif question.strip():
            tier = "suggest" if answer.tier == "suggest" else "none"
            await self.store.record_question(
                question.strip()[:MAX_QUESTION_CHARS], tier, answer.lang
            )
        return answer

    async def pick(self, entry_id: str, lang: Lang) -> Answer | None:
        """An entry chosen from suggestions, the topic menu or autocomplete; None if gone."""
        entry = self.engines.knowledge.entry(entry_id)
        if entry is None:
            return None
        await self.store.record_answer(entry.id, lang, "pick")
        return self.engines.matcher.answer_for(entry, lang)

    def check(self, text: str, lang: Lang | None = None) -> SafetyReport:
        """Safety check of a client's message. Nothing is stored: it is someone else's text."""
        return self.engines.safety.check(text, lang)

    async def walkthrough(self, user_id: str) -> WalkState:
        """Where the user left off, or the first step for a newcomer."""
        stored = await self.store.get_progress(self.platform, user_id)
        walkthrough = self.engines.walkthrough
        progress = walkthrough.resume(stored)
        if stored is None:
            await self.store.record_walkthrough("started")
            await self.store.set_progress(self.platform, user_id, progress.encode())
        return self._state(progress)

    async def walk(self, user_id: str, step_id: str, action: str) -> WalkState:
        """Apply a pressed button / chosen number, addressed by the step it was shown on."""
        walkthrough = self.engines.walkthrough
        stored = await self.store.get_progress(self.platform, user_id)
        resumed = walkthrough.resume(stored)
        before = resumed if resumed.step_id == step_id else walkthrough.at(step_id)
        after = walkthrough.advance_at(step_id, action, stored)
        if action == "restart" or stored is None:
            await self.store.record_walkthrough("started")
        if walkthrough.reached_end(before, after):
            await self.store.record_walkthrough("finished")
        await self.store.set_progress(self.platform, user_id, after.encode())
        return self._state(after)

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

    def _state(self, progress: Progress) -> WalkState:
        walkthrough = self.engines.walkthrough
        return WalkState(
            progress=progress,
            step=walkthrough.step(progress),
            actions=walkthrough.actions(progress),
            finished=walkthrough.is_finished(progress),
        )
