"""The Discord client: events and interactions in, core calls, Discord messages out."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import discord
from discord import app_commands

from bot.adapters.discord_bot import commands, reminders
from bot.adapters.discord_bot.admin import register_admin
from bot.adapters.discord_bot.components import DYNAMIC_ITEMS, EntryButton, TopicSelect, WalkButton
from bot.adapters.discord_bot.feedback import FeedbackButton, feedback_buttons
from bot.adapters.discord_bot.render import (
    Payload,
    entry_payloads,
    locale_lang,
    no_answer_payload,
    step_embed,
    suggestions_payload,
)
from bot.adapters.discord_bot.safety_commands import register_safety
from bot.core.assistant import Assistant, WalkState
from bot.core.matcher import Answer
from bot.core.ports import StoreUnavailable
from bot.core.ratelimit import Decision, RateLimiter
from bot.core.replies import ui
from bot.core.schema import Lang
from bot.core.service import watch_knowledge
from bot.core.text import explicit_language, fold

log = logging.getLogger(__name__)

PLATFORM = "discord"
COMMANDS_HASH_KEY = "discord.commands_hash"
NOT_YOURS = {
    "ja": "このボタンは操作した本人だけが使えます。`/chatwork-safe` で自分のガイドを始められます。",
    "en": "Only the person who started this guide can use its buttons. Run `/chatwork-safe` for your own.",
}
EMPTY_QUESTION = {
    "ja": "質問を書いてください（例: チャットワークIDはいつ交換していい？）。`/faq` でも聞けます。",
    "en": "Please write a question (e.g. 'when can I share my Chatwork ID?'). `/faq` works too.",
}
GONE = {
    "ja": "その項目は見つかりませんでした（内容が更新された可能性があります）。",
    "en": "That topic no longer exists (the FAQ may have been updated).",
}


NOT_MODERATOR = {
    "ja": "このコマンドはサーバー管理権限（Manage Server）を持つメンバーだけが使えます。",
    "en": "This command is for members with the Manage Server permission.",
}
HEARTBEAT_SECONDS = 30.0
REMINDER_POLL_SECONDS = 30.0
KNOWLEDGE_POLL_SECONDS = 2.0
PRUNE_SECONDS = 6 * 3600.0
QUESTION_LIKE = re.compile(
    r"[?？]|(ですか|ますか|でしょうか|かな|教えて|知りたい|どうすれば|どうしたら)"
)


@dataclass(frozen=True)
class BotOptions:
    """The settings the Discord adapter needs, taken from `Settings` in `run_bot`."""

    dev_guild_id: int | None = None
    rate_limit_count: int = 5
    rate_limit_window_seconds: float = 30.0
    faq_channel_ids: frozenset[int] = field(default_factory=frozenset)
    faq_channel_cooldown_seconds: float = 600.0
    question_retention_days: float = 30.0
    knowledge_watch: bool = False


def intents(read_faq_channels: bool = False) -> discord.Intents:
    """No privileged intents: DMs and mentions carry their content without Message Content.

    The one exception is opt-in: answering un-mentioned messages in FAQ_CHANNEL_IDS needs
    Message Content, which the bot's owner must then enable in the developer portal.
    """
    chosen = discord.Intents.default()
    chosen.members = False
    chosen.presences = False
    chosen.message_content = read_faq_channels
    return chosen


class ChatworkSafeBot(discord.Client):
    guild_ready_timeout: float = 2.0
    """Seconds discord.py waits for more GUILD_CREATEs before `on_ready` (tests shorten it)."""

    def __init__(
        self,
        assistant: Assistant,
        dev_guild_id: int | None = None,
        options: BotOptions | None = None,
    ):
        self.options = options or BotOptions(dev_guild_id=dev_guild_id)
        super().__init__(
            intents=intents(bool(self.options.faq_channel_ids)),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=self.guild_ready_timeout,
        )
        self.assistant = assistant
        self.dev_guild_id = self.options.dev_guild_id
        self.question_retention_days = self.options.question_retention_days
        self.limiter = RateLimiter(
            self.options.rate_limit_count, self.options.rate_limit_window_seconds
        )
        self.channel_cooldowns = RateLimiter(1, self.options.faq_channel_cooldown_seconds or 1e-9)
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error
        self.serving = True
        """False for one-shot commands (`sync-commands`): no sync on start, no background work."""
        self.background: list[asyncio.Task] = []

    async def setup_hook(self) -> None:
        self.add_dynamic_items(
            *DYNAMIC_ITEMS,
            FeedbackButton,
            reminders.RemindButton,
            reminders.CancelReminderButton,
        )
        await self.tree.set_translator(commands.BotTranslator())
        commands.register(self.tree, self)
        register_admin(self.tree, self)
        register_safety(self.tree, self)
        if self.serving:
            await self.sync_commands_if_changed()
            self.start_background_tasks()

    # --- background work ----------------------------------------------------------------

    def start_background_tasks(self) -> None:
        """Heartbeat, reminders, retention and (optionally) knowledge watching, as named tasks."""
        jobs: dict[str, Coroutine] = {
            "heartbeat": self._every(HEARTBEAT_SECONDS, self.assistant.store.beat, "heartbeat"),
            "reminder delivery": self._every(
                REMINDER_POLL_SECONDS, lambda: reminders.deliver_due(self), "reminder delivery"
            ),
            "question pruning": self._every(
                PRUNE_SECONDS, self._prune_questions, "question pruning"
            ),
        }
        if self.options.knowledge_watch:
            jobs["knowledge watch"] = watch_knowledge(
                self.assistant.service, KNOWLEDGE_POLL_SECONDS
            )
        self.background = [asyncio.create_task(job, name=name) for name, job in jobs.items()]

    async def _prune_questions(self) -> None:
        removed = await self.assistant.store.prune_questions(self.question_retention_days)
        if removed:
            log.info(
                "pruned %d recorded questions older than %s days",
                removed,
                self.question_retention_days,
            )

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
        while True:
            try:
                await job()
            except Exception:
                log.exception("%s failed; retrying in %.0f s", name, seconds)
            await asyncio.sleep(seconds)

    async def close(self) -> None:
        for task in self.background:
            task.cancel()
        await asyncio.gather(*self.background, return_exceptions=True)
        self.background = []
        await super().close()

    # --- rate limits and ownership -------------------------------------------------------

    @staticmethod
    def rate_limit_notice(decision: Decision, lang: Lang) -> str:
        return ui("rate_limited", lang).format(seconds=max(1, round(decision.retry_after)))

    async def refuse_if_rate_limited(self, interaction: discord.Interaction) -> bool:
        """An interaction must be answered, so every refused one gets the (ephemeral) notice."""
        decision = self.limiter.hit(str(interaction.user.id))
        if decision.allowed:
            return False
        notice = self.rate_limit_notice(decision, locale_lang(interaction.locale))
        await interaction.response.send_message(notice, ephemeral=True)
        return True

    async def refuse_foreign_click(self, interaction: discord.Interaction, owner_id: int) -> bool:
        """Buttons of someone's walkthrough or reminder work only for that person."""
        if interaction.user.id == owner_id:
            return False
        lang = locale_lang(interaction.locale)
        await interaction.response.send_message(NOT_YOURS[lang], ephemeral=True)
        return True

    # --- command sync -------------------------------------------------------------------

    def _sync_guild(self) -> discord.Object | None:
        return discord.Object(self.dev_guild_id) if self.dev_guild_id else None

    async def commands_hash(self) -> str:
        """Hash of the translated command payloads Discord would receive."""
        translator = self.tree.translator
        payload = [
            await command.get_translated_payload(self.tree, translator)
            for command in self.tree.get_commands()
        ]
        scope = {"guild": self.dev_guild_id, "commands": payload}
        return hashlib.sha256(json.dumps(scope, sort_keys=True, default=str).encode()).hexdigest()

    async def sync_commands(self) -> None:
        guild = self._sync_guild()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.assistant.store.set_meta(COMMANDS_HASH_KEY, await self.commands_hash())
        log.info("synced %d application commands (%s)", len(synced), guild or "global")

    async def sync_commands_if_changed(self) -> bool:
        """Discord rate-limits command sync: only sync when the definitions changed."""
        current = await self.commands_hash()
        if await self.assistant.store.get_meta(COMMANDS_HASH_KEY) == current:
            log.info("application commands unchanged; not syncing")
            return False
        await self.sync_commands()
        return True

    # --- errors -------------------------------------------------------------------------

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await self.report_error(interaction, error)

    @asynccontextmanager
    async def reporting_errors(self, interaction: discord.Interaction) -> AsyncIterator[None]:
        try:
            yield
        except Exception as error:
            await self.report_error(interaction, error)

    async def report_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        """The one place errors end: a short ephemeral note for the user, a traceback in the log."""
        lang = locale_lang(interaction.locale)
        if isinstance(error, app_commands.MissingPermissions):
            message = NOT_MODERATOR[lang]
        elif isinstance(error.__cause__ or error, StoreUnavailable):
            log.warning("could not serve an interaction without the store: %s", error)
            message = ui("store_unavailable", lang)
        else:
            log.error("error while handling an interaction", exc_info=error)
            message = ui("error", lang)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell the user about the error", exc_info=True)

    async def on_error(self, event_method: str, /, *args, **kwargs) -> None:
        log.exception("error in event %s", event_method)

    # --- messages -----------------------------------------------------------------------

    def question_from(self, message: discord.Message) -> str | None:
        """The question in a DM, or in a guild message that mentions the bot; else None."""
        if self.user is None or message.author.bot or message.author.id == self.user.id:
            return None
        if message.guild is None:
            return message.content.strip()
        if self.user not in message.mentions:
            return None
        return re.sub(rf"<@!?{self.user.id}>", " ", message.content).strip()

    async def on_message(self, message: discord.Message) -> None:
        question = self.question_from(message)
        if question is None:
            await self.answer_in_faq_channel(message)
            return
        lang = explicit_language(question) or "ja"
        decision = self.limiter.hit(str(message.author.id))
        if not decision.allowed:
            if decision.first_refusal:
                await self._deliver(
                    message, [Payload(content=self.rate_limit_notice(decision, lang))]
                )
            return
        if not question:
            await self._deliver(message, [Payload(content=EMPTY_QUESTION[lang])])
            return
        answer = await self.assistant.ask(question)
        await self._deliver(message, self.answer_payloads(answer))

    async def answer_in_faq_channel(self, message: discord.Message) -> None:
        """FAQ_CHANNEL_IDS: confident answers only, no ping, once per entry per cooldown."""
        if (
            message.channel.id not in self.options.faq_channel_ids
            or message.author.bot
            or not QUESTION_LIKE.search(fold(message.content))
        ):
            return
        answer = self.assistant.engines.matcher.answer(message.content)
        if answer.entry is None:
            return
        if not self.channel_cooldowns.hit(f"{message.channel.id}:{answer.entry.id}").allowed:
            return
        if self.limiter.hit(str(message.author.id)).allowed:
            answer = await self.assistant.ask(message.content)
            await self._deliver(message, self.answer_payloads(answer))

    async def _deliver(self, message: discord.Message, payloads: list[Payload]) -> None:
        for index, payload in enumerate(payloads):
            if message.guild is not None and index == 0:
                await message.reply(**payload.kwargs(), mention_author=False)
            else:
                await message.channel.send(**payload.kwargs())

    def answer_payloads(self, answer: Answer) -> list[Payload]:
        lang = answer.lang
        if answer.entry is not None:
            return entry_payloads(answer.entry, lang, self.answer_view(answer, lang))
        if answer.suggestions:
            view = discord.ui.View(timeout=None)
            for entry in answer.suggestions:
                view.add_item(EntryButton.for_entry(entry, lang))
            return [suggestions_payload(answer, view)]
        view = discord.ui.View(timeout=None)
        view.add_item(TopicSelect(lang, self.assistant.engines.matcher.entries))
        return [no_answer_payload(lang, view)]

    def answer_view(self, answer: Answer, lang: Lang) -> discord.ui.View:
        """Related entries as buttons, then 👍 / 👎 on their own row."""
        knowledge = self.assistant.engines.knowledge
        related = [knowledge.entry(i) for i in answer.entry.related] if answer.entry else []
        view = discord.ui.View(timeout=None)
        for entry in [entry for entry in related if entry is not None][:4]:
            button = EntryButton.for_entry(entry, lang)
            button.item.style = discord.ButtonStyle.secondary
            view.add_item(button)
        for button in feedback_buttons(answer.entry.id):
            view.add_item(button)
        return view

    # --- interactions -------------------------------------------------------------------

    @staticmethod
    def ephemeral_by_default(interaction: discord.Interaction) -> bool:
        """Ephemeral in servers (no channel noise); ordinary messages in DMs."""
        return interaction.guild_id is not None

    async def respond(
        self, interaction: discord.Interaction, payloads: list[Payload], ephemeral: bool
    ) -> None:
        first, *rest = payloads
        if interaction.response.is_done():
            await interaction.followup.send(**first.kwargs(), ephemeral=ephemeral)
        else:
            await interaction.response.send_message(**first.kwargs(), ephemeral=ephemeral)
        for payload in rest:
            await interaction.followup.send(**payload.kwargs(), ephemeral=ephemeral)

    async def answer_question(
        self, interaction: discord.Interaction, question: str, public: bool
    ) -> None:
        """`/faq`: an autocomplete pick arrives as an entry id, free text as a question."""
        if await self.refuse_if_rate_limited(interaction):
            return
        lang = explicit_language(question) or locale_lang(interaction.locale)
        if self.assistant.engines.knowledge.entry(question.strip()) is not None:
            answer = await self.assistant.pick(question.strip(), locale_lang(interaction.locale))
        else:
            answer = await self.assistant.ask(question, lang)
        await self.respond(interaction, self.answer_payloads(answer), ephemeral=not public)

    async def send_picked_entry(
        self, interaction: discord.Interaction, entry_id: str, lang: Lang
    ) -> None:
        answer = await self.assistant.pick(entry_id, lang)
        ephemeral = self.ephemeral_by_default(interaction)
        if answer is None:
            await interaction.response.send_message(GONE[lang], ephemeral=True)
            return
        await self.respond(interaction, self.answer_payloads(answer), ephemeral=ephemeral)

    def walk_payload(self, interaction: discord.Interaction, state: WalkState) -> Payload:
        lang = locale_lang(interaction.locale)
        owner = interaction.user.id
        view = discord.ui.View(timeout=None)
        for action in state.actions:
            view.add_item(WalkButton.for_action(owner, state.step.id, action, lang))
        if state.offers_reminder:
            view.add_item(reminders.RemindButton(owner, lang))
        return Payload(embeds=[step_embed(state, lang)], view=view)

    async def start_walkthrough(self, interaction: discord.Interaction) -> None:
        """Resume (or start) the guide; pending reminders are listed with a cancel button."""
        if await self.refuse_if_rate_limited(interaction):
            return
        owner = interaction.user.id
        state = await self.assistant.walkthrough(str(owner))
        payload = self.walk_payload(interaction, state)
        lang = locale_lang(interaction.locale)
        if state.reminders:
            payload.content = "\n".join(
                f"{ui('remind_pending', lang)}: {reminders.when(r)}" for r in state.reminders
            )
            for reminder in state.reminders[:3]:
                payload.view.add_item(reminders.CancelReminderButton(owner, reminder.id, lang))
        await interaction.response.send_message(
            **payload.kwargs(), ephemeral=self.ephemeral_by_default(interaction)
        )
        await self.warn_if_unsaved(interaction, state)

    async def press_walk_button(
        self, interaction: discord.Interaction, owner_id: int, step_id: str, action: str
    ) -> None:
        if await self.refuse_foreign_click(interaction, owner_id):
            return
        state = await self.assistant.walk(str(owner_id), step_id, action)
        await interaction.response.edit_message(**self.walk_payload(interaction, state).kwargs())
        await self.warn_if_unsaved(interaction, state)

    @staticmethod
    async def warn_if_unsaved(interaction: discord.Interaction, state: WalkState) -> None:
        """Once per user while the store fails: the guide goes on, its progress may be lost."""
        if state.warn_unsaved:
            lang = locale_lang(interaction.locale)
            await interaction.followup.send(ui("progress_not_saved", lang), ephemeral=True)

    async def autocomplete_entries(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Ranked as the user types; any odd input just yields fewer choices."""
        lang = explicit_language(current) or locale_lang(interaction.locale)
        matcher = self.assistant.engines.matcher
        ranked = (
            [entry for entry, _ in matcher.rank(current, limit=25)]
            if current.strip()
            else list(matcher.entries[:25])
        )
        return [
            app_commands.Choice(name=entry.title.get(lang)[:100], value=entry.id)
            for entry in ranked
        ]
