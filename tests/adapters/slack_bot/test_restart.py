"""A real `python -m bot run` process serving Slack, stopped with SIGTERM, killed with SIGKILL.

The fake Slack (in this test's process) keeps its messages across the restarts, like the real
one: buttons sent by an earlier process must still work in the next, and `/chatwork-safe`
resumes where the user left off.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.settings import Settings
from tests.adapters.slack_bot.conftest import (
    MANIFEST,
    ROOT,
    action_ids,
    only_response,
    reply_to_dm,
    slack_environment,
)
from tests.fakeslack import FakeSlack

START_TIMEOUT = 30.0
"""A cold interpreter imports discord.py, slack-bolt and the knowledge before it connects."""


def bot_environment(fake: FakeSlack, data_dir: Path) -> dict[str, str]:
    """This environment without any bot setting, plus the Slack settings naming the fake."""
    names = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in names}
    kept = {"LOG_LEVEL": "INFO", "CACHE_DIR": os.environ["CACHE_DIR"]}  # the tests' own
    return inherited | slack_environment(fake, data_dir) | kept


@asynccontextmanager
async def bot_process(
    fake: FakeSlack, data_dir: Path, *command: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot …` until it is connected to the fake; killed if the test leaves it up."""
    connections = len(fake.socket_mode.connections)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *command,
        cwd=ROOT,
        env=bot_environment(fake, data_dir),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        exited = asyncio.ensure_future(process.wait())
        connected = asyncio.ensure_future(
            fake.wait_for_connection(connections + 1, timeout=START_TIMEOUT)
        )
        done, _ = await asyncio.wait({exited, connected}, return_when=asyncio.FIRST_COMPLETED)
        if connected not in done:
            connected.cancel()
            output = await process.stdout.read() if process.stdout else b""
            raise AssertionError(f"the bot exited with {process.returncode}:\n{output.decode()}")
        connected.result()
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def stopped(process: asyncio.subprocess.Process, sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    output = await asyncio.wait_for(process.communicate(), START_TIMEOUT)
    return process.returncode, output[0].decode()


async def press(fake: FakeSlack, message: dict[str, Any], action: str) -> dict[str, Any]:
    action_id = next(a for a in action_ids(message) if a.endswith(f":{action}"))
    return await only_response(await fake.click(message, action_id))


def step_of(message: dict[str, Any]) -> str:
    return action_ids(message)[0].split(":", 4)[3]


async def test_old_buttons_work_after_sigterm_and_sigkill(tmp_path: Path) -> None:
    async with FakeSlack(manifest=MANIFEST) as fake:
        async with bot_process(fake, tmp_path, "run") as first:
            guide = await only_response(await fake.slash_command("/chatwork-safe"))
            await press(fake, guide, "choice:0")
            assert step_of(guide) == "apply-and-wait"
            answer = await reply_to_dm(fake, fake.user, "連絡")
            code, output = await stopped(first, signal.SIGTERM)
        assert code == 0 and "Traceback" not in output, output
        assert fake.bot_token not in output and fake.app_token not in output
        assert not fake.socket_mode.live, "the socket was closed on the way out"

        async with bot_process(fake, tmp_path, "run") as second:
            await press(fake, guide, "choice:0")
            assert step_of(guide) == "chatwork-setup", "an old guide button, a new process"
            suggestion = action_ids(answer)[0]
            picked = await only_response(await fake.click(answer, suggestion))
            assert picked["blocks"][0]["type"] == "header"
            code, _ = await stopped(second, signal.SIGKILL)
        assert code == -signal.SIGKILL

        async with bot_process(fake, tmp_path) as third:  # no command, as `make run` starts it
            resumed = await only_response(await fake.slash_command("/chatwork-safe"))
            assert step_of(resumed) == "chatwork-setup", "progress survived the kill"
            await press(fake, guide, "next")
            assert step_of(guide) == "conduct"
            code, output = await stopped(third, signal.SIGTERM)
        assert code == 0 and "Traceback" not in output, output
        assert "terminal console" not in output

    assert all(h.late_ack is None for h in fake.envelopes.values())
    assert fake.unhandled == []
