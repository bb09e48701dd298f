"""The real Slack app (slack-bolt over Socket Mode) against the fake Slack on loopback sockets.

`running_slack` goes through the same start-up as `chatwork-safe-bot run`: settings naming the
fake's Web API, the store in a data directory, every configured platform served until the test
is done. The fake is built from `slack/manifest.yaml`, so an app that needs a scope, an event,
a command or a shortcut the manifest does not declare fails here as it would in a workspace.
Tests that can share an app use the module-scoped `fake` and `slack_app` fixtures; such a module
is marked `pytestmark = pytest.mark.asyncio(loop_scope="module")`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from bot.adapters.platforms import serve_platforms
from bot.core.service import Service
from bot.settings import Settings
from tests.fakediscord.fixtures import ended, unless_task_dies
from tests.fakeslack import EnvelopeHandle, FakeSlack, FakeUser, all_texts

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = yaml.safe_load((ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
STARTUP_TIMEOUT = 10.0
RATE_LIMIT_FOR_TESTS = 1_000
"""Tests here ask many questions as one user; the per-user limit is not what they check."""


def slack_settings(fake: FakeSlack, data_dir: Path, **overrides: Any) -> Settings:
    """What the environment of `chatwork-safe-bot run` would give, pointed at the fake."""
    defaults: dict[str, Any] = dict(
        slack_bot_token=fake.bot_token,
        slack_app_token=fake.app_token,
        slack_api_base=fake.api_base,
        discord_token=None,
        data_dir=data_dir,
        database_url=None,
        knowledge_dir=None,
        rate_limit_count=RATE_LIMIT_FOR_TESTS,
    )
    return Settings(**(defaults | overrides))


def slack_environment(fake: FakeSlack, data_dir: Path) -> dict[str, str]:
    """The environment a `python -m bot run` subprocess needs to serve Slack from the fake."""
    return {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_API_BASE": fake.api_base,
        "DATA_DIR": str(data_dir),
        "RATE_LIMIT_COUNT": str(RATE_LIMIT_FOR_TESTS),
    }


@asynccontextmanager
async def running_slack(fake: FakeSlack, data_dir: Path, **overrides: Any) -> AsyncIterator[None]:
    """`serve_platforms` until the app is connected; cancelled (as on SIGTERM) on exit."""
    connections = len(fake.socket_mode.connections)
    serving = asyncio.create_task(
        serve_platforms(slack_settings(fake, data_dir, **overrides)), name="serve_platforms"
    )
    try:
        await unless_task_dies(
            serving, fake.wait_for_connection(connections + 1, STARTUP_TIMEOUT), STARTUP_TIMEOUT
        )
        yield
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ended(serving, STARTUP_TIMEOUT)


@pytest.fixture(scope="session")
def service() -> Service:
    """The bundled knowledge, to say what the right answer is."""
    return Service()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(manifest=MANIFEST) as started:
        yield started


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack_app(
    fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[None]:
    async with running_slack(fake, tmp_path_factory.mktemp("data")):
        yield
    assert fake.unhandled == []
    assert fake.stray_acks == []


def text_of(message: dict[str, Any]) -> str:
    """Everything a user reads in a message: the fallback text and every block text."""
    return "\n".join([message.get("text") or "", *all_texts(message.get("blocks") or [])])


def action_ids(message: dict[str, Any]) -> list[str]:
    """The action_id of every button and menu, in order."""
    return [
        element["action_id"]
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def reply_to_dm(fake: FakeSlack, user: FakeUser, text: str) -> dict[str, Any]:
    """DM the app and return its reply as the fake stored it (the ack checked on the way)."""
    after = fake.mark()
    handle = await fake.send_dm(user, text)
    await handle.acked()
    post = await fake.wait_for_call("chat.postMessage", lambda c: c.ok, after=after)
    reply = fake.find_message(post.response["channel"], post.response["ts"])
    assert reply is not None
    return reply


async def only_response(handle: EnvelopeHandle) -> dict[str, Any]:
    """The one message the app posted through the envelope's response_url, ack checked."""
    await handle.acked()
    (reply,) = await handle.responses()
    return reply
