"""`chatwork-safe-bot run` with a bad token: one line saying what to fix, exit code 2."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.adapters.discord_bot.runner import INVALID_TOKEN, MISSING_TOKEN
from bot.cli import EXIT_USAGE, main
from tests.adapters.discord_bot.conftest import cli_environment
from tests.fakediscord import FakeDiscord


def error_lines(stderr: str) -> list[str]:
    """What the CLI itself printed, without the log records of the attempt."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


async def test_missing_token(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))

    assert await asyncio.to_thread(main, ["run"]) == EXIT_USAGE

    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {MISSING_TOKEN}"]
    assert "Traceback" not in stderr


@pytest.mark.parametrize("command", ["run", "sync-commands"])
async def test_token_rejected_by_discord(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,
) -> None:
    async with FakeDiscord() as fake:
        cli_environment(monkeypatch, fake, tmp_path)
        monkeypatch.setenv("DISCORD_TOKEN", "not-the-bot-token")

        assert await asyncio.to_thread(main, [command]) == EXIT_USAGE

        [login] = [r for r in fake.requests if r.path == "/users/@me"]
        assert login.status == 401
        assert fake.gateway.identifies == []
    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {INVALID_TOKEN}"]
    assert "Traceback" not in stderr
    assert "not-the-bot-token" not in stderr
