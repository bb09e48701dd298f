"""「明日リマインドする」: the buttons that schedule and cancel a reminder, and DM delivery.

Reminders live in the store and a loop polls for due ones, so they fire after a restart too;
the rules (one pending reminder, delivered before it is marked) are the assistant's.
"""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord_bot.interactions import (
    Feature,
    feature_of,
    refuse_foreign_click,
    reporting_errors,
    say,
)
from bot.adapters.discord_bot.render import BUTTON_LABEL_LIMIT, clip, locale_lang
from bot.core.catalog import ui
from bot.core.ports import Reminder
from bot.core.schema import Lang

log = logging.getLogger(__name__)


def when(reminder: Reminder) -> str:
    """Discord renders `<t:…:f>` in each reader's own time zone."""
    return f"<t:{int(reminder.due_at.timestamp())}:f>"


class RemindButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"cs:remind:(?P<owner>\d{1,20})"
):
    def __init__(self, owner_id: int, lang: Lang = "ja"):
        super().__init__(
            discord.ui.Button(
                label=ui("remind_button", lang),
                emoji="⏰",
                style=discord.ButtonStyle.secondary,
                custom_id=f"cs:remind:{owner_id}",
            )
        )
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(int(match["owner"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            if not await refuse_foreign_click(interaction, self.owner_id):
                await feature_of(interaction, Reminders).schedule(interaction)


class CancelReminderButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cs:unremind:(?P<owner>\d{1,20}):(?P<reminder>\d{1,12})",
):
    def __init__(self, owner_id: int, reminder_id: int, lang: Lang = "ja"):
        super().__init__(
            discord.ui.Button(
                label=clip(ui("remind_cancel", lang), BUTTON_LABEL_LIMIT),
                style=discord.ButtonStyle.danger,
                custom_id=f"cs:unremind:{owner_id}:{reminder_id}",
            )
        )
        self.owner_id = owner_id
        self.reminder_id = reminder_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(int(match["owner"]), int(match["reminder"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            if not await refuse_foreign_click(interaction, self.owner_id):
                await feature_of(interaction, Reminders).cancel(interaction, self.reminder_id)


class Reminders(Feature):
    dynamic_items = (RemindButton, CancelReminderButton)

    async def schedule(self, interaction: discord.Interaction) -> None:
        lang = locale_lang(interaction.locale)
        reminder = await self.assistant.remind(str(interaction.user.id), lang)
        view = discord.ui.View(timeout=None)
        view.add_item(CancelReminderButton(interaction.user.id, reminder.id, lang))
        text = ui("remind_scheduled", lang, when=when(reminder))
        await interaction.response.send_message(text, view=view, ephemeral=True)

    async def cancel(self, interaction: discord.Interaction, reminder_id: int) -> None:
        await self.assistant.cancel_reminder(str(interaction.user.id), reminder_id)
        await say(interaction, "remind_cancelled")

    async def deliver_due(self) -> int:
        """Send every due reminder by DM; returns how many were settled."""
        return await self.assistant.deliver_reminders(self.send_dm)

    async def send_dm(self, user_id: str, text: str) -> bool:
        """False when the user does not accept DMs (the reminder is dropped); other HTTP
        errors raise, so the reminder is tried again on the next round."""
        try:
            user = await self.client.fetch_user(int(user_id))
            await user.send(text)
        except discord.Forbidden:
            return False
        return True
