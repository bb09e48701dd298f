"""👍 / 👎 under every answer; a first 👎 asks, in a modal, what was missing.

The buttons are dynamic items (state in the custom_id), so votes on answers sent before a
restart still count. The vote is stored on the click itself; the modal only adds a comment.
"""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord_bot.interactions import (
    Feature,
    feature_of,
    report_error,
    reporting_errors,
    say,
)
from bot.adapters.discord_bot.render import locale_lang
from bot.core.catalog import ui
from bot.core.schema import Lang

log = logging.getLogger(__name__)

COMMENT_LIMIT = 500


class FeedbackModal(discord.ui.Modal):
    def __init__(self, feedback: Feedback, entry_id: str, message_id: int, lang: Lang):
        super().__init__(title=ui("feedback_title", lang), timeout=600)
        self.feedback = feedback
        self.entry_id = entry_id
        self.message_id = message_id
        self.comment: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label=ui("feedback_question", lang),
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=COMMENT_LIMIT,
        )
        self.add_item(self.comment)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            await self.feedback.assistant.comment(
                str(interaction.user.id), str(self.message_id), self.entry_id, self.comment.value
            )
            await say(interaction, "feedback_thanks")

    # discord.py's Modal narrows View.on_error (no item) the same way.
    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await report_error(interaction, error)


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
        async with reporting_errors(interaction):
            await feature_of(interaction, Feedback).record(
                interaction, self.entry_id, self.vote == "up"
            )


def feedback_buttons(entry_id: str) -> list[FeedbackButton]:
    return [FeedbackButton(entry_id, "up"), FeedbackButton(entry_id, "down")]


class Feedback(Feature):
    dynamic_items = (FeedbackButton,)

    async def record(self, interaction: discord.Interaction, entry_id: str, helpful: bool) -> None:
        assert interaction.message is not None, "a button's interaction carries its message"
        message_id = interaction.message.id
        ask_why = await self.assistant.vote(
            str(interaction.user.id), str(message_id), entry_id, helpful
        )
        if not ask_why:
            await say(interaction, "feedback_thanks")
            return
        lang = locale_lang(interaction.locale)
        await interaction.response.send_modal(FeedbackModal(self, entry_id, message_id, lang))
