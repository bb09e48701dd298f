"""Buttons and menus whose state lives in their custom_id, so they keep working after a restart.

Each is a `DynamicItem` registered in `setup_hook`: Discord sends the custom_id back on a click
and the item is rebuilt from it, with no in-memory view to lose.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.adapters.discord_bot.render import BUTTON_LABEL_LIMIT, SELECT_OPTION_LIMIT, clip
from bot.core.knowledge import FaqEntry
from bot.core.schema import Lang
from bot.core.walkthrough import Action

if TYPE_CHECKING:
    from bot.adapters.discord_bot.client import ChatworkSafeBot

log = logging.getLogger(__name__)

ENTRY_ID = r"[a-z0-9][a-z0-9-]{0,47}"


def _bot(interaction: discord.Interaction) -> ChatworkSafeBot:
    return interaction.client  # type: ignore[return-value]


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
        async with _bot(interaction).reporting_errors(interaction):
            await _bot(interaction).send_picked_entry(interaction, self.entry_id, self.lang)


class TopicSelect(
    discord.ui.DynamicItem[discord.ui.Select],
    template=r"cs:topics:(?P<lang>ja|en)",
):
    """The topic list shown when nothing matched."""

    def __init__(self, lang: Lang, entries: tuple[FaqEntry, ...] = ()):
        options = [
            discord.SelectOption(label=clip(entry.title.get(lang), 100), value=entry.id)
            for entry in entries[:SELECT_OPTION_LIMIT]
        ]
        placeholder = "トピックを選ぶ" if lang == "ja" else "Choose a topic"
        super().__init__(
            discord.ui.Select(
                custom_id=f"cs:topics:{lang}", placeholder=placeholder, options=options
            )
        )
        self.lang: Lang = lang

    @classmethod
    async def from_custom_id(cls, interaction, item, match, /):
        return cls(match["lang"])

    async def callback(self, interaction: discord.Interaction) -> None:
        async with _bot(interaction).reporting_errors(interaction):
            [entry_id] = self.item.values[:1] or [""]
            await _bot(interaction).send_picked_entry(interaction, entry_id, self.lang)


class WalkButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=rf"cs:walk:(?P<owner>\d{{1,20}}):(?P<step>{ENTRY_ID}):(?P<action>[a-z0-9:-]{{1,20}})",
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
        async with _bot(interaction).reporting_errors(interaction):
            await _bot(interaction).press_walk_button(
                interaction, self.owner_id, self.step_id, self.action
            )


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem], ...] = (EntryButton, TopicSelect, WalkButton)
