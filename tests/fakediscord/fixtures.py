"""Pytest fixtures and a start/stop helper for clients under test.

Import what you need in a test module::

    from tests.fakediscord.fixtures import fake_discord_fixture, running_client  # noqa: F401

and ask for ``fake_discord`` in a test's parameters.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import discord
import pytest

from .pointing import point_discord_at
from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)


@pytest.fixture(name="fake_discord")
async def fake_discord_fixture() -> AsyncIterator[FakeDiscord]:
    """A started fake with every discord.py client in the process pointed at it."""
    async with FakeDiscord() as fake:
        with point_discord_at(fake.url):
            yield fake


@asynccontextmanager
async def running_client(
    client: ClientT, fake: FakeDiscord, *, timeout: float = 5.0
) -> AsyncIterator[ClientT]:
    """Run ``client.start(fake.token)`` until ready; close the client and its task on exit.

    Build the client with a small ``guild_ready_timeout`` (e.g. 0.05): discord.py waits that
    long after the last GUILD_CREATE before ``on_ready``, 2 s by default.
    """
    identifies_before = len(fake.gateway.identifies)
    start = asyncio.create_task(client.start(fake.token), name="client-under-test")
    try:
        await unless_task_dies(
            start, fake.wait_for_identify(identifies_before + 1, timeout=timeout), timeout
        )
        await unless_task_dies(start, client.wait_until_ready(), timeout)
        yield client
    finally:
        await ended(asyncio.create_task(client.close(), name="client.close()"), timeout)
        await ended(start, timeout)


async def unless_task_dies(
    start: asyncio.Task[None], awaitable: Awaitable[Any], timeout: float
) -> Any:
    """Await ``awaitable``, but surface the task's own error if it ends first."""
    waiter = asyncio.ensure_future(awaitable)
    done, _pending = await asyncio.wait(
        {start, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if waiter in done:
        return waiter.result()
    waiter.cancel()
    if start in done:
        start.result()
        raise RuntimeError("the task stopped before it was ready")
    raise TimeoutError(f"not ready within {timeout}s")


async def ended(task: asyncio.Task[Any], timeout: float) -> Any:
    """The result of a task that should end now (a close, a closed client's run); fail loudly
    if it is still running after `timeout`.

    Neither a bare `await` nor `asyncio.wait_for` (which, on timeout, waits without a bound for
    its cancellation to take): a task that lost a cancellation would hang the suite instead.
    """
    done, _pending = await asyncio.wait({task}, timeout=timeout)
    if task not in done:
        task.cancel()
        raise TimeoutError(f"{task.get_name()} did not end within {timeout}s")
    return task.result()
