"""Settings from the environment, read once in `main()` — never at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    log_level: str | None = Field(
        default=None, description="default: INFO for the bot, WARNING for terminal commands"
    )
    log_format: str = Field(default="text", pattern="^(text|json)$")

    @property
    def store_url(self) -> str:
        """`DATABASE_URL` when given, else an SQLite file in the data directory."""
        return self.database_url or str(self.data_dir)
