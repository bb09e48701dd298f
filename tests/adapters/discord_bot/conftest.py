"""The real bot (`run_bot`, real discord.py) against the fake Discord over loopback sockets.

Tests that can share a bot use the module-scoped `fake` and `bot` fixtures; mark the module
`pytestmark = pytest.mark.asyncio(loop_scope="module")` so they run on the fixtures' loop.
Tests that stop and start the bot use `running_bot` with a data directory of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.adapters.discord_bot.runner import run_bot
from bot.settings import Settings
from tests.fakediscord import FakeDiscord, FakeUser
from tests.fakediscord.records import InteractionCallback, InteractionHandle, RecordedRequest

T = TypeVar("T")
STARTUP_TIMEOUT = 10.0
MESSAGES = r"/channels/\d+/messages"
RATE_LIMIT_FOR_TESTS = 1_000
"""Tests here ask many questions as one user; the per-user limit is not what they check."""


def bot_settings(fake: FakeDiscord, data_dir: Path) -> Settings:
    """What the environment of `chatwork-safe-bot run` would give, pointed at the fake."""
    return Settings(
        discord_token=fake.token,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        data_dir=data_dir,
        database_url=None,
        knowledge_dir=None,
        dev_guild_id=None,
        rate_limit_count=10_000,
    )


async def first_of(awaitable: Awaitable[T], running: asyncio.Task[None], timeout: float) -> T:
    """Await `awaitable`, but surface the bot's own error if `run_bot` ends first."""
    waiter = asyncio.ensure_future(awaitable)
    done, _ = await asyncio.wait(
        {waiter, running}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if waiter in done:
        return waiter.result()
    waiter.cancel()
    if running in done:
        running.result()
        raise RuntimeError("run_bot returned before the bot was ready")
    raise TimeoutError(f"bot not ready within {timeout}s")


@asynccontextmanager
async def running_bot(fake: FakeDiscord, data_dir: Path) -> AsyncIterator[ChatworkSafeBot]:
    """`run_bot` until the bot is ready; close it on exit and restore discord.py's endpoints."""
    endpoints = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    created: asyncio.Future[ChatworkSafeBot] = asyncio.get_running_loop().create_future()
    running = asyncio.create_task(
        run_bot(bot_settings(fake, data_dir), on_created=created.set_result), name="run_bot"
    )
    try:
        bot = await first_of(created, running, STARTUP_TIMEOUT)
        await first_of(bot.wait_until_ready(), running, STARTUP_TIMEOUT)
        yield bot
    finally:
        if created.done() and not created.cancelled():
            await created.result().close()
        await asyncio.wait_for(running, STARTUP_TIMEOUT)
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = endpoints


@pytest.fixture(autouse=True, scope="session")
def quick_guild_ready() -> Iterator[None]:
    """discord.py waits 2 s after the last GUILD_CREATE before `on_ready`; the fake sends one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChatworkSafeBot, "guild_ready_timeout", 0.05)
        yield


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(
    fake: FakeDiscord, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ChatworkSafeBot]:
    async with running_bot(fake, tmp_path_factory.mktemp("data")) as started:
        yield started
    assert fake.unhandled == []


async def ask_in_dm(fake: FakeDiscord, user: FakeUser, text: str) -> dict[str, Any]:
    """DM the bot and return the body of its first reply."""
    after = fake.mark()
    await fake.send_dm(user, text)
    reply = await fake.wait_for_request("POST", MESSAGES, answered, after=after)
    return reply.json


def answered(request: RecordedRequest) -> bool:
    return request.status == 200


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons and selects of a message, in order."""
    return [item for row in message.get("components") or [] for item in row["components"]]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [item["custom_id"] for item in components(message)]


DEADLINE_SECONDS = 3.0


async def answered_in_time(handle: InteractionHandle) -> InteractionCallback:
    """The bot's callback, which Discord would refuse after 3 s."""
    callback = await handle.response()
    assert callback.elapsed < DEADLINE_SECONDS, f"{handle!r} took {callback.elapsed:.2f}s"
    return callback


def new_member(fake: FakeDiscord, name: str) -> FakeUser:
    """A fresh guild member: walkthrough progress is per user, and tests share one bot."""
    user = fake.add_user(name)
    fake.add_member(fake.guild, user)
    return user
