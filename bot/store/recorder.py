"""The background writer of statistics and question records.

Answering must never wait for the store, so records go into a bounded in-memory queue that one
task writes in batches. When the store fails (or the queue is full because it stalled), records
are dropped and counted with a warning: losing a few statistics beats a user waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from bot.core.ports import Record, StoreUnavailable

log = logging.getLogger(__name__)

QUEUE_CAPACITY = 20_000
"""About a minute of the heaviest load measured (4x: 500 records a second)."""
BATCH_SIZE = 500
BATCH_INTERVAL_SECONDS = 0.25
"""Records gather this long before a write: one transaction per batch, not per answer."""
WARNING_INTERVAL_SECONDS = 10.0
"""At most one drop warning per interval, so a long outage does not flood the log."""


class Recorder:
    def __init__(
        self,
        write: Callable[[Sequence[Record]], Awaitable[None]],
        capacity: int = QUEUE_CAPACITY,
        batch_size: int = BATCH_SIZE,
        interval: float = BATCH_INTERVAL_SECONDS,
    ):
        self._write = write
        self._capacity = capacity
        self._batch_size = batch_size
        self._interval = interval
        self._pending: deque[Record] = deque()
        self._wake = asyncio.Event()
        self._hurry = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._warned_at = -WARNING_INTERVAL_SECONDS
        self._dropped_since_warning = 0
        self.dropped = 0
        """Records lost since start (queue full or store failing)."""

    def put(self, record: Record) -> None:
        """Queue a record; never waits. The writer starts on first use (it needs a loop)."""
        if len(self._pending) >= self._capacity:
            self._drop(1, "the queue is full")
            return
        self._pending.append(record)
        self._idle.clear()
        self._wake.set()
        if len(self._pending) >= self._batch_size:
            self._hurry.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="statistics writer"
            )

    async def flush(self) -> None:
        """Write everything queued so far now, and wait until it is written (or dropped)."""
        if self._task is not None and not self._task.done():
            self._hurry.set()
            await self._idle.wait()

    async def close(self) -> None:
        """Write what is queued, then stop the writer."""
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if len(self._pending) < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._interval):
                        await self._hurry.wait()
            self._hurry.clear()
            while self._pending:
                batch = [
                    self._pending.popleft()
                    for _ in range(min(self._batch_size, len(self._pending)))
                ]
                try:
                    await self._write(batch)
                except StoreUnavailable as exc:
                    self._drop(len(batch), f"the store is unavailable ({exc})")
                except Exception:
                    log.exception("writing %d statistics records failed", len(batch))
                    self._drop(len(batch), "of an unexpected error")
            self._idle.set()

    def _drop(self, count: int, why: str) -> None:
        self.dropped += count
        self._dropped_since_warning += count
        now = time.monotonic()
        if now - self._warned_at >= WARNING_INTERVAL_SECONDS:
            log.warning(
                "dropped %d statistics records because %s; %d dropped since start",
                self._dropped_since_warning,
                why,
                self.dropped,
            )
            self._warned_at = now
            self._dropped_since_warning = 0
