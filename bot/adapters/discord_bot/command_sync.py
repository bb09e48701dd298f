"""Application command names in both languages, and syncing them only when they changed.

Names and descriptions come from the catalog (`command.*` keys): the English text is the
default every locale sees, and discord.py's Translator supplies the Japanese.
"""

from __future__ import annotations

import hashlib
import json
import logging

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.core.assistant import Assistant
from bot.core.catalog import CATALOGS, ui

log = logging.getLogger(__name__)

COMMANDS_HASH_KEY = "discord.commands_hash"
KEY_PREFIX = "command."


def command_text(key: str) -> locale_str:
    """A command name or description: English by default, translated by `BotTranslator`."""
    return locale_str(ui(KEY_PREFIX + key, "en"), key=KEY_PREFIX + key)


class BotTranslator(app_commands.Translator):
    """Discord shows the English defaults to every locale but Japanese."""

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale is not discord.Locale.japanese:
            return None
        return CATALOGS["ja"].get(string.extras.get("key", ""))


class CommandSync:
    """Discord rate-limits command sync: push the definitions only when their hash changed."""

    def __init__(
        self, tree: app_commands.CommandTree, assistant: Assistant, dev_guild_id: int | None
    ):
        self.tree = tree
        self.assistant = assistant
        self.dev_guild_id = dev_guild_id
        self.translator = BotTranslator()

    async def commands_hash(self) -> str:
        """Hash of the translated command payloads Discord would receive."""
        payload = [
            await command.get_translated_payload(self.tree, self.translator)
            for command in self.tree.get_commands()
        ]
        scope = {"guild": self.dev_guild_id, "commands": payload}
        return hashlib.sha256(json.dumps(scope, sort_keys=True, default=str).encode()).hexdigest()

    async def sync(self) -> None:
        guild = discord.Object(self.dev_guild_id) if self.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        await self.assistant.remember(COMMANDS_HASH_KEY, await self.commands_hash())
        log.info("synced %d application commands (%s)", len(synced), guild or "global")

    async def sync_if_changed(self) -> bool:
        current = await self.commands_hash()
        if await self.assistant.recall(COMMANDS_HASH_KEY) == current:
            log.info("application commands unchanged; not syncing")
            return False
        await self.sync()
        return True
