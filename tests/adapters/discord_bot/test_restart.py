"""Stopping and starting the bot: old buttons keep working, progress resumes, no needless sync,
and stopping ends even a background job that lost its cancellation.

Each test runs `serve_platforms` twice (or more) on one data directory against one fake Discord, which
keeps its messages and registered commands across the restart like the real one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.adapters.discord_bot.command_sync import COMMANDS_HASH_KEY
from bot.store import open_store
from bot.store.sqlite import SqliteStore
from tests.adapters.conftest import run_cli
from tests.adapters.discord_bot.conftest import (
    MESSAGE_RESPONSE,
    Walker,
    answered_in_time,
    ask_in_dm,
    cli_environment,
    custom_ids,
    new_member,
    running_bot,
)
from tests.fakediscord import FakeDiscord


def syncs(fake: FakeDiscord) -> int:
    return sum(1 for r in fake.requests if r.method == "PUT" and "/commands" in r.path)


async def test_old_buttons_work_and_the_guide_resumes_after_a_restart(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        user = new_member(fake, "restarter")
        async with running_bot(fake, tmp_path) as before:
            walker = Walker(fake, before, user)
            await walker.start()
            await walker.press("choice:0", expect="apply-and-wait")
            answer = await ask_in_dm(fake, user, "チャットワークは無料ですか")
        assert before.is_closed()

        async with running_bot(fake, tmp_path) as after:
            walker.bot = after
            await walker.press("choice:0", expect="chatwork-setup")

            related = next(i for i in custom_ids(answer) if i.startswith("cs:faq:"))
            clicked = await answered_in_time(await fake.click_button(answer, related, user=user))
            assert clicked.type == MESSAGE_RESPONSE
            assert clicked.data["embeds"][0]["title"]

            resumed = Walker(fake, after, user)
            await resumed.start()
            assert resumed.step_id == "chatwork-setup"
            assert "back" in resumed.actions
        assert fake.unhandled == []


async def test_commands_sync_once_and_again_only_when_changed_or_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    async with FakeDiscord() as fake:
        async with running_bot(fake, tmp_path):
            assert syncs(fake) == 1
            assert {"faq", "chatwork-safe"} <= {c["name"] for c in fake.commands[None]}
        async with running_bot(fake, tmp_path):
            pass
        assert syncs(fake) == 1, "unchanged commands were synced again on restart"

        async with await open_store(tmp_path) as store:
            await store.set_meta(COMMANDS_HASH_KEY, "definitions of an older release")
        async with running_bot(fake, tmp_path):
            assert syncs(fake) == 2

        cli_environment(monkeypatch, fake, tmp_path)
        assert await run_cli(["sync-commands"]) == 0
        assert syncs(fake) == 3
        assert fake.unhandled == []


async def test_dev_guild_gets_the_commands_instantly(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        guild_id = fake.guild.id
        async with running_bot(fake, tmp_path, dev_guild_id=int(guild_id)):
            assert {"faq", "chatwork-safe"} <= {c["name"] for c in fake.commands[guild_id]}
            assert fake.commands.get(None, []) == []
            handle = await fake.slash_command("faq", {"question": "仮払いって何？"})
            assert (await answered_in_time(handle)).data["embeds"][0]["title"]


async def test_closing_ends_a_background_job_that_lost_its_cancellation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Python 3.11's `asyncio.wait_for` may return a store call's result instead of the
    cancellation that came with it; the heartbeat then slept and looped on, and closing waited
    for it forever: `chatwork-safe-bot run` hung when Discord refused the intent at start."""
    lost = asyncio.Event()

    async def beat_losing_its_cancellation(store: SqliteStore, now: object = None) -> None:
        if lost.is_set():
            return
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            lost.set()

    monkeypatch.setattr(SqliteStore, "beat", beat_losing_its_cancellation)
    async with FakeDiscord() as fake:
        async with running_bot(fake, tmp_path) as bot:
            pass
        assert lost.is_set(), "the heartbeat was not in its store call when the bot closed"
        assert bot.is_closed()
    assert "left behind" not in caplog.text
