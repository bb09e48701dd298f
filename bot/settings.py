"""Settings from the environment, read once in `main()` — never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class ConfigurationError(Exception):
    """A setting that stops the bot from starting; its message is the one line users see."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    discord_token: SecretStr | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None

    knowledge_dir: Path | None = None
    knowledge_watch: bool = False

    data_dir: Path = Path("data")
    database_url: str | None = None

    rate_limit_count: int = Field(default=5, ge=1)
    rate_limit_window_seconds: float = Field(default=30.0, gt=0)
    reminder_delay_hours: float = Field(default=24.0, gt=0)
    question_retention_days: float = Field(default=30.0, gt=0)
    faq_channel_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    faq_channel_cooldown_seconds: float = Field(default=600.0, ge=0)

    log_level: str | None = Field(
        default=None, description="default: INFO for the bot, WARNING for terminal commands"
    )
    log_format: str = Field(default="text", pattern="^(text|json)$")

    @field_validator("faq_channel_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`FAQ_CHANNEL_IDS=123,456` (or `123, 456`) as people write it in an env file.

        Each comma-separated part must be one id: `123 456` is an error, not channel 123456.
        """
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",")]
            return frozenset(int(part) for part in parts if part)
        return value

    @property
    def store_url(self) -> str:
        """`DATABASE_URL` when given, else an SQLite file in the data directory."""
        return self.database_url or str(self.data_dir)
