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
    "DEV_GUILD_ID",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_API_BASE",
    "CACHE_DIR",
    "XDG_CACHE_HOME",
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
    assert settings.slack_bot_token is None and settings.slack_app_token is None
    assert settings.slack_api_base == "https://slack.com/api/"


def test_cache_dir_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().cache_dir == tmp_path / "home" / ".cache" / "chatwork-safe-bot"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert Settings().cache_dir == tmp_path / "home" / ".cache" / "chatwork-safe-bot"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().cache_dir == tmp_path / "xdg" / "chatwork-safe-bot"
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "mine"))
    assert Settings().cache_dir == tmp_path / "mine"


def test_slack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", " xoxb-1-secret ")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-secret")
    monkeypatch.setenv("SLACK_API_BASE", "http://127.0.0.1:8080/api")
    settings = Settings()
    assert settings.slack_bot_token is not None and settings.slack_app_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1-secret"
    assert settings.slack_app_token.get_secret_value() == "xapp-1-secret"
    assert settings.slack_api_base == "http://127.0.0.1:8080/api/"
    assert "secret" not in repr(settings)


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
    ("name", "value", "explanation"),
    [
        ("FAQ_CHANNEL_IDS", "general", "'general' is not a channel id"),
        ("FAQ_CHANNEL_IDS", "123 456", "'123 456' is not a channel id"),
        ("RATE_LIMIT_COUNT", "0", "must be at least 1, not '0'"),
        ("RATE_LIMIT_COUNT", "many", "must be a whole number, not 'many'"),
        ("RATE_LIMIT_WINDOW_SECONDS", "-1", "must be greater than 0"),
        ("RATE_LIMIT_WINDOW_SECONDS", "nan", "must be a finite number"),
        ("REMINDER_DELAY_HOURS", "tomorrow", "must be a number, not 'tomorrow'"),
        ("REMINDER_DELAY_HOURS", "inf", "must be a finite number"),
        ("REMINDER_DELAY_HOURS", "1e300", "must be at most 8784, not '1e300'"),
        ("QUESTION_RETENTION_DAYS", "0", "must be greater than 0"),
        ("FAQ_CHANNEL_COOLDOWN_SECONDS", "-5", "must be at least 0"),
        ("KNOWLEDGE_WATCH", "maybe", "must be true or false"),
        ("LOG_FORMAT", "xml", "must be text or json"),
        ("LOG_LEVEL", "verbose", "'verbose' is not a log level: use one of DEBUG, INFO"),
        ("DEV_GUILD_ID", "my-server", "must be a whole number"),
        ("SLACK_BOT_TOKEN", "xapp-1-secret", "must start with xoxb- (the Bot User OAuth Token"),
        ("SLACK_APP_TOKEN", "xoxb-1-secret", "must start with xapp- (an App-Level Token"),
        (
            "SLACK_API_BASE",
            "slack.com/api",
            "must be an http(s) URL such as https://slack.com/api/",
        ),
    ],
)
def test_invalid_setting_exits_2_with_one_plain_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    explanation: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["ask", "チャットワークは無料ですか"]) == EXIT_USAGE == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"error: invalid setting {name}: {explanation}")
    for internal in ("Traceback", "invalid literal", "base 10", "Input should", "Value error"):
        assert internal not in line
    assert "secret" not in captured.err


def test_log_level_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", " debug ")
    assert Settings().log_level == "DEBUG"
