"""The SQLite store: every feature, and that it all survives closing and reopening the file."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.ports import Stats, StoreError, StoreUnavailable
from bot.store import DEFAULT_FILENAME, open_store, sqlite_path
from bot.store.sqlite import (
    CALL_TIMEOUT,
    FILE_CHECK_SECONDS,
    MIGRATIONS,
    QUESTION_TEXT_LIMIT,
    RETRY_SECONDS,
    SqliteStore,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "nested" / "dir" / "bot.sqlite3"


@pytest.fixture
async def store(db_path):
    async with await open_store(db_path) as opened:
        yield opened


async def test_open_creates_parent_directories_and_uses_wal(store, db_path):
    assert db_path.is_file()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_progress_is_per_platform_and_user(store):
    assert await store.get_progress("discord", "1") is None
    await store.set_progress("discord", "1", "contract/apply")
    await store.set_progress("console", "1", "contract")
    await store.set_progress("discord", "1", "contract/apply/signup")
    assert await store.get_progress("discord", "1") == "contract/apply/signup"
    assert await store.get_progress("console", "1") == "contract"
    await store.clear_progress("discord", "1")
    assert await store.get_progress("discord", "1") is None
    assert await store.get_progress("console", "1") == "contract"


async def test_meta_is_a_replaceable_key_value(store):
    assert await store.get_meta("commands-hash") is None
    await store.set_meta("commands-hash", "abc")
    await store.set_meta("commands-hash", "def")
    assert await store.get_meta("commands-hash") == "def"


async def test_revoting_on_the_same_message_replaces_the_vote(store):
    await store.record_feedback("discord", "u1", "m1", "price", helpful=True, now=T0)
    await store.record_feedback("discord", "u1", "m1", "price", False, "no price for teams", T0)
    await store.record_feedback("discord", "u2", "m1", "price", helpful=True, now=T0)
    vote = await store.get_feedback("discord", "u1", "m1")
    assert vote is not None
    assert (vote.helpful, vote.comment, vote.entry_id, vote.created_at) == (
        False,
        "no price for teams",
        "price",
        T0,
    )
    assert await store.get_feedback("discord", "u1", "m2") is None
    stats = await store.stats()
    assert (stats.helpful, stats.not_helpful) == (1, 1)


async def test_questions_keep_text_and_tier_but_no_user(store, db_path):
    store.record_question("  チャットワークの料金は？  ", "suggest", "ja", now=T0)
    store.record_question("x" * 5000, "none", "en", now=T0 + timedelta(minutes=1))
    recorded = await store.questions()
    assert [(q.text, q.tier, q.created_at) for q in recorded[:1]] == [
        ("チャットワークの料金は？", "suggest", T0)
    ]
    assert len(recorded[1].text) == QUESTION_TEXT_LIMIT
    with sqlite3.connect(db_path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(questions)")}
    assert columns == {"id", "text", "tier", "created_at"}


async def test_unknown_tiers_and_events_are_programming_errors(store):
    with pytest.raises(ValueError):
        store.record_question("q", "answer", "ja")
    with pytest.raises(ValueError):
        store.record_answer("price", "ja", "none")
    with pytest.raises(ValueError):
        store.record_walkthrough("abandoned")


async def test_prune_questions_removes_only_older_ones(store):
    now = T0 + timedelta(days=40)
    store.record_question("old", "none", "ja", now=T0)
    store.record_question("edge", "none", "ja", now=now - timedelta(days=30, seconds=-1))
    store.record_question("new", "suggest", "ja", now=now - timedelta(days=1))
    assert await store.prune_questions(30, now=now) == 1
    assert [q.text for q in await store.questions()] == ["edge", "new"]
    assert [q.text for q in await store.questions(since=now - timedelta(days=2))] == ["new"]
    assert await store.prune_questions(30, now=now) == 0


async def test_pruning_questions_keeps_their_outcome_in_stats(store):
    store.record_question("old", "none", "ja", now=T0)
    await store.prune_questions(1, now=T0 + timedelta(days=2))
    assert (await store.stats()).unanswered == 1


async def test_stats_on_known_data(store):
    for _ in range(3):
        store.record_answer("price", "ja", "answer", now=T0)
    store.record_answer("price", "en", "pick", now=T0)
    store.record_answer("decline", "ja", "answer", now=T0)
    store.record_answer("signup", "ja", "pick", now=T0)
    store.record_question("??", "suggest", "ja", now=T0)
    store.record_question("天気は？", "none", "ja", now=T0)
    await store.record_feedback("discord", "a", "m1", "price", True, now=T0)
    await store.record_feedback("discord", "b", "m1", "price", True, now=T0)
    await store.record_feedback("discord", "c", "m1", "price", True, now=T0)
    await store.record_feedback("discord", "d", "m2", "decline", False, now=T0)
    for event in ("started", "started", "started", "started", "finished"):
        store.record_walkthrough(event, now=T0)

    stats = await store.stats(top=2)

    assert [(e.entry_id, e.count) for e in stats.top_entries] == [("price", 4), ("decline", 1)]
    assert (stats.answered, stats.suggested, stats.unanswered) == (4, 1, 1)
    assert stats.questions == 6
    assert stats.answer_rate == pytest.approx(4 / 6)
    assert stats.helpful_ratio == pytest.approx(3 / 4)
    assert (stats.walkthrough_started, stats.walkthrough_finished) == (4, 1)
    assert stats.completion_rate == pytest.approx(1 / 4)


async def test_stats_since_counts_only_later_events(store):
    store.record_answer("price", "ja", "answer", now=T0)
    store.record_walkthrough("started", now=T0)
    later = T0 + timedelta(days=1)
    store.record_answer("decline", "ja", "answer", now=later)
    store.record_walkthrough("started", now=later)
    store.record_walkthrough("finished", now=later)
    store.record_walkthrough("finished", now=later)
    stats = await store.stats(since=later)
    assert [e.entry_id for e in stats.top_entries] == ["decline"]
    assert stats.since == later
    assert (stats.walkthrough_started, stats.walkthrough_finished) == (1, 2)
    assert stats.completion_rate == 1.0


def test_empty_stats_have_no_ratios():
    empty = Stats(None, (), 0, 0, 0, 0, 0, 0, 0)
    assert (empty.answer_rate, empty.helpful_ratio, empty.completion_rate) == (None, None, None)


async def test_reminders_fall_due_and_are_delivered_once(store):
    due = T0 + timedelta(days=1)
    reminder = await store.add_reminder("discord", "u1", "dm:u1", "remind.check", due, now=T0)
    assert reminder.pending and reminder.due_at == due and reminder.created_at == T0
    assert await store.due_reminders(due - timedelta(seconds=1)) == []
    assert await store.due_reminders(due) == [reminder]
    assert await store.mark_delivered(reminder.id, now=due)
    assert not await store.mark_delivered(reminder.id, now=due)
    assert await store.due_reminders(due + timedelta(days=1)) == []
    assert await store.pending_reminders("discord", "u1") == []


async def test_reminders_are_cancelled_only_by_their_owner(store):
    mine = await store.add_reminder("discord", "u1", "c1", "remind.check", T0, now=T0)
    later = await store.add_reminder("discord", "u1", "c1", "remind.check", T0 + timedelta(1))
    await store.add_reminder("discord", "u2", "c1", "remind.check", T0, now=T0)
    assert [r.id for r in await store.pending_reminders("discord", "u1")] == [mine.id, later.id]

    assert not await store.cancel_reminder("discord", "u2", mine.id)
    assert not await store.cancel_reminder("slack", "u1", mine.id)
    assert await store.cancel_reminder("discord", "u1", mine.id, now=T0)
    assert not await store.cancel_reminder("discord", "u1", mine.id)
    assert not await store.mark_delivered(mine.id)

    assert [r.id for r in await store.pending_reminders("discord", "u1")] == [later.id]
    assert [r.user_id for r in await store.due_reminders(T0)] == ["u2"]


async def test_heartbeat_keeps_the_latest_beat(store):
    assert await store.last_beat() is None
    await store.beat(T0)
    await store.beat(T0 + timedelta(seconds=30))
    assert await store.last_beat() == T0 + timedelta(seconds=30)


async def test_a_second_process_reads_the_heartbeat_while_the_bot_has_the_file_open(store, db_path):
    await store.beat(T0)
    async with await open_store(db_path) as health_check:
        assert await health_check.last_beat() == T0


async def test_timestamps_come_back_as_the_same_instant_in_utc(store):
    tokyo = timezone(timedelta(hours=9))
    await store.beat(datetime(2025, 3, 1, 18, 0, tzinfo=tokyo))
    assert await store.last_beat() == T0
    assert (await store.last_beat()).tzinfo == UTC


async def test_naive_timestamps_are_refused(store):
    with pytest.raises(ValueError, match="timezone-aware"):
        await store.beat(datetime(2025, 3, 1, 9, 0))


async def test_concurrent_calls_from_one_loop_all_land(store):
    for i in range(30):
        store.record_answer(f"e{i % 3}", "ja", "answer")
        store.record_question(f"q{i}", "none", "ja")
    await asyncio.gather(
        *(store.set_progress("discord", str(i), f"contract/{i}") for i in range(30)),
        *(store.get_progress("discord", str(i)) for i in range(30)),
    )
    stats = await store.stats()
    assert (stats.answered, stats.unanswered) == (30, 30)
    assert len(await store.questions()) == 30
    assert await store.get_progress("discord", "29") == "contract/29"


async def test_everything_survives_a_restart(db_path):
    async with await open_store(db_path) as before:
        await before.set_progress("discord", "u1", "contract/apply")
        await before.set_meta("commands-hash", "abc")
        await before.record_feedback("discord", "u1", "m1", "price", False, "more detail", T0)
        before.record_question("料金は？", "suggest", "ja", now=T0)
        before.record_answer("price", "ja", "answer", now=T0)
        before.record_walkthrough("started", now=T0)
        reminder = await before.add_reminder("discord", "u1", "dm:u1", "remind.check", T0, T0)
        await before.beat(T0)

    async with await open_store(db_path) as after:
        assert await after.get_progress("discord", "u1") == "contract/apply"
        assert await after.get_meta("commands-hash") == "abc"
        vote = await after.get_feedback("discord", "u1", "m1")
        assert vote is not None and vote.comment == "more detail"
        assert [q.text for q in await after.questions()] == ["料金は？"]
        assert await after.due_reminders(T0) == [reminder]
        assert await after.last_beat() == T0
        stats = await after.stats()
        assert (stats.answered, stats.suggested, stats.walkthrough_started) == (1, 1, 1)


async def test_reopening_does_not_migrate_again(db_path):
    async with await open_store(db_path):
        pass
    async with await open_store(db_path) as reopened:
        await reopened.set_meta("k", "v")
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_a_store_from_a_newer_bot_is_refused(db_path):
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer"):
        await open_store(db_path)


async def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path):
    garbage = tmp_path / "bot.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"bot\.db"):
        await open_store(garbage)


async def test_close_twice_is_harmless(db_path):
    opened = await open_store(db_path)
    await opened.close()
    await opened.close()


def test_sqlite_path_understands_urls_files_and_directories(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    (tmp_path / "plain-file").write_text("")
    assert sqlite_path("sqlite:///data/bot.db") == tmp_path.joinpath("data/bot.db").relative_to(
        tmp_path
    )
    assert str(sqlite_path("sqlite:////var/lib/bot.db")) == "/var/lib/bot.db"
    assert sqlite_path("sqlite://") == sqlite_path("sqlite:///:memory:") == ":memory:"
    assert sqlite_path("data") == tmp_path.joinpath("data", DEFAULT_FILENAME).relative_to(tmp_path)
    assert sqlite_path(tmp_path / "existing") == tmp_path / "existing" / DEFAULT_FILENAME
    assert sqlite_path(tmp_path / "plain-file") == tmp_path / "plain-file"
    assert sqlite_path(tmp_path / "new.sqlite") == tmp_path / "new.sqlite"


@pytest.mark.parametrize("url", ["postgresql://localhost/bot", "mysql://x/y"])
def test_other_databases_are_not_supported_yet(url):
    with pytest.raises(StoreError, match="unsupported"):
        sqlite_path(url)


async def test_open_store_from_a_data_directory(tmp_path):
    async with await open_store(tmp_path / "data") as opened:
        assert isinstance(opened, SqliteStore)
        await opened.set_meta("k", "v")
    assert (tmp_path / "data" / DEFAULT_FILENAME).is_file()


async def test_in_memory_store_works_for_quick_tools():
    async with await open_store("sqlite://") as memory:
        await memory.set_meta("k", "v")
        assert await memory.get_meta("k") == "v"


# --- faults outside the bot ----------------------------------------------------------------

HOLD_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO meta (key, value) VALUES ('locked', 'yes')")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


async def wait_out_the_retry_pause() -> None:
    await asyncio.sleep(RETRY_SECONDS + 0.1)


async def test_a_file_locked_by_another_process_fails_calls_fast_then_recovers(store, db_path):
    await store.set_progress("discord", "u1", "contract")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert await store.get_progress("discord", "u1") == "contract", "WAL: reads go on"
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(store.set_progress("discord", "u1", "x"), CALL_TIMEOUT * 2)
        with pytest.raises(StoreUnavailable, match="retrying"):
            await store.set_meta("k", "v")
    finally:
        holder.communicate("release\n", timeout=10)
    await wait_out_the_retry_pause()
    await store.set_progress("discord", "u1", "contract/apply")
    assert await store.get_progress("discord", "u1") == "contract/apply"


async def make_read_only(store: SqliteStore, read_only: bool) -> None:
    """What a read-only file or file system looks like from SQLite: writes are refused."""
    await store.writer.run(
        lambda connection: connection.execute(f"PRAGMA query_only = {int(read_only)}"), 1.0
    )


async def test_records_are_dropped_and_counted_while_the_store_refuses_writes(store, caplog):
    await make_read_only(store, True)
    for _ in range(3):
        store.record_answer("price", "ja", "answer")
    await store.flush()
    assert store.dropped_records == 3
    assert "dropped 3 statistics records" in caplog.text
    with pytest.raises(StoreUnavailable):
        await store.set_progress("discord", "u1", "contract")
    assert await store.get_progress("discord", "u1") is None, "reads still work"

    await wait_out_the_retry_pause()
    await make_read_only(store, False)
    store.record_answer("decline", "ja", "answer")
    assert [e.entry_id for e in (await store.stats()).top_entries] == ["decline"]
    assert store.dropped_records == 3


async def test_reads_do_not_queue_behind_a_slow_write(store):
    await store.set_progress("discord", "u1", "contract")
    slow_write = asyncio.create_task(
        store.writer.run(lambda connection: time.sleep(CALL_TIMEOUT / 2), CALL_TIMEOUT)
    )
    await asyncio.sleep(0.01)
    assert await store.get_progress("discord", "u1") == "contract"
    assert not slow_write.done()
    await slow_write


async def test_a_deleted_file_is_noticed_and_the_store_starts_afresh(store, db_path):
    await store.set_progress("discord", "u1", "contract")
    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    assert not db_path.exists()
    await asyncio.sleep(FILE_CHECK_SECONDS)
    await store.set_progress("discord", "u2", "contract/apply")
    assert db_path.is_file()
    assert await store.get_progress("discord", "u2") == "contract/apply"
    assert await store.get_progress("discord", "u1") is None, "deleted with the old file"
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT user_id FROM progress").fetchall() == [("u2",)]


# --- what is kept of a user's text ---------------------------------------------------------

TOKEN = "MTA4NzY1NDMyMTA5ODc2NTQzMg.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"


async def test_question_texts_and_comments_are_scrubbed_before_they_are_stored(store, db_path):
    store.record_question(f"token {TOKEN} と a.b@example.com と 090-1234-5678", "none", "ja")
    await store.record_feedback("discord", "u1", "m1", "price", False, "call 03-1234-5678")
    [question] = await store.questions()
    assert question.text == "token [token] と [email] と [phone]"
    with sqlite3.connect(db_path) as raw:
        dump = "\n".join(raw.iterdump())
    assert TOKEN not in dump and "example.com" not in dump and "5678" not in dump


async def test_a_migration_scrubs_rows_kept_before_scrubbing(db_path):
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as raw:
        for statement in MIGRATIONS[0]:
            raw.execute(statement)
        raw.execute("PRAGMA user_version = 1")
        raw.execute(
            "INSERT INTO questions (text, tier, created_at) VALUES (?, 'none', ?)",
            (f"my token is {TOKEN}", T0.isoformat()),
        )
        raw.execute(
            "INSERT INTO feedback VALUES ('discord', 'u', 'm', 'price', 0, ?, ?)",
            ("mail me at someone@example.jp", T0.isoformat()),
        )
    async with await open_store(db_path) as migrated:
        assert [q.text for q in await migrated.questions()] == ["my token is [token]"]
        vote = await migrated.get_feedback("discord", "u", "m")
        assert vote is not None and vote.comment == "mail me at [email]"
