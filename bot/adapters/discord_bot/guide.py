"""`/chatwork-safe`: the step-by-step guide, with buttons that carry who, where and what.

A `WalkButton`'s custom_id holds the owner, the step it was shown on and the action, so a click
on a message sent before a restart still lands where the user expects.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.adapters.discord_bot.command_sync import command_text
from bot.adapters.discord_bot.interactions import (
    Feature,
    ephemeral_by_default,
    feature_of,
    refuse_foreign_click,
    refuse_if_rate_limited,
    reporting_errors,
)
from bot.adapters.discord_bot.reminders import CancelReminderButton, RemindButton, when
from bot.adapters.discord_bot.render import (
    BUTTON_LABEL_LIMIT,
    Payload,
    clip,
    locale_lang,
    step_embed,
)
from bot.core.assistant import WalkState
from bot.core.catalog import ui
from bot.core.schema import Lang
from bot.core.walkthrough import Action

log = logging.getLogger(__name__)

STEP_ID = r"[a-z0-9][a-z0-9-]{0,47}"


class WalkButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"cs:walk:(?P<owner>\d{{1,20}}):(?P<step>{STEP_ID}):(?P<action>[a-z0-9:-]{{1,20}})",
):
    """A walkthrough button: who may press it, the step it was shown on, and what it does."""

    STYLES = {
        "choice": discord.ButtonStyle.primary,
        "next": discord.ButtonStyle.success,
        "back": discord.ButtonStyle.secondary,
        "restart": discord.ButtonStyle.secondary,
    }

    def __init__(self, owner_id: int, step_id: str, action: str, label: str = "?", style=None):
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_LIMIT),
                style=style or discord.ButtonStyle.secondary,
                custom_id=f"cs:walk:{owner_id}:{step_id}:{action}",
            )
        )
        self.owner_id = owner_id
        self.step_id = step_id
        self.action = action

    @classmethod
    def for_action(cls, owner_id: int, step_id: str, action: Action, lang: Lang) -> WalkButton:
        return cls(owner_id, step_id, action.value, action.label.get(lang), cls.STYLES[action.kind])

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(int(match["owner"]), match["step"], match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async with reporting_errors(interaction):
            if not await refuse_foreign_click(interaction, self.owner_id):
                await feature_of(interaction, Guide).press(interaction, self.step_id, self.action)


class Guide(Feature):
    dynamic_items = (WalkButton,)

    def register(self, tree: app_commands.CommandTree) -> None:
        @tree.command(
            name=command_text("chatwork-safe"),
            description=command_text("chatwork-safe.description"),
        )
        async def chatwork_safe(interaction: discord.Interaction) -> None:
            await self.start(interaction)

    def payload(self, interaction: discord.Interaction, state: WalkState) -> Payload:
        lang = locale_lang(interaction.locale)
        return Payload(embeds=[step_embed(state, lang)], view=self.buttons(interaction, state))

    @staticmethod
    def buttons(interaction: discord.Interaction, state: WalkState) -> discord.ui.View:
        lang = locale_lang(interaction.locale)
        owner = interaction.user.id
        view = discord.ui.View(timeout=None)
        for action in state.actions:
            view.add_item(WalkButton.for_action(owner, state.step.id, action, lang))
        if state.offers_reminder:
            view.add_item(RemindButton(owner, lang))
        return view

    async def start(self, interaction: discord.Interaction) -> None:
        """Resume (or start) the guide; pending reminders are listed with a cancel button."""
        if await refuse_if_rate_limited(self.assistant, interaction):
            return
        state = await self.assistant.walkthrough(str(interaction.user.id))
        lang = locale_lang(interaction.locale)
        view = self.buttons(interaction, state)
        payload = Payload(embeds=[step_embed(state, lang)], view=view)
        if state.reminders:
            payload.content = "\n".join(
                f"{ui('remind_pending', lang)}: {when(r)}" for r in state.reminders
            )
            for reminder in state.reminders[:3]:
                view.add_item(CancelReminderButton(interaction.user.id, reminder.id, lang))
        await interaction.response.send_message(
            **payload.kwargs(), ephemeral=ephemeral_by_default(interaction)
        )
        await self.warn_if_unsaved(interaction, state)

    async def press(self, interaction: discord.Interaction, step_id: str, action: str) -> None:
        state = await self.assistant.walk(str(interaction.user.id), step_id, action)
        await interaction.response.edit_message(**self.payload(interaction, state).kwargs())
        await self.warn_if_unsaved(interaction, state)

    @staticmethod
    async def warn_if_unsaved(interaction: discord.Interaction, state: WalkState) -> None:
        """Once per user while the store fails: the guide goes on, its progress may be lost."""
        if state.warn_unsaved:
            lang = locale_lang(interaction.locale)
            await interaction.followup.send(ui("progress_not_saved", lang), ephemeral=True)
