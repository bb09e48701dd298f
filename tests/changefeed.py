"""How the fakes' tests wait for what a fake saw without sleeping (shared by the fake Discord and
the fake Slack)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ChangeFeed:
    """Wakes every waiter whenever the fake's state changes; waiters re-check their condition."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._waiters: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_until(
        self, check: Callable[[], T | None], *, timeout: float, describe: Callable[[], str]
    ) -> T:
        """Return the first truthy result of ``check``; fail with ``describe()`` after ``timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{self.name}: timed out after {timeout}s {describe()}")
            waiter = loop.create_future()
            self._waiters.append(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                continue
