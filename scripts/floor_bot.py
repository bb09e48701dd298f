"""The floor of the load benchmark: the least a discord.py bot can do with the same events.

It answers every DM with a constant, and `/chatwork-safe` and its button with a constant message
and one button, so the benchmark can tell the bot's own cost from discord.py's. It reads the
same environment as `chatwork-safe-bot run` (DISCORD_TOKEN, DISCORD_API_BASE,
DISCORD_GATEWAY_URL).
"""

from __future__ import annotations

import asyncio
import os
import signal

import discord
import yarl
from discord import app_commands

FLOOR_BUTTON = "floor:next"


class FloorView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="next", custom_id=FLOOR_BUTTON)
    async def next_step(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="ok", view=self)


class FloorBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(
            intents=discord.Intents.default(), allowed_mentions=discord.AllowedMentions.none()
        )
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_view(FloorView())

        @self.tree.command(name="chatwork-safe", description="floor")
        async def walkthrough(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("ok", view=FloorView(), ephemeral=True)

        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None and not message.author.bot:
            await message.channel.send("ok")


async def main() -> None:
    discord.http.Route.BASE = os.environ["DISCORD_API_BASE"].rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["DISCORD_GATEWAY_URL"])
    bot = FloorBot()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(bot.close()))
    async with bot:
        await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())
