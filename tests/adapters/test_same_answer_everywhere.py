"""One question, one answer: Discord, Slack and the console show the same entry and text.

Discord and Slack run in one process (`serve_platforms` with both platforms' settings, as
`chatwork-safe-bot run` does when both tokens are set), each against its own fake; the console
reads the same question from a pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.console import PLATFORM as CONSOLE
from bot.adapters.console import Console
from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.adapters.platforms import serve_platforms
from bot.adapters.slack_bot.app import unescape
from bot.core.assistant import Assistant
from bot.core.service import Service
from bot.settings import Settings
from bot.store import open_store
from tests.adapters.slack_bot.conftest import MANIFEST, RATE_LIMIT_FOR_TESTS, reply_to_dm
from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import ended, unless_task_dies
from tests.fakeslack import FakeSlack

QUESTIONS = ("チャットワークは無料ですか", "仮払い前にIDを教えてもいい？", "how do I deliver")
STARTUP_TIMEOUT = 10.0

Shown = tuple[str, str, str]
"""(title, answer text, source and as-of line) as a user reads them."""


def on_discord(message: dict[str, Any]) -> Shown:
    embeds = message["embeds"]
    body = "\n".join(embed["description"] for embed in embeds)
    return embeds[0]["title"], body, embeds[-1]["footer"]["text"]


def on_slack(message: dict[str, Any]) -> Shown:
    blocks = message["blocks"]
    body = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    [source, *_] = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    return blocks[0]["text"]["text"], unescape(body), unescape(source)


def on_console(output: str) -> Shown:
    assert output.startswith("■ "), output
    heading, _, rest = output[2:].partition("\n")
    body, _, source = rest.strip().rpartition("\n\n")
    return heading, body, source


async def console_answer(service: Service, data_dir: Path, question: str) -> Shown:
    out = io.StringIO()
    async with await open_store(data_dir) as store:
        console = Console(
            Assistant(service, store, CONSOLE), io.StringIO(f"{question}\n"), out, interactive=False
        )
        assert await console.run() == 0
    return on_console(out.getvalue())


async def test_the_same_question_gets_the_same_entry_and_text_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ChatworkSafeBot, "guild_ready_timeout", 0.05)
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    service = Service()
    async with FakeDiscord() as discord_fake, FakeSlack(manifest=MANIFEST) as slack_fake:
        settings = Settings(
            discord_token=discord_fake.token,
            discord_api_base=discord_fake.api_base,
            discord_gateway_url=discord_fake.gateway_url,
            slack_bot_token=slack_fake.bot_token,
            slack_app_token=slack_fake.app_token,
            slack_api_base=slack_fake.api_base,
            data_dir=tmp_path / "bot",
            database_url=None,
            knowledge_dir=None,
            rate_limit_count=RATE_LIMIT_FOR_TESTS,
        )
        created: asyncio.Future[ChatworkSafeBot] = asyncio.get_running_loop().create_future()
        serving = asyncio.create_task(
            serve_platforms(settings, on_discord=lambda bot, _store: created.set_result(bot))
        )
        try:
            discord_bot = await unless_task_dies(serving, created, STARTUP_TIMEOUT)
            await unless_task_dies(serving, discord_bot.wait_until_ready(), STARTUP_TIMEOUT)
            await unless_task_dies(
                serving, slack_fake.wait_for_connection(timeout=STARTUP_TIMEOUT), STARTUP_TIMEOUT
            )
            for question in QUESTIONS:
                entry = service.engines.matcher.answer(question).entry
                assert entry is not None, question

                after = discord_fake.mark()
                await discord_fake.send_dm(discord_fake.user, question)
                await discord_fake.wait_for_request(
                    "POST", r"/channels/\d+/messages", lambda r: r.status == 200, after=after
                )
                dm = discord_fake.dm_channel(discord_fake.user)
                discord_shown = on_discord(discord_fake.messages_in(dm)[-1])
                slack_shown = on_slack(await reply_to_dm(slack_fake, slack_fake.user, question))
                console_shown = await console_answer(service, tmp_path / "console", question)

                lang = "en" if question.isascii() else "ja"
                assert discord_shown == slack_shown == console_shown, question
                assert discord_shown[:2] == (entry.title.get(lang), entry.answer.get(lang).strip())
        finally:
            serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ended(serving, STARTUP_TIMEOUT)
        assert discord_fake.unhandled == [] and slack_fake.unhandled == []
