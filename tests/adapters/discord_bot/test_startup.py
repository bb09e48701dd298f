"""What the bot logs when it starts: who it is and how to invite it; no voice noise."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from bot.adapters.discord_bot.client import INVITE_PERMISSIONS, invite_url
from tests.adapters.discord_bot.conftest import running_bot
from tests.fakediscord import FakeDiscord


def test_invite_url_asks_for_the_bot_and_its_commands_with_plain_permissions() -> None:
    url = invite_url(1234)
    assert url.startswith("https://discord.com/oauth2/authorize?client_id=1234&")
    assert "scope=bot+applications.commands" in url
    assert f"permissions={INVITE_PERMISSIONS.value}" in url
    granted = {name for name, allowed in INVITE_PERMISSIONS if allowed}
    assert granted == {
        "read_messages",  # discord.py's name for View Channels
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "read_message_history",
    }


async def test_start_logs_identity_and_invite_url_without_voice_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    caplog.set_level(logging.INFO)
    async with FakeDiscord() as fake, running_bot(fake, tmp_path) as bot:
        assert bot.user is not None and bot.application_id is not None
        messages = [record.getMessage() for record in caplog.records]
        assert f"logged in as {bot.user} (id {bot.user.id})" in messages
        assert f"invite it to a server: {invite_url(bot.application_id)}" in messages
    assert "voice will NOT be supported" not in caplog.text
