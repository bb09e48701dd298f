"""The default store: one SQLite file, opened through aiosqlite.

WAL mode lets `chatwork-safe-bot health` read the heartbeat while the bot writes. Every write
commits on its own (autocommit, or one explicit transaction when it touches two tables), so a
killed process loses nothing it acknowledged. Timestamps are stored as fixed-width ISO-8601 UTC
strings, which sort as text in time order and stay readable in the sqlite3 shell.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.ports import (
    ANSWER_TIERS,
    QUESTION_TIERS,
    WALKTHROUGH_EVENTS,
    AnswerTier,
    EntryCount,
    Feedback,
    QuestionTier,
    RecordedQuestion,
    Reminder,
    Stats,
    Store,
    StoreError,
    WalkthroughEvent,
    as_utc,
    utc_now,
)

log = logging.getLogger(__name__)

MEMORY = ":memory:"

QUESTION_TEXT_LIMIT = 1000
"""Enough to group and read a question; a pasted 100k-character message is not a question."""

# Each migration is applied once, in order; the file's `PRAGMA user_version` is how many ran.
# Append new migrations, never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE progress (
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            progress TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (platform, user_id)
        )""",
        """CREATE TABLE feedback (
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            message_id TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            helpful INTEGER NOT NULL,
            comment TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (platform, user_id, message_id)
        )""",
        "CREATE INDEX feedback_created ON feedback (created_at)",
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,
            tier TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX questions_created ON questions (created_at)",
        """CREATE TABLE answer_events (
            id INTEGER PRIMARY KEY,
            entry_id TEXT,
            lang TEXT NOT NULL,
            tier TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX answer_events_created ON answer_events (created_at)",
        """CREATE TABLE walkthrough_events (
            id INTEGER PRIMARY KEY,
            event TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX walkthrough_events_created ON walkthrough_events (created_at)",
        """CREATE TABLE reminders (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            target TEXT NOT NULL,
            text_key TEXT NOT NULL,
            due_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            delivered_at TEXT,
            cancelled_at TEXT
        )""",
        """CREATE INDEX reminders_pending ON reminders (due_at)
            WHERE delivered_at IS NULL AND cancelled_at IS NULL""",
        "CREATE INDEX reminders_user ON reminders (platform, user_id)",
        "CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), beat_at TEXT NOT NULL)",
    ),
)

_REMINDER_COLUMNS = (
    "id, platform, user_id, target, text_key, due_at, created_at, delivered_at, cancelled_at"
)
_PENDING = "delivered_at IS NULL AND cancelled_at IS NULL"


def _stamp(moment: datetime | None) -> str:
    return as_utc(moment or utc_now()).isoformat(timespec="microseconds")


def _since(since: datetime | None) -> str:
    """Lower bound for `created_at >= ?`; every stored stamp sorts after the empty string."""
    return "" if since is None else _stamp(since)


def _moment(stamp: str | None) -> datetime | None:
    return None if stamp is None else datetime.fromisoformat(stamp)


def _reminder(row: Iterable[Any]) -> Reminder:
    rid, platform, user_id, target, text_key, due, created, delivered, cancelled = row
    return Reminder(
        id=rid,
        platform=platform,
        user_id=user_id,
        target=target,
        text_key=text_key,
        due_at=datetime.fromisoformat(due),
        created_at=datetime.fromisoformat(created),
        delivered_at=_moment(delivered),
        cancelled_at=_moment(cancelled),
    )


def _check(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {allowed}, not {value!r}")


class SqliteStore(Store):
    """One aiosqlite connection; a lock keeps each call's statements together."""

    def __init__(self, connection: aiosqlite.Connection, path: Path | str):
        self._connection = connection
        self._lock = asyncio.Lock()
        self._closed = False
        self.path = path

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating the file and its directories) and bring the schema up to date."""
        try:
            if path != MEMORY:
                path = Path(path)
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        try:
            await connection.execute("PRAGMA busy_timeout = 5000")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await _migrate(connection)
        except sqlite3.Error as exc:
            await connection.close()
            raise StoreError(f"cannot use the store at {path}: {exc}") from exc
        except BaseException:
            await connection.close()
            raise
        log.info("store opened at %s", path)
        return cls(connection, path)

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            async with self._lock:
                await self._connection.close()

    async def _execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement (committed on its own); return the number of rows it changed."""
        async with self._lock, self._connection.execute(sql, tuple(params)) as cursor:
            return cursor.rowcount

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        async with self._lock, self._connection.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        async with self._lock, self._connection.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def get_progress(self, platform: str, user_id: str) -> str | None:
        row = await self._fetchone(
            "SELECT progress FROM progress WHERE platform = ? AND user_id = ?", (platform, user_id)
        )
        return None if row is None else row[0]

    async def set_progress(
        self, platform: str, user_id: str, progress: str, now: datetime | None = None
    ) -> None:
        await self._execute(
            """INSERT INTO progress (platform, user_id, progress, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (platform, user_id)
            DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at""",
            (platform, user_id, progress, _stamp(now)),
        )

    async def clear_progress(self, platform: str, user_id: str) -> None:
        await self._execute(
            "DELETE FROM progress WHERE platform = ? AND user_id = ?", (platform, user_id)
        )

    async def get_meta(self, key: str) -> str | None:
        row = await self._fetchone("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row[0]

    async def set_meta(self, key: str, value: str) -> None:
        await self._execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value""",
            (key, value),
        )

    async def record_feedback(
        self,
        platform: str,
        user_id: str,
        message_id: str,
        entry_id: str,
        helpful: bool,
        comment: str | None = None,
        now: datetime | None = None,
    ) -> None:
        await self._execute(
            """INSERT INTO feedback
                (platform, user_id, message_id, entry_id, helpful, comment, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (platform, user_id, message_id) DO UPDATE SET
                entry_id = excluded.entry_id,
                helpful = excluded.helpful,
                comment = excluded.comment,
                created_at = excluded.created_at""",
            (platform, user_id, message_id, entry_id, int(helpful), comment, _stamp(now)),
        )

    async def get_feedback(self, platform: str, user_id: str, message_id: str) -> Feedback | None:
        row = await self._fetchone(
            """SELECT entry_id, helpful, comment, created_at FROM feedback
            WHERE platform = ? AND user_id = ? AND message_id = ?""",
            (platform, user_id, message_id),
        )
        if row is None:
            return None
        entry_id, helpful, comment, created_at = row
        return Feedback(
            platform=platform,
            user_id=user_id,
            message_id=message_id,
            entry_id=entry_id,
            helpful=bool(helpful),
            comment=comment,
            created_at=datetime.fromisoformat(created_at),
        )

    async def record_question(
        self, text: str, tier: QuestionTier, lang: str, now: datetime | None = None
    ) -> None:
        """Keep the text for `gaps` (pruned) and the outcome for `stats` (kept, no text)."""
        _check(tier, QUESTION_TIERS, "question tier")
        stamp = _stamp(now)
        async with self._transaction() as connection:
            await connection.execute(
                "INSERT INTO questions (text, tier, created_at) VALUES (?, ?, ?)",
                (text.strip()[:QUESTION_TEXT_LIMIT], tier, stamp),
            )
            await connection.execute(
                "INSERT INTO answer_events (entry_id, lang, tier, created_at) VALUES (?, ?, ?, ?)",
                (None, lang, tier, stamp),
            )

    async def questions(self, since: datetime | None = None) -> list[RecordedQuestion]:
        rows = await self._fetchall(
            """SELECT text, tier, created_at FROM questions WHERE created_at >= ?
            ORDER BY created_at, id""",
            (_since(since),),
        )
        return [
            RecordedQuestion(text=text, tier=tier, created_at=datetime.fromisoformat(created))
            for text, tier, created in rows
        ]

    async def prune_questions(self, older_than_days: float, now: datetime | None = None) -> int:
        cutoff = as_utc(now or utc_now()) - timedelta(days=older_than_days)
        removed = await self._execute(
            "DELETE FROM questions WHERE created_at < ?", (_stamp(cutoff),)
        )
        if removed:
            log.info("pruned %d recorded questions older than %s days", removed, older_than_days)
        return removed

    async def record_answer(
        self, entry_id: str, lang: str, tier: AnswerTier, now: datetime | None = None
    ) -> None:
        _check(tier, ANSWER_TIERS, "answer tier")
        await self._execute(
            "INSERT INTO answer_events (entry_id, lang, tier, created_at) VALUES (?, ?, ?, ?)",
            (entry_id, lang, tier, _stamp(now)),
        )

    async def record_walkthrough(
        self, event: WalkthroughEvent, now: datetime | None = None
    ) -> None:
        _check(event, WALKTHROUGH_EVENTS, "walkthrough event")
        await self._execute(
            "INSERT INTO walkthrough_events (event, created_at) VALUES (?, ?)",
            (event, _stamp(now)),
        )

    async def add_reminder(
        self,
        platform: str,
        user_id: str,
        target: str,
        text_key: str,
        due_at: datetime,
        now: datetime | None = None,
    ) -> Reminder:
        created = _stamp(now)
        due = _stamp(due_at)
        async with self._transaction() as connection:
            cursor = await connection.execute(
                """INSERT INTO reminders (platform, user_id, target, text_key, due_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?)""",
                (platform, user_id, target, text_key, due, created),
            )
            reminder_id = cursor.lastrowid
            await cursor.close()
        return _reminder(
            (reminder_id, platform, user_id, target, text_key, due, created, None, None)
        )

    async def due_reminders(self, now: datetime | None = None) -> list[Reminder]:
        rows = await self._fetchall(
            f"""SELECT {_REMINDER_COLUMNS} FROM reminders
            WHERE {_PENDING} AND due_at <= ? ORDER BY due_at, id""",
            (_stamp(now),),
        )
        return [_reminder(row) for row in rows]

    async def mark_delivered(self, reminder_id: int, now: datetime | None = None) -> bool:
        """False when it was already delivered or cancelled: the caller must not send it."""
        changed = await self._execute(
            f"UPDATE reminders SET delivered_at = ? WHERE id = ? AND {_PENDING}",
            (_stamp(now), reminder_id),
        )
        return changed == 1

    async def cancel_reminder(
        self, platform: str, user_id: str, reminder_id: int, now: datetime | None = None
    ) -> bool:
        """Only the owner's pending reminder is cancelled; a forged id from a button does nothing."""
        changed = await self._execute(
            f"""UPDATE reminders SET cancelled_at = ?
            WHERE id = ? AND platform = ? AND user_id = ? AND {_PENDING}""",
            (_stamp(now), reminder_id, platform, user_id),
        )
        return changed == 1

    async def pending_reminders(self, platform: str, user_id: str) -> list[Reminder]:
        rows = await self._fetchall(
            f"""SELECT {_REMINDER_COLUMNS} FROM reminders
            WHERE platform = ? AND user_id = ? AND {_PENDING} ORDER BY due_at, id""",
            (platform, user_id),
        )
        return [_reminder(row) for row in rows]

    async def stats(self, since: datetime | None = None, top: int = 10) -> Stats:
        bound = (_since(since),)
        top_rows = await self._fetchall(
            """SELECT entry_id, COUNT(*) AS asked FROM answer_events
            WHERE entry_id IS NOT NULL AND created_at >= ?
            GROUP BY entry_id ORDER BY asked DESC, entry_id LIMIT ?""",
            (*bound, top),
        )
        tiers = dict(
            await self._fetchall(
                "SELECT tier, COUNT(*) FROM answer_events WHERE created_at >= ? GROUP BY tier",
                bound,
            )
        )
        votes = dict(
            await self._fetchall(
                "SELECT helpful, COUNT(*) FROM feedback WHERE created_at >= ? GROUP BY helpful",
                bound,
            )
        )
        walks = dict(
            await self._fetchall(
                """SELECT event, COUNT(*) FROM walkthrough_events WHERE created_at >= ?
                GROUP BY event""",
                bound,
            )
        )
        return Stats(
            since=since,
            top_entries=tuple(EntryCount(entry_id, count) for entry_id, count in top_rows),
            answered=tiers.get("answer", 0),
            suggested=tiers.get("suggest", 0),
            unanswered=tiers.get("none", 0),
            helpful=votes.get(1, 0),
            not_helpful=votes.get(0, 0),
            walkthrough_started=walks.get("started", 0),
            walkthrough_finished=walks.get("finished", 0),
        )

    async def beat(self, now: datetime | None = None) -> None:
        await self._execute(
            """INSERT INTO heartbeat (id, beat_at) VALUES (1, ?)
            ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at""",
            (_stamp(now),),
        )

    async def last_beat(self) -> datetime | None:
        row = await self._fetchone("SELECT beat_at FROM heartbeat WHERE id = 1")
        return None if row is None else datetime.fromisoformat(row[0])


async def _migrate(connection: aiosqlite.Connection) -> None:
    """Apply pending migrations in one transaction, re-reading the version under the lock.

    BEGIN IMMEDIATE makes a second process opening the same file at the same time (the health
    check next to the bot) wait instead of applying the same migration twice.
    """
    await connection.execute("BEGIN IMMEDIATE")
    try:
        async with connection.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        version = row[0] if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store has schema version {version}, newer than this bot knows "
                f"({len(MIGRATIONS)}); upgrade the bot instead of downgrading the data"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in statements:
                await connection.execute(statement)
            await connection.execute(f"PRAGMA user_version = {number}")
            log.info("store schema migrated to version %d", number)
    except BaseException:
        await connection.execute("ROLLBACK")
        raise
    await connection.execute("COMMIT")
