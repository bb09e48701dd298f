"""Start-up and shutdown of the Slack app: check both tokens, open Socket Mode, serve.

The tokens are checked with Slack before serving (``auth.test`` for the bot token,
``apps.connections.open`` for the app token), so a wrong one stops the start with one line
instead of bolt retrying forever. The URL that check obtained is the one the app connects to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.background import stop_background_jobs
from bot.adapters.slack_bot.app import SlackBot
from bot.core.assistant import Assistant
from bot.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
REMINDER_POLL_SECONDS = 30.0
"""Reminders come a day later: half a minute late is fine (shorter when the delay is shorter)."""
PRUNE_SECONDS = 6 * 3600.0
KNOWLEDGE_POLL_SECONDS = 2.0

MISSING_TOKEN = (
    "{missing} is not set: Slack needs both SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN "
    "(xapp-…); create the app from slack/manifest.yaml (see README)."
)
REJECTED_BOT_TOKEN = (
    "SLACK_BOT_TOKEN was rejected by Slack ({error}): use the Bot User OAuth Token of the "
    "installed app, without quotes."
)
REJECTED_APP_TOKEN = (
    "SLACK_APP_TOKEN was rejected by Slack ({error}): use an App-Level Token with "
    "connections:write, and enable Socket Mode."
)


def slack_tokens(settings: Settings) -> tuple[str, str]:
    """The bot and app tokens; ConfigurationError naming the one that is missing."""
    bot, app = settings.slack_bot_token, settings.slack_app_token
    if bot is None or app is None:
        missing = "SLACK_BOT_TOKEN" if bot is None else "SLACK_APP_TOKEN"
        raise ConfigurationError(MISSING_TOKEN.format(missing=missing))
    return bot.get_secret_value(), app.get_secret_value()


async def connect_slack(bot: SlackBot, app_token: str) -> AsyncSocketModeHandler:
    """Check both tokens with Slack and open the Socket Mode connection."""
    client = bot.app.client
    try:
        identity = await client.auth_test()
    except SlackApiError as exc:
        raise ConfigurationError(REJECTED_BOT_TOKEN.format(error=exc.response["error"])) from None
    try:
        opened = await client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        raise ConfigurationError(REJECTED_APP_TOKEN.format(error=exc.response["error"])) from None
    handler = AsyncSocketModeHandler(bot.app, app_token)
    handler.client.wss_uri = opened["url"]
    await handler.connect_async()
    log.info("connected to Slack workspace %s as %s", identity["team"], identity["user"])
    return handler


async def serve_slack(
    settings: Settings, assistant: Assistant, *, watch_knowledge: bool = False
) -> None:
    """Serve until cancelled, with the heartbeat, reminder delivery and pruning running.

    `watch_knowledge` is for a process where no other platform watches the knowledge files.
    """
    bot_token, app_token = slack_tokens(settings)
    bot = SlackBot(assistant, AsyncWebClient(token=bot_token, base_url=settings.slack_api_base))
    handler = await connect_slack(bot, app_token)
    reminder_poll = min(REMINDER_POLL_SECONDS, assistant.pacing.reminder_delay.total_seconds() / 2)
    jobs = {
        "slack heartbeat": _every(HEARTBEAT_SECONDS, assistant.heartbeat),
        "slack reminder delivery": _every(
            reminder_poll, lambda: assistant.deliver_reminders(bot.send_reminder)
        ),
        "slack question pruning": _every(PRUNE_SECONDS, assistant.prune_questions),
    }
    if watch_knowledge:
        jobs["knowledge watch"] = assistant.watch_knowledge(KNOWLEDGE_POLL_SECONDS)
    upkeep = [asyncio.create_task(job, name=name) for name, job in jobs.items()]
    try:
        await asyncio.gather(*upkeep)
    finally:
        await stop_background_jobs(upkeep)
        await handler.close_async()
        log.info("disconnected from Slack")


async def _every(seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    """Run ``job`` now and every ``seconds``; a failure is logged and retried next time."""
    while True:
        try:
            await job()
        except Exception:
            task = asyncio.current_task()
            name = task.get_name() if task is not None else "background job"
            log.exception("%s failed; retrying in %.0f s", name, seconds)
        await asyncio.sleep(seconds)
