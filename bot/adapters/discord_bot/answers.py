"""FAQ answers: DMs, mentions, FAQ channels, `/faq` with autocomplete, and the buttons and menu
that pick an entry.

The buttons and the menu are `DynamicItem`s whose state lives in their custom_id: Discord sends
it back on a click and the item is rebuilt from it, so they keep working after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands

from bot.adapters.discord_bot.command_sync import command_text
from bot.adapters.discord_bot.feedback import feedback_buttons
from bot.adapters.discord_bot.interactions import (
    Feature,
    defer_until_prepared,
    ephemeral_by_default,
    feature_of,
    refuse_if_rate_limited,
    reporting_errors,
    respond,
    say,
)
from bot.adapters.discord_bot.render import (
    BUTTON_LABEL_LIMIT,
    SELECT_OPTION_LIMIT,
    Payload,
    clip,
    entry_payloads,
    locale_lang,
    no_answer_payload,
    suggestions_payload,
)
from bot.core.assistant import Assistant
from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.schema import Lang
from bot.core.text import explicit_language

log = logging.getLogger(__name__)

ENTRY_ID = r"[a-z0-9][a-z0-9-]{0,47}"
AUTOCOMPLETE_LIMIT = 25
RENDERED_ANSWERS_KEPT = 1024
"""Every entry in both languages, plus the suggestion sets seen lately."""
MESSAGES_ANSWERED_AT_ONCE = 64
"""Interactions must be answered within 3 s, messages need not: a burst of messages waits its
turn here instead of filling the event loop, so clicks and commands are served first."""


class EntryButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"cs:faq:(?P<entry>{ENTRY_ID}):(?P<lang>ja|en)",
):
    """A 「もしかして」 suggestion or a related entry: pressing it answers that entry."""

    def __init__(self, entry_id: str, lang: Lang, label: str = "?"):
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.primary,
                custom_id=f"cs:faq:{entry_id}:{lang}",
            )
        )
        self.entry_id = entry_id
        self.lang: Lang = lang

    @classmethod
    def for_entry(cls, entry: FaqEntry, lang: Lang) -> EntryButton:
        return cls(entry.id, lang, entry.title.get(lang))

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(match["entry"], match["lang"], getattr(item, "label", None) or "?")

    async def callback(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            await feature_of(interaction, Answers).send_picked_entry(
                interaction, self.entry_id, self.lang
            )


class TopicSelect(
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"cs:topics:(?P<lang>ja|en)(?::(?P<page>[1-9][0-9]*))?",
):
    """The topic list shown when nothing matched: a menu holds at most SELECT_OPTION_LIMIT
    options, so further entries go to further menus (the first keeps the id older messages
    carry)."""

    def __init__(self, lang: Lang, entries: tuple[FaqEntry, ...] = (), page: int = 0):
        options = [
            discord.SelectOption(label=clip(entry.title.get(lang), 100), value=entry.id)
            for entry in entries[:SELECT_OPTION_LIMIT]
        ]
        super().__init__(
            discord.ui.Select(
                custom_id=f"cs:topics:{lang}" + (f":{page}" if page else ""),
                placeholder=ui("topic_placeholder_more" if page else "topic_placeholder", lang),
                options=options,
            )
        )
        self.lang: Lang = lang

    @classmethod
    def menus(cls, lang: Lang, entries: tuple[FaqEntry, ...]) -> list[TopicSelect]:
        return [
            cls(lang, entries[start : start + SELECT_OPTION_LIMIT], start // SELECT_OPTION_LIMIT)
            for start in range(0, len(entries), SELECT_OPTION_LIMIT)
        ]

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(match["lang"], page=int(match["page"] or 0))

    async def callback(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            [entry_id] = self.item.values[:1] or [""]
            await feature_of(interaction, Answers).send_picked_entry(
                interaction, entry_id, self.lang
            )


class Answers(Feature):
    dynamic_items = (EntryButton, TopicSelect)

    def __init__(
        self, client: discord.Client, assistant: Assistant, faq_channel_ids: frozenset[int]
    ):
        super().__init__(client, assistant)
        self.faq_channel_ids = faq_channel_ids
        self._answering = asyncio.Semaphore(MESSAGES_ANSWERED_AT_ONCE)
        self._rendered: dict[tuple[str, str | None, tuple[str, ...]], list[Payload]] = {}
        self._rendered_for: tuple[FaqEntry, ...] = ()

    def register(self, tree: app_commands.CommandTree) -> None:
        @tree.command(name=command_text("faq"), description=command_text("faq.description"))
        @app_commands.describe(
            question=command_text("faq.question.description"),
            public=command_text("faq.public.description"),
        )
        @app_commands.rename(
            question=command_text("faq.question"), public=command_text("faq.public")
        )
        async def faq(
            interaction: discord.Interaction, question: str, public: bool = False
        ) -> None:
            await self.answer_question(interaction, question, public)

        @faq.autocomplete("question")
        async def faq_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return self.autocomplete(interaction, current)

    # --- messages -----------------------------------------------------------------------

    def question_from(self, message: discord.Message) -> str | None:
        """The question in a DM, or in a guild message that mentions the bot; else None."""
        me = self.client.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.guild is None:
            return message.content.strip()
        if me not in message.mentions:
            return None
        return re.sub(rf"<@!?{me.id}>", " ", message.content).strip()

    async def on_message(self, message: discord.Message) -> None:
        question = self.question_from(message)
        if question is None:
            await self.answer_in_faq_channel(message)
            return
        lang = explicit_language(question) or "ja"
        limited = self.assistant.rate_limit(str(message.author.id), lang)
        if limited is not None:
            if limited.first:
                await self.deliver(message, [Payload(content=limited.notice)])
            return
        if not question:
            await self.deliver(message, [Payload(content=ui("empty_question", lang))])
            return
        async with self._answering:
            answer = await self.assistant.ask(question)
            await self.deliver(message, self.answer_payloads(answer))

    async def answer_in_faq_channel(self, message: discord.Message) -> None:
        """FAQ_CHANNEL_IDS: un-mentioned questions get confident answers only, and no ping."""
        if message.channel.id not in self.faq_channel_ids or message.author.bot:
            return
        answer = await self.assistant.answer_in_channel(
            str(message.channel.id), str(message.author.id), message.content
        )
        if answer is not None:
            await self.deliver(message, self.answer_payloads(answer))

    @staticmethod
    async def deliver(message: discord.Message, payloads: list[Payload]) -> None:
        """In a server the first message replies (without pinging); the rest follow it."""
        for index, payload in enumerate(payloads):
            if message.guild is not None and index == 0:
                await message.reply(**payload.kwargs(), mention_author=False)
            else:
                await message.channel.send(**payload.kwargs())

    # --- rendering ----------------------------------------------------------------------

    def answer_payloads(self, answer: Answer) -> list[Payload]:
        """Rendered once per answer and knowledge version: the same answer renders the same.

        Building embeds and views was most of the bot's own CPU per answer; payloads and
        their views are only read when sent, so one rendering serves every user. A reload
        builds new entries (and a new topic list), so the renderings start afresh.
        """
        topics = self.assistant.topics
        if topics is not self._rendered_for:
            self._rendered.clear()
            self._rendered_for = topics
        key = (
            answer.lang,
            answer.entry.id if answer.entry else None,
            tuple(entry.id for entry in answer.suggestions),
        )
        payloads = self._rendered.get(key)
        if payloads is None:
            if len(self._rendered) >= RENDERED_ANSWERS_KEPT:
                self._rendered.clear()
            payloads = self._rendered[key] = self._render(answer)
        return payloads

    def _render(self, answer: Answer) -> list[Payload]:
        lang = answer.lang
        if answer.entry is not None:
            return entry_payloads(answer.entry, lang, self.answer_view(answer, answer.entry))
        view = discord.ui.View(timeout=None)
        if answer.suggestions:
            for entry in answer.suggestions:
                view.add_item(EntryButton.for_entry(entry, lang))
            return [suggestions_payload(answer, view)]
        for menu in TopicSelect.menus(lang, self.assistant.topics):
            view.add_item(menu)
        return [no_answer_payload(lang, view)]

    def answer_view(self, answer: Answer, entry: FaqEntry) -> discord.ui.View:
        """Related entries as buttons, then 👍 / 👎 on their own row."""
        view = discord.ui.View(timeout=None)
        for related in self.assistant.related(answer):
            button = EntryButton.for_entry(related, answer.lang)
            button.item.style = discord.ButtonStyle.secondary
            view.add_item(button)
        for vote in feedback_buttons(entry.id):
            view.add_item(vote)
        return view

    # --- interactions -------------------------------------------------------------------

    async def answer_question(
        self, interaction: discord.Interaction, question: str, public: bool
    ) -> None:
        """`/faq`: ephemeral unless `public`."""
        if await refuse_if_rate_limited(self.assistant, interaction):
            return
        await defer_until_prepared(self.assistant, interaction, ephemeral=not public)
        answer = await self.assistant.ask_or_pick(question, locale_lang(interaction.locale))
        if answer is None:
            await say(interaction, "entry_gone")
            return
        await respond(interaction, self.answer_payloads(answer), ephemeral=not public)

    async def send_picked_entry(
        self, interaction: discord.Interaction, entry_id: str, lang: Lang
    ) -> None:
        answer = await self.assistant.pick(entry_id, lang)
        if answer is None:
            await interaction.response.send_message(ui("entry_gone", lang), ephemeral=True)
            return
        ephemeral = ephemeral_by_default(interaction)
        await respond(interaction, self.answer_payloads(answer), ephemeral=ephemeral)

    def autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Ranked as the user types; any odd input just yields fewer choices."""
        lang = explicit_language(current) or locale_lang(interaction.locale)
        return [
            app_commands.Choice(name=entry.title.get(lang)[:100], value=entry.id)
            for entry in self.assistant.complete(current, AUTOCOMPLETE_LIMIT)
        ]
