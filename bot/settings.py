"""Settings from the environment, read once in `main()` — never at import time."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.assistant import Pacing

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(Exception):
    """A setting that stops the bot from starting; its message is the one line users see."""


ENV_FILE = Path(".env")
"""Read from the current directory when present, as `.env.example` tells people to create it;
a variable set in the environment wins over the same name in the file."""

SLACK_TOKEN_KINDS = {
    "slack_bot_token": ("xoxb-", "the Bot User OAuth Token under OAuth & Permissions"),
    "slack_app_token": ("xapp-", "an App-Level Token with connections:write"),
}


CACHE_NAME = "chatwork-safe-bot"


def default_cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/chatwork-safe-bot`, else `~/.cache/chatwork-safe-bot`; None (keep
    nothing) when there is no home directory to put it in."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / CACHE_NAME
    try:
        return Path.home() / ".cache" / CACHE_NAME
    except RuntimeError:
        return None


class Settings(BaseSettings):
    """Every setting; an empty variable (`DEV_GUILD_ID=` in a copied `.env`) counts as unset."""

    model_config = SettingsConfigDict(
        env_file=ENV_FILE,
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
        allow_inf_nan=False,
    )

    discord_token: SecretStr | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = Field(default=None, gt=0)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_base: str = "https://slack.com/api/"

    knowledge_dir: Path | None = None
    knowledge_watch: bool = False

    data_dir: Path = Path("data")
    cache_dir: Path | None = Field(default_factory=default_cache_dir)
    """What the bot can rebuild but keeps to start faster (the knowledge's analysed texts)."""
    database_url: str | None = None

    rate_limit_count: int = Field(default=5, ge=1)
    rate_limit_window_seconds: float = Field(default=30.0, gt=0, le=86_400)
    reminder_delay_hours: float = Field(default=24.0, gt=0, le=24 * 366)
    question_retention_days: float = Field(default=30.0, gt=0, le=36_500)
    faq_channel_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    faq_channel_cooldown_seconds: float = Field(default=600.0, ge=0, le=86_400)

    log_level: str | None = Field(
        default=None, description="default: INFO for the bot, WARNING for terminal commands"
    )
    log_format: str = Field(default="text", pattern="^(text|json)$")

    @field_validator("slack_bot_token", "slack_app_token", mode="before")
    @classmethod
    def _slack_token_kind(cls, value: object, info: ValidationInfo) -> object:
        """A token of the wrong kind fails at start, saying which kind, never echoing the value."""
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        prefix, where = SLACK_TOKEN_KINDS[info.field_name or ""]
        if not value.startswith(prefix):
            raise ValueError(f"must start with {prefix} ({where})")
        return value

    @field_validator("slack_api_base")
    @classmethod
    def _slack_api_base(cls, value: str) -> str:
        """The Web API base URL; methods are appended to it, so it ends with a slash."""
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value.rstrip("/") + "/"

    @field_validator("faq_channel_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`FAQ_CHANNEL_IDS=123,456` (or `123, 456`) as people write it in an env file.

        Each comma-separated part must be one id: `123 456` is an error, not channel 123456.
        """
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            for part in parts:
                if part and not part.isdigit():
                    raise ValueError(
                        f"{part!r} is not a channel id: give channel ids (numbers) separated by commas"
                    )
            return frozenset(int(part) for part in parts if part)
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is not None and value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level: use one of {', '.join(LOG_LEVELS)}")
        return value.strip().upper() if value is not None else None

    @property
    def platforms(self) -> tuple[str, ...]:
        """The chat platforms `run` serves: those whose tokens are set.

        Slack counts as soon as either of its tokens is set, so a missing one is reported.
        """
        discord = self.discord_token is not None and bool(
            self.discord_token.get_secret_value().strip()
        )
        slack = self.slack_bot_token is not None or self.slack_app_token is not None
        return tuple(name for name, on in (("discord", discord), ("slack", slack)) if on)

    @property
    def pacing(self) -> Pacing:
        """The limits and delays every platform's assistant applies."""
        return Pacing(
            rate_limit_count=self.rate_limit_count,
            rate_limit_window_seconds=self.rate_limit_window_seconds,
            channel_cooldown_seconds=self.faq_channel_cooldown_seconds,
            reminder_delay=timedelta(hours=self.reminder_delay_hours),
            question_retention_days=self.question_retention_days,
        )

    @property
    def store_url(self) -> str:
        """`DATABASE_URL` when given, else an SQLite file in the data directory."""
        return self.database_url or str(self.data_dir)


PLAIN_MESSAGES = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_parsing": "must be true or false (1/0, yes/no)",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "string_pattern_mismatch": "is not one of the allowed values",
}
"""Pydantic's wording for each error type, said in the words of someone editing an env file."""

ALLOWED_VALUES = {"log_format": "text or json"}


def _plain_number(value: object) -> object:
    """`8784`, not `8784.0`: limits of float settings read as people write them."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def describe_setting_error(error: ErrorDetails) -> str:
    """One line per invalid setting, naming the variable and what it accepts, never internals."""
    field = str(error["loc"][0]) if error["loc"] else ""
    name = field.upper() or "settings"
    given = error.get("input")
    if error["type"] == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
    elif field in ALLOWED_VALUES:
        reason = f"must be {ALLOWED_VALUES[field]}"
    else:
        template = PLAIN_MESSAGES.get(error["type"], error["msg"])
        limits = {key: _plain_number(value) for key, value in error.get("ctx", {}).items()}
        reason = template.format(**limits)
        if isinstance(given, str):
            reason += f", not {given!r}"
    return f"invalid setting {name}: {reason}"
