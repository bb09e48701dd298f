"""`/faq-admin reload|gaps|stats` for moderators (Manage Server).

Hidden from other members by default permissions, and checked again at run time, because a
server can override who sees a command.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.adapters.discord_bot.render import split_text
from bot.core.knowledge import KnowledgeError
from bot.core.ports import utc_now
from bot.core.reports import format_gaps, format_stats, group_questions

if TYPE_CHECKING:
    from bot.adapters.discord_bot.client import ChatworkSafeBot

MESSAGE_LIMIT = 2000
CODE_BLOCK_ROOM = MESSAGE_LIMIT - 8


async def send_block(interaction: discord.Interaction, text: str) -> None:
    """Ephemeral code blocks within Discord's 2000-character message limit."""
    pieces = [f"```\n{piece}\n```" for piece in split_text(text, CODE_BLOCK_ROOM)]
    await interaction.followup.send(pieces[0], ephemeral=True)
    for piece in pieces[1:]:
        await interaction.followup.send(piece, ephemeral=True)


def register_admin(tree: app_commands.CommandTree, bot: ChatworkSafeBot) -> None:
    group = app_commands.Group(
        name=locale_str("faq-admin", key="faq-admin"),
        description=locale_str("FAQ bot tools for moderators", key="faq-admin.description"),
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    moderators_only = app_commands.checks.has_permissions(manage_guild=True)

    @group.command(
        name=locale_str("reload", key="faq-admin.reload"),
        description=locale_str("Reload the knowledge files", key="faq-admin.reload.description"),
    )
    @moderators_only
    async def reload(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            # Loading and indexing takes a while: keep the event loop (and everyone else) going.
            engines = await asyncio.to_thread(bot.assistant.service.reload)
        except KnowledgeError as exc:
            await send_block(
                interaction,
                "Reload failed; still serving the last good knowledge.\n\n" + str(exc),
            )
            return
        knowledge = engines.knowledge
        await interaction.followup.send(
            f"Reloaded: {len(knowledge.faq)} FAQ entries, "
            f"{len(knowledge.walkthrough.steps)} walkthrough steps.",
            ephemeral=True,
        )

    @group.command(
        name=locale_str("gaps", key="faq-admin.gaps"),
        description=locale_str(
            "Unanswered questions, grouped by similarity", key="faq-admin.gaps.description"
        ),
    )
    @moderators_only
    async def gaps(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        since = utc_now() - timedelta(days=bot.question_retention_days)
        questions = await bot.assistant.store.questions(since=since)
        await send_block(interaction, format_gaps(group_questions(questions)))

    @group.command(
        name=locale_str("stats", key="faq-admin.stats"),
        description=locale_str("Usage figures", key="faq-admin.stats.description"),
    )
    @moderators_only
    async def stats(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        figures = await bot.assistant.store.stats()
        await send_block(interaction, format_stats(figures, bot.assistant.engines.knowledge))

    tree.add_command(group)
