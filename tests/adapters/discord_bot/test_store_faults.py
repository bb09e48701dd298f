"""The store never stands between a user and an answer, end to end on the real bot.

Each fault is made from outside the bot's code path: the file locked by another process, the
file deleted, writes refused as SQLite refuses them on a read-only file. Throughout, every FAQ
question is answered within a second and every walkthrough click within Discord's deadline;
when the fault clears, progress is saved again without a restart. Also here: a flood from one
user gets one rate-limit notice, and what the store keeps of a question is scrubbed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from bot.store import DEFAULT_FILENAME
from bot.store.sqlite import FILE_CHECK_SECONDS, RETRY_SECONDS
from tests.adapters.discord_bot.conftest import (
    MESSAGES,
    Walker,
    answered,
    live_store,
    new_member,
    running_bot,
)
from tests.adapters.discord_bot.support import admin_reply, new_moderator
from tests.fakediscord import FakeDiscord, FakeUser
from tests.fakediscord.records import InteractionHandle

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANSWER_WITHIN_SECONDS = 1.0
QUESTIONS = (
    "チャットワークは無料ですか",  # a confident answer: an answer event is recorded
    "今日の東京の天気はどうですか",  # no answer: the question text is recorded
    "チャットワークIDはいつ交換していい？",
)
LOCK_SECONDS = 10.0
HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO meta (key, value) VALUES ('held by', 'another process')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""
DISCORD_SHAPED_TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"


@pytest_asyncio.fixture(loop_scope="module")
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake of each test's own: faults and floods must not leak into other tests."""
    async with FakeDiscord(token=DISCORD_SHAPED_TOKEN) as started:
        yield started


def store_file(data_dir: Path) -> Path:
    return data_dir / DEFAULT_FILENAME


def stored_progress(data_dir: Path, user: FakeUser) -> str | None:
    """Read by another connection, as an operator would: what is really on disk."""
    with sqlite3.connect(store_file(data_dir)) as raw:
        row = raw.execute(
            "SELECT progress FROM progress WHERE user_id = ?", (str(user.id),)
        ).fetchone()
    return None if row is None else row[0]


async def seconds_to_answer(fake: FakeDiscord, user: FakeUser, question: str) -> float:
    loop = asyncio.get_running_loop()
    after, sent = fake.mark(), loop.time()
    await fake.send_dm(user, question)
    await fake.wait_for_request("POST", MESSAGES, answered, after=after)
    return loop.time() - sent


async def assert_questions_answered_promptly(fake: FakeDiscord, user: FakeUser) -> None:
    for question in QUESTIONS:
        elapsed = await seconds_to_answer(fake, user, question)
        assert elapsed < ANSWER_WITHIN_SECONDS, f"{question!r} answered after {elapsed:.2f}s"


def notices(handle: InteractionHandle) -> list[str]:
    return [m.get("content") for m in handle.followup_messages]


async def walk_on_during_the_fault(walker: Walker) -> list[InteractionHandle]:
    """Clicks that each move the guide on, from the step carried in the button."""
    return [
        await walker.press("choice:0", expect="chatwork-setup"),
        await walker.press("next", expect="conduct"),
        await walker.press("back", expect="chatwork-setup"),
        await walker.press("next", expect="conduct"),
    ]


async def walker_on_apply_step(fake: FakeDiscord, bot: ChatworkSafeBot, name: str) -> Walker:
    walker = Walker(fake, bot, new_member(fake, name))
    await walker.start()
    await walker.press("choice:0", expect="apply-and-wait")
    return walker


async def refuse_writes(bot: ChatworkSafeBot, refuse: bool) -> None:
    """What SQLite does on a read-only file: every write is refused (root ignores chmod)."""
    await live_store(bot).writer.run(
        lambda connection: connection.execute(f"PRAGMA query_only = {int(refuse)}"), 1.0
    )


async def test_store_refusing_writes(fake: FakeDiscord, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with running_bot(fake, data_dir) as bot:
        walker = await walker_on_apply_step(fake, bot, "read-only")
        await refuse_writes(bot, True)

        await assert_questions_answered_promptly(fake, fake.user)
        first, *later = await walk_on_during_the_fault(walker)
        await first.followups()
        assert notices(first) == [ui("progress_not_saved", "ja")], "told once"
        assert [notices(handle) for handle in later] == [[]] * len(later)
        assert stored_progress(data_dir, walker.user) == "contract-escrow/apply-and-wait"

        await asyncio.sleep(RETRY_SECONDS)
        await refuse_writes(bot, False)
        await walker.press("choice:0", expect="delivery")
        assert stored_progress(data_dir, walker.user) == (
            "contract-escrow/apply-and-wait/chatwork-setup/conduct/delivery"
        )
        await live_store(bot).flush()
        assert live_store(bot).dropped_records >= len(QUESTIONS)
    assert fake.unhandled == []


async def test_store_locked_by_another_process_for_ten_seconds(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    async with running_bot(fake, data_dir) as bot:
        walker = await walker_on_apply_step(fake, bot, "locked-out")
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(store_file(data_dir)), str(LOCK_SECONDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert await asyncio.to_thread(holder.stdout.readline) == "locked\n"
            await assert_questions_answered_promptly(fake, fake.user)
            first, *later = await walk_on_during_the_fault(walker)
            await first.followups()
            assert notices(first) == [ui("progress_not_saved", "ja")]
            assert [notices(handle) for handle in later] == [[]] * len(later)
            assert holder.poll() is None, "the lock was held throughout"
        finally:
            await asyncio.to_thread(holder.wait, LOCK_SECONDS + 5)

        await asyncio.sleep(RETRY_SECONDS)
        await walker.press("choice:0", expect="delivery")
        assert stored_progress(data_dir, walker.user) == (
            "contract-escrow/apply-and-wait/chatwork-setup/conduct/delivery"
        )
    assert fake.unhandled == []


async def test_store_file_deleted(fake: FakeDiscord, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with running_bot(fake, data_dir) as bot:
        walker = await walker_on_apply_step(fake, bot, "deleted")
        for path in data_dir.glob(DEFAULT_FILENAME + "*"):
            path.unlink()

        await assert_questions_answered_promptly(fake, fake.user)
        await walk_on_during_the_fault(walker)
        await asyncio.sleep(FILE_CHECK_SECONDS)
        await walker.press("choice:0", expect="delivery")
        assert store_file(data_dir).is_file(), "a new store file"
        assert stored_progress(data_dir, walker.user) == (
            "contract-escrow/apply-and-wait/chatwork-setup/conduct/delivery"
        )
        figures = await live_store(bot).stats()
        assert figures.answered + figures.unanswered >= 1, "statistics kept again"
    assert fake.unhandled == []


async def test_a_flood_gets_one_rate_limit_notice(fake: FakeDiscord, tmp_path: Path) -> None:
    flooder = fake.add_user("flooder")
    async with running_bot(
        fake, tmp_path / "data", rate_limit_count=5, rate_limit_window_seconds=30.0
    ):
        for number in range(100):
            await fake.send_dm(flooder, f"チャットワークは無料ですか {number}")
        channel = fake.dm_channel(flooder)

        def settled() -> list[dict] | None:
            replies = fake.messages_in(channel)
            bot_replies = [m for m in replies if m["author"]["id"] == fake.bot_user.id]
            return bot_replies if len(bot_replies) >= 6 else None

        await fake.wait_until(settled, what="five answers and a notice")
        await asyncio.sleep(0.5)
        replies = settled() or []
        rate_notices = [m for m in replies if "少し間を空けて" in (m.get("content") or "")]
        answers = [m for m in replies if m.get("embeds")]
        assert (len(answers), len(rate_notices)) == (5, 1)
    assert fake.unhandled == []


async def test_tokens_addresses_and_phone_numbers_never_reach_the_store(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    question = (
        f"天気を教えて token {fake.token} メール taro.yamada@example.co.jp 電話 090-1234-5678"
    )
    async with running_bot(fake, data_dir) as bot:
        await seconds_to_answer(fake, fake.user, question)
        gaps = (await admin_reply(fake, "gaps", new_moderator(fake, "mod-scrub")))["content"]
        assert "[token]" in gaps and "[email]" in gaps and "[phone]" in gaps
        await live_store(bot).flush()
        with sqlite3.connect(store_file(data_dir)) as raw:
            dump = "\n".join(raw.iterdump())
        for secret in (fake.token, "taro.yamada", "example.co.jp", "1234-5678"):
            assert secret not in dump and secret not in gaps
    assert fake.unhandled == []
