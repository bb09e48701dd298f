"""What every feature does with an interaction: find its feature, answer, refuse, report errors.

Features are the Discord adapter's cogs: each owns its commands, its persistent items and their
handlers, and reaches the others only through this module, so no feature imports the client.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TypeVar, cast

import discord
from discord import app_commands

from bot.adapters.discord_bot.render import Payload, locale_lang
from bot.core.assistant import Assistant
from bot.core.catalog import ui
from bot.core.ports import StoreUnavailable

log = logging.getLogger(__name__)


class Feature:
    """One feature of the bot, in the manner of a discord.py cog.

    `dynamic_items` are registered on every start, so their clicks survive restarts;
    `register` adds the feature's application commands to the tree.
    """

    dynamic_items: tuple[type[discord.ui.DynamicItem], ...] = ()

    def __init__(self, client: discord.Client, assistant: Assistant):
        self.client = client
        self.assistant = assistant

    def register(self, tree: app_commands.CommandTree) -> None:
        """Features without commands (buttons only) add nothing."""


FeatureT = TypeVar("FeatureT", bound=Feature)


def feature_of(interaction: discord.Interaction, kind: type[FeatureT]) -> FeatureT:
    """The running client's instance of a feature, as `bot.get_cog` finds a cog."""
    features: Mapping[type[Feature], Feature] = interaction.client.features  # type: ignore[attr-defined]
    return cast(FeatureT, features[kind])


def ephemeral_by_default(interaction: discord.Interaction) -> bool:
    """Ephemeral in servers (no channel noise); ordinary messages in DMs."""
    return interaction.guild_id is not None


async def respond(
    interaction: discord.Interaction, payloads: list[Payload], ephemeral: bool
) -> None:
    """The first payload answers the interaction (or follows a defer), the rest follow it."""
    first, *rest = payloads
    if interaction.response.is_done():
        await interaction.followup.send(**first.kwargs(), ephemeral=ephemeral)
    else:
        await interaction.response.send_message(**first.kwargs(), ephemeral=ephemeral)
    for payload in rest:
        await interaction.followup.send(**payload.kwargs(), ephemeral=ephemeral)


async def defer_until_prepared(
    assistant: Assistant, interaction: discord.Interaction, ephemeral: bool
) -> None:
    """On a cold start the first answer may wait for the learned stages' training longer than
    the 3 s Discord gives an interaction: acknowledge it first, and `respond` follows up."""
    if not assistant.prepared:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def say(interaction: discord.Interaction, key: str) -> None:
    """A short ephemeral note from the catalog, in the user's language."""
    await interaction.response.send_message(
        ui(key, locale_lang(interaction.locale)), ephemeral=True
    )


async def refuse_if_rate_limited(assistant: Assistant, interaction: discord.Interaction) -> bool:
    """An interaction must be answered, so every refused one gets the (ephemeral) notice."""
    limited = assistant.rate_limit(str(interaction.user.id), locale_lang(interaction.locale))
    if limited is None:
        return False
    await interaction.response.send_message(limited.notice, ephemeral=True)
    return True


async def refuse_foreign_click(interaction: discord.Interaction, owner_id: int) -> bool:
    """Buttons of someone's walkthrough or reminder work only for that person."""
    if interaction.user.id == owner_id:
        return False
    await say(interaction, "not_yours")
    return True


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one place errors end: a short ephemeral note for the user, a traceback in the log."""
    lang = locale_lang(interaction.locale)
    if isinstance(error, app_commands.MissingPermissions):
        message = ui("not_moderator", lang)
    elif isinstance(error.__cause__ or error, StoreUnavailable):
        log.warning("could not serve an interaction without the store: %s", error)
        message = ui("store_unavailable", lang)
    else:
        log.error("error while handling an interaction", exc_info=error)
        message = ui("error", lang)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about the error", exc_info=True)


@asynccontextmanager
async def reporting_errors(interaction: discord.Interaction) -> AsyncIterator[None]:
    """Item callbacks run outside the command tree: route their errors to `report_error`."""
    try:
        yield
    except Exception as error:
        await report_error(interaction, error)
