"""`/faq-admin reload|gaps|stats` for moderators (Manage Server), in the moderator's language.

Hidden from other members by default permissions, and checked again at run time, because a
server can override who sees a command.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.adapters.discord_bot.command_sync import command_text
from bot.adapters.discord_bot.interactions import Feature
from bot.adapters.discord_bot.render import locale_lang, split_text

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
CODE_BLOCK_ROOM = MESSAGE_LIMIT - 8


async def send_block(interaction: discord.Interaction, text: str) -> None:
    """Ephemeral code blocks within Discord's 2000-character message limit."""
    pieces = [f"```\n{piece}\n```" for piece in split_text(text, CODE_BLOCK_ROOM)]
    for piece in pieces:
        await interaction.followup.send(piece, ephemeral=True)


class Moderation(Feature):
    def register(self, tree: app_commands.CommandTree) -> None:
        group = app_commands.Group(
            name=command_text("faq-admin"),
            description=command_text("faq-admin.description"),
            default_permissions=discord.Permissions(manage_guild=True),
            guild_only=True,
        )
        moderators_only = app_commands.checks.has_permissions(manage_guild=True)

        @group.command(
            name=command_text("faq-admin.reload"),
            description=command_text("faq-admin.reload.description"),
        )
        @moderators_only
        async def reload(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            outcome = await self.assistant.reload(locale_lang(interaction.locale))
            if outcome.ok:
                await interaction.followup.send(outcome.text, ephemeral=True)
            else:
                await send_block(interaction, outcome.text)

        @group.command(
            name=command_text("faq-admin.gaps"),
            description=command_text("faq-admin.gaps.description"),
        )
        @moderators_only
        async def gaps(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            lang = locale_lang(interaction.locale)
            await send_block(interaction, await self.assistant.gaps_report(lang))

        @group.command(
            name=command_text("faq-admin.stats"),
            description=command_text("faq-admin.stats.description"),
        )
        @moderators_only
        async def stats(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            lang = locale_lang(interaction.locale)
            await send_block(interaction, await self.assistant.stats_report(lang))

        tree.add_command(group)
