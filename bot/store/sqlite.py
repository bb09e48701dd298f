"""The default store: one SQLite file, used from two threads of its own.

Every write goes through one writer connection on one thread, so calls never interleave and
need no lock; reads go through a second connection on another thread, and WAL mode lets them
proceed while a write is under way (and lets `chatwork-safe-bot health` read the heartbeat).
Each write commits on its own, so a killed process loses nothing it acknowledged.

Faults outside the bot (the file locked by another process, made read-only, deleted) make
calls fail fast with `StoreUnavailable` instead of hanging: a short busy timeout, a timeout on
every call, and a pause after a failure during which calls fail at once. A deleted or replaced
file is noticed and the store starts afresh on a new one. Timestamps are stored as fixed-width
ISO-8601 UTC strings, which sort as text in time order and stay readable in the sqlite3 shell.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.core.ports import (
    AnswerRecord,
    EntryCount,
    Feedback,
    QuestionRecord,
    Record,
    RecordedQuestion,
    Reminder,
    Stats,
    Store,
    StoreError,
    StoreUnavailable,
    as_utc,
    utc_now,
)
from bot.core.scrub import scrub
from bot.store.recorder import Recorder

log = logging.getLogger(__name__)

MEMORY = ":memory:"

QUESTION_TEXT_LIMIT = 1000
"""Enough to group and read a question; a pasted 100k-character message is not a question."""

CALL_TIMEOUT = 0.75
"""Seconds a user-facing call may take: two of them fit Discord's 3 s with room to answer."""
REPORT_TIMEOUT = 30.0
"""Reports and background jobs read whole tables; nobody is waiting on a 3 s deadline."""
BATCH_TIMEOUT = 5.0
"""A batch of statistics records; nobody waits for it, but it holds the writer meanwhile."""
BUSY_TIMEOUT_MS = 200
"""How long a statement waits for another process's lock before the call fails."""
OPEN_BUSY_TIMEOUT_MS = 5000
"""At start a second process (the health check) may be migrating: wait for it."""
RETRY_SECONDS = 1.0
"""After a failure, calls fail at once for this long instead of queueing behind the fault."""
FILE_CHECK_SECONDS = 0.25
"""How often a call looks whether the file was deleted or replaced (a stat per call is waste)."""

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], T]


def _scrub_stored_text(connection: sqlite3.Connection) -> None:
    """Texts kept before scrubbing existed may hold tokens, addresses or phone numbers."""
    for table, column in (("questions", "text"), ("feedback", "comment")):
        rows = connection.execute(
            f"SELECT rowid, {column} FROM {table} WHERE {column} IS NOT NULL"
        ).fetchall()
        connection.executemany(
            f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
            [(scrub(text), rowid) for rowid, text in rows if scrub(text) != text],
        )


# Each migration is applied once, in order; the file's `PRAGMA user_version` is how many ran.
# Append new migrations, never edit one that has shipped.
MIGRATIONS: tuple[tuple[str | Callable[[sqlite3.Connection], None], ...], ...] = (
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
    (_scrub_stored_text,),
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


class _Connection:
    """One sqlite3 connection on a thread of its own: jobs run there one at a time, in order.

    The connection is made by the first job (and again after `reset`), on that thread. A job
    that fails for a reason outside the bot (`sqlite3.OperationalError`: locked, read-only,
    disk) or outlives its timeout raises StoreUnavailable, and for RETRY_SECONDS afterwards
    jobs fail at once rather than queue behind the fault.
    """

    def __init__(self, name: str, connect: Callable[[], sqlite3.Connection]):
        self.name = name
        self._connect = connect
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"store-{name}")
        self._failing_until = 0.0
        self._failing = False

    async def run(self, job: Job[T], timeout: float) -> T:
        if time.monotonic() < self._failing_until:
            raise StoreUnavailable(f"the store's {self.name} is failing; retrying shortly")
        future = asyncio.get_running_loop().run_in_executor(self._thread, self._on_thread, job)
        try:
            async with asyncio.timeout(timeout):
                result = await future
        except TimeoutError as exc:
            raise self._failed(f"took over {timeout} s") from exc
        except sqlite3.OperationalError as exc:
            raise self._failed(str(exc)) from exc
        if self._failing:
            self._failing = False
            log.warning("the store's %s works again", self.name)
        return result

    def _failed(self, why: str) -> StoreUnavailable:
        """Pause calls for RETRY_SECONDS; log once per outage, not once per call."""
        self._failing_until = time.monotonic() + RETRY_SECONDS
        if not self._failing:
            self._failing = True
            log.warning("the store's %s failed (%s); going on without it", self.name, why)
        return StoreUnavailable(f"the store's {self.name} failed: {why}")

    def _on_thread(self, job: Job[T]) -> T:
        if self._connection is None:
            self._connection = self._connect()
        return job(self._connection)

    async def reset(self) -> None:
        """Close the connection (the next job opens a new one) and forget past failures."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)
        self._failing_until = 0.0

    def _disconnect(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()

    async def close(self) -> None:
        await self.reset()
        self._thread.shutdown(wait=False)


def _file_identity(path: Path | str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _in_transaction(connection: sqlite3.Connection, job: Job[T]) -> T:
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = job(connection)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


class SqliteStore(Store):
    """A writer and a reader connection (one connection in memory); see the module docstring."""

    def __init__(self, path: Path | str):
        self.path = path
        self.writer = _Connection("writer", self._connect_writer)
        self._reader = (
            self.writer if path == MEMORY else _Connection("reader", self._connect_reader)
        )
        self._identity: tuple[int, int] | None = None
        self._next_file_check = 0.0
        self._reopening: asyncio.Task[None] | None = None
        self._recorder = Recorder(self.write_records)
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating the file and its directories) and bring the schema up to date."""
        store = cls(path if path == MEMORY else Path(path))
        try:
            await store.writer.run(lambda connection: None, OPEN_BUSY_TIMEOUT_MS / 1000 + 5)
        except (StoreUnavailable, OSError, sqlite3.Error) as exc:
            await store._close_connections()
            cause = exc.__cause__ or exc
            raise StoreError(f"cannot use the store at {path}: {cause}") from exc
        except BaseException:
            await store._close_connections()
            raise
        log.info("store opened at %s", path)
        return store

    def _connect_writer(self) -> sqlite3.Connection:
        """On the writer's thread: create the file if need be, WAL, migrations."""
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {OPEN_BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            _migrate(connection)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except BaseException:
            connection.close()
            raise
        if isinstance(self.path, Path):
            self._identity = _file_identity(self.path)
        return connection

    def _connect_reader(self) -> sqlite3.Connection:
        """On the reader's thread, once the writer has the file (it creates and migrates it)."""
        if self._identity is None:
            raise sqlite3.OperationalError("the store file is being opened afresh")
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA query_only = ON")
        return connection

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._recorder.close()
        await self._close_connections()

    async def _close_connections(self) -> None:
        await self._reader.close()
        if self._reader is not self.writer:
            await self.writer.close()

    async def _follow_the_file(self, timeout: float) -> None:
        """A deleted or replaced file: close both connections, then start on the new file.

        Both close before either reopens: the old file's `-wal` must go with it, not be
        replayed into the new one.
        """
        now = time.monotonic()
        if self._identity is None or now < self._next_file_check:
            return
        self._next_file_check = now + FILE_CHECK_SECONDS
        if _file_identity(self.path) == self._identity:
            return
        if self._reopening is None or self._reopening.done():
            log.warning("the store file %s was deleted or replaced; opening it afresh", self.path)
            self._identity = None
            self._reopening = asyncio.create_task(self._reopen(), name="store reopen")
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(self._reopening)
        except TimeoutError as exc:
            raise StoreUnavailable("the store is being reopened") from exc

    async def _reopen(self) -> None:
        await self._reader.reset()
        await self.writer.reset()
        await self.writer.run(lambda connection: None, CALL_TIMEOUT)
        await self._reader.reset()

    async def _write(self, job: Job[T], timeout: float = CALL_TIMEOUT) -> T:
        """Run `job` in its own transaction on the writer."""
        await self._follow_the_file(timeout)
        return await self.writer.run(lambda connection: _in_transaction(connection, job), timeout)

    async def _read(self, job: Job[T], timeout: float = CALL_TIMEOUT) -> T:
        await self._follow_the_file(timeout)
        return await self._reader.run(job, timeout)

    async def _fetchall(
        self, sql: str, params: Iterable[Any] = (), timeout: float = CALL_TIMEOUT
    ) -> list[Any]:
        values = tuple(params)
        return await self._read(lambda c: c.execute(sql, values).fetchall(), timeout)

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> Any:
        values = tuple(params)
        return await self._read(lambda c: c.execute(sql, values).fetchone())

    async def _execute(
        self, sql: str, params: Iterable[Any] = (), timeout: float = CALL_TIMEOUT
    ) -> int:
        """Run one statement (committed on its own); return the number of rows it changed."""
        values = tuple(params)
        return await self._write(lambda c: c.execute(sql, values).rowcount, timeout)

    # --- statistics and questions, written in batches ------------------------------------

    def _queue(self, record: Record) -> None:
        self._recorder.put(record)

    async def flush(self) -> None:
        await self._recorder.flush()

    @property
    def dropped_records(self) -> int:
        """Statistics records lost to store faults since start."""
        return self._recorder.dropped

    async def write_records(self, records: Sequence[Record]) -> None:
        await self._write(lambda connection: _insert_records(connection, records), BATCH_TIMEOUT)

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
            (
                platform,
                user_id,
                message_id,
                entry_id,
                int(helpful),
                _scrubbed(comment),
                _stamp(now),
            ),
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

    async def questions(self, since: datetime | None = None) -> list[RecordedQuestion]:
        await self.flush()
        rows = await self._fetchall(
            """SELECT text, tier, created_at FROM questions WHERE created_at >= ?
            ORDER BY created_at, id""",
            (_since(since),),
            REPORT_TIMEOUT,
        )
        return [
            RecordedQuestion(text=text, tier=tier, created_at=datetime.fromisoformat(created))
            for text, tier, created in rows
        ]

    async def prune_questions(self, older_than_days: float, now: datetime | None = None) -> int:
        cutoff = as_utc(now or utc_now()) - timedelta(days=older_than_days)
        await self.flush()
        removed = await self._execute(
            "DELETE FROM questions WHERE created_at < ?", (_stamp(cutoff),), REPORT_TIMEOUT
        )
        if removed:
            log.info("pruned %d recorded questions older than %s days", removed, older_than_days)
        return removed

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
        reminder_id = await self._write(
            lambda connection: (
                connection.execute(
                    """INSERT INTO reminders (platform, user_id, target, text_key, due_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?)""",
                    (platform, user_id, target, text_key, due, created),
                ).lastrowid
            )
        )
        return _reminder(
            (reminder_id, platform, user_id, target, text_key, due, created, None, None)
        )

    async def due_reminders(self, now: datetime | None = None) -> list[Reminder]:
        rows = await self._fetchall(
            f"""SELECT {_REMINDER_COLUMNS} FROM reminders
            WHERE {_PENDING} AND due_at <= ? ORDER BY due_at, id""",
            (_stamp(now),),
            REPORT_TIMEOUT,
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
        await self.flush()
        return await self._read(lambda connection: _stats(connection, since, top), REPORT_TIMEOUT)

    async def beat(self, now: datetime | None = None) -> None:
        await self._execute(
            """INSERT INTO heartbeat (id, beat_at) VALUES (1, ?)
            ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at""",
            (_stamp(now),),
        )

    async def last_beat(self) -> datetime | None:
        row = await self._fetchone("SELECT beat_at FROM heartbeat WHERE id = 1")
        return None if row is None else datetime.fromisoformat(row[0])


def _scrubbed(text: str | None) -> str | None:
    return None if text is None else scrub(text)


def _insert_records(connection: sqlite3.Connection, records: Sequence[Record]) -> None:
    """One batch from the recorder; a question also counts as an outcome for stats."""
    answers, questions, walks = [], [], []
    for record in records:
        stamp = _stamp(record.created_at)
        if isinstance(record, AnswerRecord):
            answers.append((record.entry_id, record.lang, record.tier, stamp))
        elif isinstance(record, QuestionRecord):
            questions.append((scrub(record.text.strip()[:QUESTION_TEXT_LIMIT]), record.tier, stamp))
            answers.append((None, record.lang, record.tier, stamp))
        else:
            walks.append((record.event, stamp))
    connection.executemany(
        "INSERT INTO questions (text, tier, created_at) VALUES (?, ?, ?)", questions
    )
    connection.executemany(
        "INSERT INTO answer_events (entry_id, lang, tier, created_at) VALUES (?, ?, ?, ?)", answers
    )
    connection.executemany(
        "INSERT INTO walkthrough_events (event, created_at) VALUES (?, ?)", walks
    )


def _stats(connection: sqlite3.Connection, since: datetime | None, top: int) -> Stats:
    bound = (_since(since),)
    top_rows = connection.execute(
        """SELECT entry_id, COUNT(*) AS asked FROM answer_events
        WHERE entry_id IS NOT NULL AND created_at >= ?
        GROUP BY entry_id ORDER BY asked DESC, entry_id LIMIT ?""",
        (*bound, top),
    ).fetchall()
    tiers = dict(
        connection.execute(
            "SELECT tier, COUNT(*) FROM answer_events WHERE created_at >= ? GROUP BY tier", bound
        ).fetchall()
    )
    votes = dict(
        connection.execute(
            "SELECT helpful, COUNT(*) FROM feedback WHERE created_at >= ? GROUP BY helpful", bound
        ).fetchall()
    )
    walks = dict(
        connection.execute(
            "SELECT event, COUNT(*) FROM walkthrough_events WHERE created_at >= ? GROUP BY event",
            bound,
        ).fetchall()
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


def _migrate(connection: sqlite3.Connection) -> None:
    """Apply pending migrations in one transaction, re-reading the version under the lock.

    BEGIN IMMEDIATE makes a second process opening the same file at the same time (the health
    check next to the bot) wait instead of applying the same migration twice.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store has schema version {version}, newer than this bot knows "
                f"({len(MIGRATIONS)}); upgrade the bot instead of downgrading the data"
            )
        for number, steps in enumerate(MIGRATIONS[version:], start=version + 1):
            for step in steps:
                if callable(step):
                    step(connection)
                else:
                    connection.execute(step)
            connection.execute(f"PRAGMA user_version = {number}")
            log.info("store schema migrated to version %d", number)
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
