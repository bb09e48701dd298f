"""`chatwork-safe-bot run`: every platform whose tokens are set, served by one process.

The platforms share one `Service` and one store: a knowledge reload made from Discord is what
Slack answers from too, and the heartbeat `health` reads is one file. Each platform keeps its
progress and reminders under its own platform name. SIGTERM or SIGINT stops every platform
(each closes its connection on the way out); a platform that fails to start stops the others
and its error is the one reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Iterator
from typing import Any

from bot.adapters.discord_bot.runner import OnCreated, serve_discord
from bot.adapters.slack_bot.app import PLATFORM as SLACK
from bot.adapters.slack_bot.runner import serve_slack, slack_tokens
from bot.core.assistant import Assistant
from bot.core.service import Service
from bot.settings import ConfigurationError, Settings
from bot.store import open_store

log = logging.getLogger(__name__)

NO_PLATFORM = (
    "No platform to serve: set DISCORD_TOKEN, or SLACK_BOT_TOKEN and SLACK_APP_TOKEN "
    "(see README); without any, `make run` opens the terminal console."
)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def serve_platforms(settings: Settings, on_discord: OnCreated | None = None) -> None:
    """Serve until signalled or cancelled; ConfigurationError when nothing can be served.

    `on_discord` hands the Discord client and its store to an embedding program (the tests).
    """
    if not settings.platforms:
        raise ConfigurationError(NO_PLATFORM)
    if "slack" in settings.platforms:
        slack_tokens(settings)
    service = Service(settings.knowledge_dir, settings.cache_dir)
    async with await open_store(settings.store_url) as store:
        runs: dict[str, Coroutine[Any, Any, None]] = {}
        if "discord" in settings.platforms:
            runs["discord"] = serve_discord(settings, service, store, on_discord)
        if "slack" in settings.platforms:
            assistant = Assistant(service, store, SLACK, settings.pacing)
            watch = settings.knowledge_watch and "discord" not in settings.platforms
            runs["slack"] = serve_slack(settings, assistant, watch_knowledge=watch)
        tasks = [asyncio.create_task(run, name=name) for name, run in runs.items()]
        with _cancelled_on_signals(tasks):
            await _until_all_stop(tasks)


async def _until_all_stop(tasks: list[asyncio.Task[None]]) -> None:
    """Wait for the platforms; the first failure stops the others and is raised."""
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    errors = [f for f in failures if not isinstance(f, asyncio.CancelledError)]
    if errors:
        raise errors[0]


@contextlib.contextmanager
def _cancelled_on_signals(tasks: list[asyncio.Task[None]]) -> Iterator[None]:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        log.info("stopping: %s", ", ".join(task.get_name() for task in tasks))
        for task in tasks:
            task.cancel()

    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
    try:
        yield
    finally:
        for sig in STOP_SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
