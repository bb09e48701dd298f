"""`chatwork-safe-bot run` with a bad token or a refused intent: one line saying what to fix,
exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.discord_bot.runner import INTENT_REFUSED, INVALID_TOKEN, MISSING_TOKEN
from bot.adapters.platforms import NO_PLATFORM
from bot.cli import EXIT_USAGE
from tests.adapters.conftest import run_cli
from tests.adapters.discord_bot.conftest import cli_environment
from tests.fakediscord import FakeDiscord
from tests.fakediscord.gateway import INTENT_MESSAGE_CONTENT


def error_lines(stderr: str) -> list[str]:
    """What the CLI itself printed, without the log records of the attempt."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(
    ("command", "message"), [("run", NO_PLATFORM), ("sync-commands", MISSING_TOKEN)]
)
async def test_missing_token(
    command: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,
) -> None:
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))

    assert await run_cli([command]) == EXIT_USAGE

    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {message}"]
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

        assert await run_cli([command]) == EXIT_USAGE

        [login] = [r for r in fake.requests if r.path == "/users/@me"]
        assert login.status == 401
        assert fake.gateway.identifies == []
    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {INVALID_TOKEN}"]
    assert "Traceback" not in stderr
    assert "not-the-bot-token" not in stderr


async def test_message_content_intent_refused_says_what_to_enable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restored_logging: None,
) -> None:
    async with FakeDiscord() as fake:
        cli_environment(monkeypatch, fake, tmp_path)
        monkeypatch.setenv("FAQ_CHANNEL_IDS", "123")

        assert await run_cli(["run"]) == EXIT_USAGE

        [identify] = fake.gateway.identifies
        assert identify["intents"] & INTENT_MESSAGE_CONTENT
        assert fake.gateway.sessions == []
    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {INTENT_REFUSED}"]
    assert "Message Content" in INTENT_REFUSED and "FAQ_CHANNEL_IDS" in INTENT_REFUSED
    assert "Traceback" not in stderr and "PrivilegedIntentsRequired" not in stderr
