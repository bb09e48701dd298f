"""`chatwork-safe-bot run` and `sync-commands`: start-up and shutdown of the Discord bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import timedelta

import discord
import yarl

from bot.adapters.discord_bot.client import PLATFORM, BotOptions, ChatworkSafeBot
from bot.core.assistant import Assistant, Pacing
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
    pacing = Pacing(
        rate_limit_count=settings.rate_limit_count,
        rate_limit_window_seconds=settings.rate_limit_window_seconds,
        channel_cooldown_seconds=settings.faq_channel_cooldown_seconds,
        reminder_delay=timedelta(hours=settings.reminder_delay_hours),
        question_retention_days=settings.question_retention_days,
    )
    options = BotOptions(
        dev_guild_id=settings.dev_guild_id,
        faq_channel_ids=settings.faq_channel_ids,
        knowledge_watch=settings.knowledge_watch,
    )
    return ChatworkSafeBot(Assistant(service, store, PLATFORM, pacing), options)


def _token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigurationError(MISSING_TOKEN)
    return token


async def run_bot(
    settings: Settings, on_created: Callable[[ChatworkSafeBot, Store], None] | None = None
) -> None:
    """Connect and serve until closed or signalled; raises ConfigurationError on a bad token.

    `on_created` hands the client and its store to an embedding program (the end-to-end tests)
    before it connects, so it can wait for readiness, close it, or act on the store it uses.
    """
    token = _token(settings)
    point_at_endpoints(settings)
    service = Service(settings.knowledge_dir)
    async with await open_store(settings.store_url) as store:
        bot = create_bot(settings, service, store)
        if on_created is not None:
            on_created(bot, store)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure as exc:
            raise ConfigurationError(INVALID_TOKEN) from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise ConfigurationError(INTENT_REFUSED) from exc
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)


async def sync_commands(settings: Settings) -> None:
    """Log in over REST only and push the command definitions, whatever the stored hash says."""
    token = _token(settings)
    point_at_endpoints(settings)
    service = Service(settings.knowledge_dir)
    async with await open_store(settings.store_url) as store:
        bot = create_bot(settings, service, store)
        bot.serving = False
        try:
            async with bot:
                await bot.login(token)
                await bot.command_sync.sync()
        except discord.LoginFailure as exc:
            raise ConfigurationError(INVALID_TOKEN) from exc
