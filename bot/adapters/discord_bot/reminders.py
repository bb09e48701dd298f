"""「明日リマインドする」: scheduling from the walkthrough, cancelling, and DM delivery.

Reminders live in the store and a loop polls for due ones, so they fire after a restart too.
A reminder is marked delivered only after the DM went out: a crash in between repeats a
reminder rather than losing it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord_bot.render import BUTTON_LABEL_LIMIT, clip, locale_lang
from bot.core.ports import Reminder
from bot.core.replies import ui

if TYPE_CHECKING:
    from bot.adapters.discord_bot.client import ChatworkSafeBot

log = logging.getLogger(__name__)


def when(reminder: Reminder) -> str:
    """Discord renders `<t:…:f>` in each reader's own time zone."""
    return f"<t:{int(reminder.due_at.timestamp())}:f>"


class RemindButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"cs:remind:(?P<owner>\d{1,20})"
):
    def __init__(self, owner_id: int, lang: str = "ja"):
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
        bot: ChatworkSafeBot = interaction.client  # type: ignore[assignment]
        async with bot.reporting_errors(interaction):
            if not await bot.refuse_foreign_click(interaction, self.owner_id):
                await schedule(bot, interaction)


class CancelReminderButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"cs:unremind:(?P<owner>\d{1,20}):(?P<reminder>\d{1,12})",
):
    def __init__(self, owner_id: int, reminder_id: int, lang: str = "ja"):
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
        bot: ChatworkSafeBot = interaction.client  # type: ignore[assignment]
        async with bot.reporting_errors(interaction):
            if await bot.refuse_foreign_click(interaction, self.owner_id):
                return
            await bot.assistant.cancel_reminder(str(self.owner_id), self.reminder_id)
            lang = locale_lang(interaction.locale)
            await interaction.response.send_message(ui("remind_cancelled", lang), ephemeral=True)


async def schedule(bot: ChatworkSafeBot, interaction: discord.Interaction) -> None:
    lang = locale_lang(interaction.locale)
    reminder = await bot.assistant.remind(str(interaction.user.id), lang)
    view = discord.ui.View(timeout=None)
    view.add_item(CancelReminderButton(interaction.user.id, reminder.id, lang))
    text = ui("remind_scheduled", lang).format(when=when(reminder))
    await interaction.response.send_message(text, view=view, ephemeral=True)


async def deliver_due(bot: ChatworkSafeBot) -> int:
    """Send every due reminder by DM; returns how many went out."""
    sent = 0
    for reminder in await bot.assistant.store.due_reminders():
        try:
            user = await bot.fetch_user(int(reminder.user_id))
            await user.send(bot.assistant.reminder_text(reminder))
        except discord.Forbidden:
            log.warning(
                "user %s does not accept DMs; dropping reminder %d", reminder.user_id, reminder.id
            )
        except discord.HTTPException:
            log.warning("could not send reminder %d; will retry", reminder.id, exc_info=True)
            continue
        await bot.assistant.store.mark_delivered(reminder.id)
        sent += 1
    return sent
