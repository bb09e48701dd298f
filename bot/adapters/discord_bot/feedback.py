"""👍 / 👎 under every answer; a 👎 asks once, in a modal, what was missing.

The buttons are dynamic items (state in the custom_id), so votes on answers sent before a
restart still count. The vote is stored on the click itself; the modal only adds a comment.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord_bot.render import locale_lang
from bot.core.replies import ui

if TYPE_CHECKING:
    from bot.adapters.discord_bot.client import ChatworkSafeBot

log = logging.getLogger(__name__)

PLATFORM = "discord"
COMMENT_LIMIT = 500


class FeedbackModal(discord.ui.Modal):
    def __init__(self, bot: ChatworkSafeBot, entry_id: str, message_id: int, lang: str):
        super().__init__(title=ui("feedback_title", lang), timeout=600)
        self.bot = bot
        self.entry_id = entry_id
        self.message_id = message_id
        self.comment = discord.ui.TextInput(
            label=ui("feedback_question", lang),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=COMMENT_LIMIT,
        )
        self.add_item(self.comment)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async with self.bot.reporting_errors(interaction):
            await self.bot.assistant.store.record_feedback(
                PLATFORM,
                str(interaction.user.id),
                str(self.message_id),
                self.entry_id,
                helpful=False,
                comment=self.comment.value.strip() or None,
            )
            lang = locale_lang(interaction.locale)
            await interaction.response.send_message(ui("feedback_thanks", lang), ephemeral=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await self.bot.report_error(interaction, error)


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cs:fb:(?P<entry>[a-z0-9][a-z0-9-]{0,47}):(?P<vote>up|down)",
):
    def __init__(self, entry_id: str, vote: str):
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cs:fb:{entry_id}:{vote}",
                row=4,
            )
        )
        self.entry_id = entry_id
        self.vote = vote

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(match["entry"], match["vote"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: ChatworkSafeBot = interaction.client  # type: ignore[assignment]
        async with bot.reporting_errors(interaction):
            await self.record(bot, interaction)

    async def record(self, bot: ChatworkSafeBot, interaction: discord.Interaction) -> None:
        store = bot.assistant.store
        user_id, message_id = str(interaction.user.id), interaction.message.id
        earlier = await store.get_feedback(PLATFORM, user_id, str(message_id))
        helpful = self.vote == "up"
        # Voting the same way again keeps the comment given in the modal; a changed vote drops it.
        comment = earlier.comment if earlier is not None and earlier.helpful == helpful else None
        await store.record_feedback(
            PLATFORM, user_id, str(message_id), self.entry_id, helpful, comment
        )
        lang = locale_lang(interaction.locale)
        asked_before = earlier is not None and not earlier.helpful
        if helpful or asked_before:
            await interaction.response.send_message(ui("feedback_thanks", lang), ephemeral=True)
            return
        await interaction.response.send_modal(FeedbackModal(bot, self.entry_id, message_id, lang))


def feedback_buttons(entry_id: str) -> list[FeedbackButton]:
    return [FeedbackButton(entry_id, "up"), FeedbackButton(entry_id, "down")]
