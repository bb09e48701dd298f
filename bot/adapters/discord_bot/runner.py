"""The Discord bot's start-up and shutdown (`run` serves it through `bot.adapters.platforms`)
and `sync-commands`."""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
import yarl

from bot.adapters.discord_bot.client import PLATFORM, BotOptions, ChatworkSafeBot
from bot.core.assistant import Assistant
from bot.core.ports import Store
from bot.core.service import Service
from bot.settings import ConfigurationError, Settings
from bot.store import open_store

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "DISCORD_TOKEN is not set: create a bot in the Discord developer portal and export its token."
)
INVALID_TOKEN = (
    "DISCORD_TOKEN was rejected by Discord: check that it is the bot token, without quotes."
)
INTENT_REFUSED = (
    "Discord refused the Message Content intent that FAQ_CHANNEL_IDS needs: enable "
    "'Message Content Intent' under Bot → Privileged Gateway Intents in the developer portal, "
    "or unset FAQ_CHANNEL_IDS."
)


def point_at_endpoints(settings: Settings) -> None:
    """Send REST and gateway traffic to configured endpoints (proxies, the test fake)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def create_bot(settings: Settings, service: Service, store: Store) -> ChatworkSafeBot:
    options = BotOptions(
        dev_guild_id=settings.dev_guild_id,
        faq_channel_ids=settings.faq_channel_ids,
        knowledge_watch=settings.knowledge_watch,
    )
    return ChatworkSafeBot(Assistant(service, store, PLATFORM, settings.pacing), options)


def _token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigurationError(MISSING_TOKEN)
    return token


OnCreated = Callable[[ChatworkSafeBot, Store], None]


async def serve_discord(
    settings: Settings, service: Service, store: Store, on_created: OnCreated | None = None
) -> None:
    """Connect and serve until closed or cancelled; ConfigurationError on a bad token or intent.

    `on_created` hands the client and its store to an embedding program (the end-to-end tests)
    before it connects, so it can wait for readiness, close it, or act on the store it uses.
    """
    token = _token(settings)
    point_at_endpoints(settings)
    bot = create_bot(settings, service, store)
    if on_created is not None:
        on_created(bot, store)
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure as exc:
        raise ConfigurationError(INVALID_TOKEN) from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise ConfigurationError(INTENT_REFUSED) from exc


async def sync_commands(settings: Settings) -> None:
    """Log in over REST only and push the command definitions, whatever the stored hash says."""
    token = _token(settings)
    point_at_endpoints(settings)
    service = Service(settings.knowledge_dir, settings.cache_dir)
    async with await open_store(settings.store_url) as store:
        bot = create_bot(settings, service, store)
        bot.serving = False
        try:
            async with bot:
                await bot.login(token)
                await bot.command_sync.sync()
        except discord.LoginFailure as exc:
            raise ConfigurationError(INVALID_TOKEN) from exc
