"""Per-user rate limiting, so one user cannot flood the bot (or its Discord quota).

A sliding window per key: at most `limit` actions in `window` seconds. Pure logic with an
injectable clock, shared by every adapter.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0
    first_refusal: bool = False
    """The first refusal since the key was last allowed: the one to tell the user about.

    A flood of 100 messages gets one notice, then silence until the window lets them in again.
    """


class RateLimiter:
    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._refused: set[str] = set()

    def hit(self, key: str) -> Decision:
        """Count an action for `key` if it is allowed; refused actions are not counted."""
        now = self.clock()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            first = key not in self._refused
            self._refused.add(key)
            return Decision(False, self.window - (now - hits[0]), first)
        hits.append(now)
        self._refused.discard(key)
        self._forget_idle(now)
        return Decision(True)

    def _forget_idle(self, now: float) -> None:
        """Drop keys whose window has passed, so memory follows active users only."""
        if len(self._hits) < 1024:
            return
        for key in [
            k for k, hits in self._hits.items() if not hits or now - hits[-1] >= self.window
        ]:
            del self._hits[key]
            self._refused.discard(key)
