"""Fixtures shared by the adapters' tests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
import traceback
from collections.abc import Iterator

import pytest

from bot.cli import main

CLI_TIMEOUT = 30.0
"""`chatwork-safe-bot run` that fails at start exits in about a second; this is for a loaded CI."""


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """`bot.cli.main` sets up logging for a terminal; give pytest its handlers back after."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


async def run_cli(argv: list[str], timeout: float = CLI_TIMEOUT) -> int:
    """`main(argv)` on a thread of its own; a run that does not exit fails the test, loudly.

    A daemon thread, not `asyncio.to_thread`: the loop's executor would wait for a hung `main`
    when the test's loop closes, and the suite would hang after all. The failure shows where
    the command's thread was stuck.
    """
    command = " ".join(["chatwork-safe-bot", *argv])
    outcome: concurrent.futures.Future[int] = concurrent.futures.Future()

    def run() -> None:
        try:
            outcome.set_result(main(argv))
        except BaseException as exc:
            outcome.set_exception(exc)

    thread = threading.Thread(target=run, name=command, daemon=True)
    thread.start()
    done, _pending = await asyncio.wait({asyncio.wrap_future(outcome)}, timeout=timeout)
    if not done:
        assert thread.ident is not None
        stack = "".join(traceback.format_stack(sys._current_frames()[thread.ident]))
        raise TimeoutError(f"`{command}` did not exit within {timeout}s; its thread:\n{stack}")
    return outcome.result()
