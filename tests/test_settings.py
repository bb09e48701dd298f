"""Settings from the environment, and how `chatwork-safe-bot` reports an invalid one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import EXIT_USAGE, main
from bot.settings import Settings

NAMES = (
    "FAQ_CHANNEL_IDS",
    "FAQ_CHANNEL_COOLDOWN_SECONDS",
    "RATE_LIMIT_COUNT",
    "RATE_LIMIT_WINDOW_SECONDS",
    "REMINDER_DELAY_HOURS",
    "QUESTION_RETENTION_DAYS",
    "KNOWLEDGE_WATCH",
    "KNOWLEDGE_DIR",
    "DATA_DIR",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    settings = Settings()
    assert settings.faq_channel_ids == frozenset()
    assert settings.rate_limit_count == 5 and settings.rate_limit_window_seconds == 30.0
    assert settings.reminder_delay_hours == 24.0
    assert settings.question_retention_days == 30.0
    assert settings.faq_channel_cooldown_seconds == 600.0
    assert settings.knowledge_watch is False
    assert settings.store_url == str(Path("data"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1, 2", {1, 2}),
        ("1,2", {1, 2}),
        (" 123456789012345678 ,", {123456789012345678}),
        ("", set()),
        ("7,7", {7}),
    ],
)
def test_faq_channel_ids_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("FAQ_CHANNEL_IDS", raw)
    assert Settings().faq_channel_ids == frozenset(expected)


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RATE_LIMIT_COUNT", "2")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "10")
    monkeypatch.setenv("REMINDER_DELAY_HOURS", "0.5")
    monkeypatch.setenv("QUESTION_RETENTION_DAYS", "7")
    monkeypatch.setenv("KNOWLEDGE_WATCH", "1")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.rate_limit_count == 2 and settings.rate_limit_window_seconds == 10.0
    assert settings.reminder_delay_hours == 0.5 and settings.question_retention_days == 7.0
    assert settings.knowledge_watch is True
    assert settings.store_url == str(tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FAQ_CHANNEL_IDS", "general"),
        ("FAQ_CHANNEL_IDS", "123 456"),
        ("RATE_LIMIT_COUNT", "0"),
        ("RATE_LIMIT_WINDOW_SECONDS", "-1"),
        ("REMINDER_DELAY_HOURS", "tomorrow"),
        ("QUESTION_RETENTION_DAYS", "0"),
        ("FAQ_CHANNEL_COOLDOWN_SECONDS", "-5"),
        ("KNOWLEDGE_WATCH", "maybe"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_invalid_setting_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["ask", "チャットワークは無料ですか"]) == EXIT_USAGE == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"error: invalid setting {name}: ")
    assert "Traceback" not in captured.err
