"""The fake works with the real discord.py: real client, real sockets, real start() path."""

from __future__ import annotations

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.fixtures import fake_discord_fixture, running_client  # noqa: F401

PRIVILEGED = discord.Intents(members=True, presences=True, message_content=True)


def unprivileged_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.members = intents.presences = intents.message_content = False
    return intents


class EchoClient(discord.Client):
    """Answers every DM and every mention, never pinging anyone."""

    def __init__(self) -> None:
        super().__init__(
            intents=unprivileged_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.seen: list[discord.Message] = []

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.seen.append(message)
        await message.channel.send(f"echo: {message.content}")


async def test_dm_round_trip(fake_discord: FakeDiscord) -> None:
    client = EchoClient()
    async with running_client(client, fake_discord):
        await fake_discord.send_dm(fake_discord.user, "@everyone 仮払いって何？")
        reply = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")

    assert reply.json["content"] == "echo: @everyone 仮払いって何？"
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert reply.authorized_with(fake_discord.token)
    assert fake_discord.token not in repr(reply)
    stored = fake_discord.messages_in(fake_discord.dm_channel(fake_discord.user))
    assert stored[-1]["mention_everyone"] is False
    assert fake_discord.intents & PRIVILEGED.value == 0
    assert fake_discord.unhandled == []


async def test_guild_message_content_needs_a_mention_without_the_intent(
    fake_discord: FakeDiscord,
) -> None:
    client = EchoClient()
    async with running_client(client, fake_discord):
        channel, user = fake_discord.channel, fake_discord.user
        await fake_discord.send_guild_message(channel, user, "雑談です")
        await fake_discord.send_guild_message(
            channel, user, f"{fake_discord.bot_user.mention} 質問"
        )
        await fake_discord.wait_for_request(
            "POST", r"/channels/\d+/messages", lambda r: "質問" in r.json["content"]
        )

    assert [m.content for m in client.seen] == ["", f"<@{fake_discord.bot_user.id}> 質問"]
    assert client.seen[1].guild is not None
    assert client.seen[1].author.guild_permissions.send_messages
    assert client.seen[1].channel.permissions_for(client.seen[1].guild.me).send_messages


async def test_rest_surface_speaks_discords_dialect(fake_discord: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bot {fake_discord.token}"}
        async with session.get(f"{fake_discord.api_base}/users/@me", headers=auth) as response:
            assert response.headers["Content-Type"] == "application/json"
            assert (await response.json())["id"] == fake_discord.bot_user.id
        async with session.get(f"{fake_discord.api_base}/users/@me") as response:
            assert response.status == 401
        async with session.get(
            f"{fake_discord.api_base}/guilds/1/widget", headers=auth
        ) as response:
            assert response.status == 404
            assert await response.json() == {"message": "Unknown", "code": 0}

    assert [r.path for r in fake_discord.unhandled] == ["/guilds/1/widget"]
    assert not fake_discord.requests[1].has_authorization


async def test_rate_limited_call_is_retried(fake_discord: FakeDiscord) -> None:
    fake_discord.rate_limit("POST", r"/channels/\d+/messages", times=1, retry_after=0.05)
    async with running_client(EchoClient(), fake_discord):
        await fake_discord.send_dm(fake_discord.user, "こんにちは")
        await fake_discord.wait_for_request(
            "POST", r"/channels/\d+/messages", lambda r: r.status == 200
        )

    posts = [r for r in fake_discord.requests if r.method == "POST" and "/messages" in r.path]
    assert [r.status for r in posts] == [429, 200]


async def test_resumes_after_the_fake_drops_the_connection(fake_discord: FakeDiscord) -> None:
    async with running_client(EchoClient(), fake_discord):
        await fake_discord.drop_connection()
        resume = await fake_discord.wait_for_resume()
        await fake_discord.send_dm(fake_discord.user, "まだいますか")
        await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")

    assert resume["session_id"] == "fake-session-1"
    assert fake_discord.gateway.connections[1].path == "/gateway-resume"
    assert len(fake_discord.gateway.identifies) == 1


class QuickReidentifyClient(EchoClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; a single-process test need not."""


async def test_identifies_again_after_an_invalid_session(fake_discord: FakeDiscord) -> None:
    async with running_client(QuickReidentifyClient(), fake_discord):
        await fake_discord.invalidate_session(resumable=False)
        await fake_discord.wait_for_identify(2)
        await fake_discord.send_dm(fake_discord.user, "もう一度")
        reply = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")

    assert reply.json["content"] == "echo: もう一度"


async def test_privileged_intents_are_refused_like_discord(fake_discord: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.all(), guild_ready_timeout=0.05)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running_client(client, fake_discord):
            pass
