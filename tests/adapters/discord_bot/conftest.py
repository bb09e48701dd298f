"""The real bot (`serve_platforms`, real discord.py) against the fake Discord over loopback.

`running_bot` goes through the same start-up as `chatwork-safe-bot run`: settings naming the
fake's endpoints, the store in a data directory, `serve_platforms` until the bot is ready.
Tests that can share a bot use the module-scoped `fake` and `bot` fixtures; such a module is
marked `pytestmark = pytest.mark.asyncio(loop_scope="module")` to run on the fixtures' loop.
Tests that stop and start the bot use `running_bot` with a fake of their own.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.adapters.platforms import serve_platforms
from bot.core.knowledge import Knowledge, Step, load_knowledge
from bot.core.ports import Store
from bot.settings import Settings
from tests.fakediscord import FakeDiscord, FakeUser
from tests.fakediscord.fixtures import ended, unless_task_dies
from tests.fakediscord.records import InteractionCallback, InteractionHandle, RecordedRequest

STARTUP_TIMEOUT = 10.0
DEADLINE_SECONDS = 3.0
MESSAGES = r"/channels/\d+/messages"
EPHEMERAL = 1 << 6
MESSAGE_RESPONSE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT = 4, 7, 8
RATE_LIMIT_FOR_TESTS = 1_000
"""Tests here ask many questions as one user; the per-user limit is not what they check."""


def bot_settings(fake: FakeDiscord, data_dir: Path, **overrides: Any) -> Settings:
    """What the environment of `chatwork-safe-bot run` would give, pointed at the fake."""
    defaults: dict[str, Any] = dict(
        discord_token=fake.token,
        discord_api_base=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        data_dir=data_dir,
        database_url=None,
        knowledge_dir=None,
        dev_guild_id=None,
        rate_limit_count=RATE_LIMIT_FOR_TESTS,
    )
    return Settings(**(defaults | overrides))


LIVE_STORES: weakref.WeakKeyDictionary[ChatworkSafeBot, Store] = weakref.WeakKeyDictionary()


def live_store(bot: ChatworkSafeBot) -> Store:
    """The store a running bot uses, for tests that inject faults into it or flush its queue.

    The bot itself never hands its store out: adapters see only the assistant.
    """
    return LIVE_STORES[bot]


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, data_dir: Path, **overrides: Any
) -> AsyncIterator[ChatworkSafeBot]:
    """`serve_platforms` until the bot is ready; close it on exit and restore discord.py's
    endpoints.

    `overrides` replace `Settings` fields (as environment variables would).
    """
    endpoints = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    created: asyncio.Future[ChatworkSafeBot] = asyncio.get_running_loop().create_future()

    def on_created(bot: ChatworkSafeBot, store: Store) -> None:
        LIVE_STORES[bot] = store
        created.set_result(bot)

    running = asyncio.create_task(
        serve_platforms(bot_settings(fake, data_dir, **overrides), on_discord=on_created),
        name="serve_platforms",
    )
    try:
        bot = await unless_task_dies(running, created, STARTUP_TIMEOUT)
        await unless_task_dies(running, bot.wait_until_ready(), STARTUP_TIMEOUT)
        yield bot
    finally:
        if created.done() and not created.cancelled():
            await ended(
                asyncio.create_task(created.result().close(), name="bot.close()"), STARTUP_TIMEOUT
            )
        await ended(running, STARTUP_TIMEOUT)
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


@pytest.fixture(scope="module")
def bot_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared bot's data directory: tests open their own store on it to look inside."""
    return tmp_path_factory.mktemp("data")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(fake: FakeDiscord, bot_data_dir: Path) -> AsyncIterator[ChatworkSafeBot]:
    async with running_bot(fake, bot_data_dir) as started:
        yield started
    assert fake.unhandled == []


def cli_environment(monkeypatch: pytest.MonkeyPatch, fake: FakeDiscord, data_dir: Path) -> None:
    """The environment `chatwork-safe-bot run` reads, pointed at the fake.

    `serve_platforms` sets discord.py's endpoints process-wide; monkeypatch restores them after the test.
    """
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    monkeypatch.setenv("DISCORD_TOKEN", fake.token)
    monkeypatch.setenv("DISCORD_API_BASE", fake.api_base)
    monkeypatch.setenv("DISCORD_GATEWAY_URL", fake.gateway_url)
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def answered(request: RecordedRequest) -> bool:
    return request.status == 200


async def ask_in_dm(
    fake: FakeDiscord, user: FakeUser, text: str, timeout: float = 5.0
) -> dict[str, Any]:
    """DM the bot and return its first reply as stored by the fake."""
    after = fake.mark()
    await fake.send_dm(user, text)
    await fake.wait_for_request("POST", MESSAGES, answered, after=after, timeout=timeout)
    return fake.messages_in(fake.dm_channel(user))[-1]


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


def components(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Buttons and selects of a message, in order."""
    return [item for row in message.get("components") or [] for item in row["components"]]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [item["custom_id"] for item in components(message)]


def walk_buttons(message: dict[str, Any]) -> dict[str, str]:
    """{action: step id} of the walkthrough buttons (`cs:walk:<owner>:<step>:<action>`)."""
    buttons = {}
    for custom_id in custom_ids(message):
        if custom_id.startswith("cs:walk:"):
            _, _, _owner, step_id, action = custom_id.split(":", 4)
            buttons[action] = step_id
    return buttons


@cache
def bundled_knowledge() -> Knowledge:
    """The knowledge every bot here serves unless a test gives it an edited copy."""
    return load_knowledge()


def step(step_id: str) -> Step:
    [found] = [s for s in bundled_knowledge().walkthrough.steps if s.id == step_id]
    return found


class Walker:
    """One user's `/chatwork-safe` message, clicked like a person would."""

    def __init__(self, fake: FakeDiscord, bot: ChatworkSafeBot, user: FakeUser) -> None:
        self.fake, self.bot, self.user = fake, bot, user
        self.message: dict[str, Any] = {}

    async def start(self, **where: Any) -> InteractionCallback:
        handle = await self.fake.slash_command("chatwork-safe", user=self.user, **where)
        callback = await answered_in_time(handle)
        assert callback.type == MESSAGE_RESPONSE
        self.message = await handle.final_message()
        return callback

    @property
    def current(self) -> dict[str, Any]:
        found = self.fake.find_message(self.message["id"])
        assert found is not None
        return found

    @property
    def step_id(self) -> str:
        [step_id] = set(walk_buttons(self.current).values())
        return step_id

    @property
    def actions(self) -> list[str]:
        return list(walk_buttons(self.current))

    @property
    def embed(self) -> dict[str, Any]:
        return self.current["embeds"][0]

    async def press(self, action: str, *, expect: str) -> InteractionHandle:
        """Press the button for `action` and check the message now shows step `expect`."""
        custom_id = f"cs:walk:{self.user.id}:{self.step_id}:{action}"
        handle = await self.fake.click_button(self.current, custom_id, user=self.user)
        callback = await answered_in_time(handle)
        assert callback.type == UPDATE_MESSAGE
        assert self.step_id == expect
        assert self.embed["title"] == step(expect).title.get("ja")
        return handle
