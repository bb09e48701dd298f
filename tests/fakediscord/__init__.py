"""A fake Discord (REST + gateway) on loopback, for end-to-end tests with the real discord.py.

The client under test runs its real ``start()`` path against an aiohttp server on 127.0.0.1::

    from tests.fakediscord import FakeDiscord, point_discord_at
    from tests.fakediscord.fixtures import fake_discord_fixture, running_client  # noqa: F401

    async def test_dm_answer(fake_discord):
        client = MyBot(intents=..., guild_ready_timeout=0.05)
        async with running_client(client, fake_discord):
            await fake_discord.send_dm(fake_discord.user, "仮払いって何？")
            reply = await fake_discord.wait_for_request("POST", r"/channels/\\d+/messages")
        assert reply.json["allowed_mentions"] == {"parse": []}
        assert fake_discord.unhandled == []

Build the client with ``guild_ready_timeout=0.05`` (discord.py waits that long after the last
GUILD_CREATE before ``on_ready``; 2 s by default) and, in tests that force a re-IDENTIFY,
override ``before_identify_hook`` (discord.py sleeps 5 s before every non-initial IDENTIFY).

A bot that applies its own settings instead of ``point_discord_at`` uses
``fake.api_base`` (DISCORD_API_BASE) and ``fake.gateway_url`` (DISCORD_GATEWAY_URL).
Interactions return an ``InteractionHandle``: ``await handle.response()``,
``await handle.followups()``, ``await handle.final_message()``.
"""

from .models import FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, Snowflakes
from .pointing import api_base_for, gateway_url_for, point_discord_at
from .records import InteractionCallback, InteractionHandle, RecordedRequest
from .server import FakeDiscord

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionCallback",
    "InteractionHandle",
    "RecordedRequest",
    "Snowflakes",
    "api_base_for",
    "gateway_url_for",
    "point_discord_at",
]
