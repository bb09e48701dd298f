"""`chatwork-safe-bot run` with a missing or rejected Slack token: one line saying what to fix,
exit code 2, the token never printed, nothing connected."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.slack_bot.runner import MISSING_TOKEN, REJECTED_APP_TOKEN, REJECTED_BOT_TOKEN
from bot.cli import EXIT_USAGE
from tests.adapters.conftest import run_cli
from tests.adapters.slack_bot.conftest import slack_environment
from tests.fakeslack import FakeSlack


def error_lines(stderr: str) -> list[str]:
    """What the CLI itself printed, without the log records of the attempt."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, restored_logging: None) -> None:
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_BASE"):
        monkeypatch.delenv(name, raising=False)


async def test_one_slack_token_without_the_other(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_environment: None,
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-secret")

    assert await run_cli(["run"]) == EXIT_USAGE

    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {MISSING_TOKEN.format(missing='SLACK_APP_TOKEN')}"]
    assert "secret" not in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    ("variable", "wrong", "message"),
    [
        ("SLACK_BOT_TOKEN", "xoxb-not-the-bot-token", REJECTED_BOT_TOKEN),
        ("SLACK_APP_TOKEN", "xapp-not-the-app-token", REJECTED_APP_TOKEN),
    ],
)
async def test_a_token_slack_rejects(
    variable: str,
    wrong: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_environment: None,
) -> None:
    async with FakeSlack() as fake:
        for name, value in slack_environment(fake, tmp_path).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv(variable, wrong)

        assert await run_cli(["run"]) == EXIT_USAGE

        assert fake.socket_mode.connections == []
    stderr = capsys.readouterr().err
    assert error_lines(stderr) == [f"error: {message.format(error='invalid_auth')}"]
    assert wrong not in stderr and "Traceback" not in stderr
