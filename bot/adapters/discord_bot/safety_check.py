"""The 「安全チェック」 message context menu and `/check-message`: both answer ephemerally.

The context menu works on any message the user can see without the Message Content intent:
Discord includes the target message's content in the interaction itself.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.adapters.discord_bot.command_sync import command_text
from bot.adapters.discord_bot.interactions import (
    Feature,
    defer_until_prepared,
    refuse_if_rate_limited,
    respond,
)
from bot.adapters.discord_bot.render import Payload, clip, locale_lang
from bot.core.catalog import ui
from bot.core.replies import finding_lines, safety_heading
from bot.core.safety import SafetyReport
from bot.core.text import explicit_language

RISK_COLOURS = {
    "danger": discord.Colour(0xC62828),
    "caution": discord.Colour(0xF9A825),
    "none": discord.Colour(0x2E7D32),
}
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024


def report_embeds(report: SafetyReport) -> list[discord.Embed]:
    embed = discord.Embed(title=safety_heading(report), colour=RISK_COLOURS[report.risk])
    for heading, body in finding_lines(report):
        embed.add_field(
            name=clip(heading, FIELD_NAME_LIMIT), value=clip(body, FIELD_VALUE_LIMIT), inline=False
        )
    embeds = [embed]
    for key, template in (
        ("reply_template", report.reply_template),
        ("alternative_template", report.alternative_template),
    ):
        if template:
            embeds.append(
                discord.Embed(
                    title=ui(key, report.lang),
                    description=f"```\n{template}\n```",
                    colour=RISK_COLOURS[report.risk],
                )
            )
    return embeds


class SafetyCheck(Feature):
    def register(self, tree: app_commands.CommandTree) -> None:
        @app_commands.context_menu(name=command_text("safety-check"))
        async def safety_check(interaction: discord.Interaction, message: discord.Message) -> None:
            await self.check(interaction, message.content)

        @app_commands.command(
            name=command_text("check-message"),
            description=command_text("check-message.description"),
        )
        @app_commands.describe(text=command_text("check-message.text.description"))
        @app_commands.rename(text=command_text("check-message.text"))
        async def check_message(interaction: discord.Interaction, text: str) -> None:
            await self.check(interaction, text)

        tree.add_command(safety_check)
        tree.add_command(check_message)

    async def check(self, interaction: discord.Interaction, text: str) -> None:
        lang = explicit_language(text) or locale_lang(interaction.locale)
        if await refuse_if_rate_limited(self.assistant, interaction):
            return
        if not text.strip():
            await interaction.response.send_message(ui("no_text", lang), ephemeral=True)
            return
        await defer_until_prepared(self.assistant, interaction, ephemeral=True)
        report = await self.assistant.check(text, lang)
        await respond(interaction, [Payload(embeds=report_embeds(report))], ephemeral=True)
