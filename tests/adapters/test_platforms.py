"""`serve_platforms`: what runs when, and a platform that cannot start stops the others."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.adapters.platforms import NO_PLATFORM, serve_platforms
from bot.adapters.slack_bot.runner import MISSING_TOKEN, REJECTED_APP_TOKEN
from bot.settings import ConfigurationError, Settings
from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import ended
from tests.fakeslack import FakeSlack

STARTUP_TIMEOUT = 10.0


def test_platforms_follow_the_tokens() -> None:
    def platforms(discord: str | None, bot: str | None, app: str | None) -> tuple[str, ...]:
        settings = Settings(discord_token=discord, slack_bot_token=bot, slack_app_token=app)
        return settings.platforms

    assert platforms(None, None, None) == ()
    assert platforms(" ", None, None) == ()
    assert platforms("t", None, None) == ("discord",)
    assert platforms(None, None, "xapp-1") == ("slack",), "then the missing one is reported"
    assert platforms("t", "xoxb-1", "xapp-1") == ("discord", "slack")


async def test_nothing_to_serve_and_a_missing_slack_token_stop_before_connecting(
    tmp_path: Path,
) -> None:
    nothing_set = Settings(
        discord_token=None, slack_bot_token=None, slack_app_token=None, data_dir=tmp_path
    )
    with pytest.raises(ConfigurationError) as nothing:
        await serve_platforms(nothing_set)
    assert str(nothing.value) == NO_PLATFORM
    half = Settings(
        discord_token="t", slack_bot_token="xoxb-1", slack_app_token=None, data_dir=tmp_path
    )
    with pytest.raises(ConfigurationError) as missing:
        await serve_platforms(half)
    assert str(missing.value) == MISSING_TOKEN.format(missing="SLACK_APP_TOKEN")


async def test_a_rejected_slack_token_stops_discord_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChatworkSafeBot, "guild_ready_timeout", 0.05)
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    started: list[ChatworkSafeBot] = []
    async with FakeDiscord() as discord_fake, FakeSlack() as slack_fake:
        settings = Settings(
            discord_token=discord_fake.token,
            discord_api_base=discord_fake.api_base,
            discord_gateway_url=discord_fake.gateway_url,
            slack_bot_token=slack_fake.bot_token,
            slack_app_token="xapp-1-not-the-app-token",
            slack_api_base=slack_fake.api_base,
            data_dir=tmp_path,
            database_url=None,
            knowledge_dir=None,
        )
        serving = asyncio.create_task(
            serve_platforms(settings, on_discord=lambda bot, _store: started.append(bot)),
            name="serve_platforms",
        )
        with pytest.raises(ConfigurationError) as rejected:
            await ended(serving, STARTUP_TIMEOUT)

    assert str(rejected.value) == REJECTED_APP_TOKEN.format(error="invalid_auth")
    [discord_bot] = started
    assert discord_bot.is_closed(), "the Discord client was closed on the way out"
    assert slack_fake.socket_mode.connections == []
