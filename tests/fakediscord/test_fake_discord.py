"""The fake works with the real discord.py: real client, real sockets, real start() path."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

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
        await message.reply(f"echo: {message.content}")


async def test_dm_round_trip(fake_discord: FakeDiscord) -> None:
    client = EchoClient()
    async with running_client(client, fake_discord):
        await fake_discord.send_dm(fake_discord.user, "@everyone 仮払いって何？")
        reply = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")

    assert reply.json["content"] == "echo: @everyone 仮払いって何？"
    assert reply.json["allowed_mentions"] == {"parse": []}
    assert reply.authorized_with(fake_discord.token)
    assert fake_discord.token not in repr(reply)
    question, answer = fake_discord.messages_in(fake_discord.dm_channel(fake_discord.user))
    assert answer["mention_everyone"] is False
    assert answer["message_reference"]["message_id"] == question["id"]
    assert answer["referenced_message"] == question
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


async def test_open_dm_and_send_a_file_with_an_embed(fake_discord: FakeDiscord) -> None:
    async with running_client(EchoClient(), fake_discord) as client:
        user = await client.fetch_user(int(fake_discord.user.id))
        embed = discord.Embed(title="チェックリスト", description="仮払いを確認")
        await user.send("資料です", embed=embed, file=discord.File(io.BytesIO(b"memo"), "memo.txt"))

    sent = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages")
    assert sent.files == ("memo.txt",)
    assert sent.json["embeds"][0]["description"] == "仮払いを確認"
    (stored,) = fake_discord.messages_in(fake_discord.dm_channel(fake_discord.user))
    assert stored["attachments"][0]["filename"] == "memo.txt"
    assert fake_discord.unhandled == []


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


TOPICS = ["仮払い", "サービス外連絡申請", "納品"]


class NextStep(discord.ui.View):
    """Persistent: registered in setup_hook, so clicks on old messages keep working."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="次へ", custom_id="walkthrough:next")
    async def next_step(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="ステップ2: サービス外連絡申請", view=self)

    @discord.ui.select(
        custom_id="walkthrough:branch",
        options=[
            discord.SelectOption(label="仮払いがまだ", value="escrow-not-done"),
            discord.SelectOption(label="断りたい", value="decline"),
        ],
    )
    async def branch(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"分岐: {select.values[0]}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="フィードバック"):
    comment = discord.ui.TextInput(label="コメント", custom_id="feedback:comment")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"受付: {self.comment.value}", ephemeral=True)


class AppClient(discord.Client):
    def __init__(self) -> None:
        super().__init__(
            intents=unprivileged_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.tree = discord.app_commands.CommandTree(self)
        self.checked: list[discord.Message] = []

        @self.tree.command(name="faq", description="よくある質問に答えます")
        async def faq(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.send_message(f"答え: {question}", view=NextStep())

        @faq.autocomplete("question")
        async def faq_topics(
            _interaction: discord.Interaction, current: str
        ) -> list[discord.app_commands.Choice[str]]:
            return [
                discord.app_commands.Choice(name=topic, value=topic)
                for topic in TOPICS
                if current in topic
            ]

        @self.tree.command(name="walkthrough", description="手順を案内します")
        async def walkthrough(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(content="ステップ1: 契約と仮払い")
            await interaction.followup.send("補足: 仮払い前に作業しない", ephemeral=True)

        @self.tree.command(name="feedback", description="感想を送る")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @self.tree.context_menu(name="安全チェック")
        async def safety_check(interaction: discord.Interaction, message: discord.Message) -> None:
            self.checked.append(message)
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"チェック済み: {message.content}")

    async def setup_hook(self) -> None:
        self.add_view(NextStep())


@pytest.fixture
async def app_client(fake_discord: FakeDiscord) -> AsyncIterator[AppClient]:
    async with running_client(AppClient(), fake_discord) as client:
        await client.tree.sync()
        yield client
    assert fake_discord.unhandled == []


async def test_tree_sync_lands_in_the_fake(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    synced = {command["name"]: command for command in fake_discord.commands[None]}
    assert set(synced) == {"faq", "walkthrough", "feedback", "安全チェック"}
    assert synced["安全チェック"]["type"] == 3
    assert [o["name"] for o in synced["faq"]["options"]] == ["question"]
    fetched = await app_client.tree.fetch_commands()
    assert {c.id for c in fetched} == {int(c["id"]) for c in synced.values()}


async def test_slash_command_gets_a_callback_within_the_deadline(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    handle = await fake_discord.slash_command("faq", {"question": "仮払い"})
    callback = await handle.response()

    assert callback.type == 4
    assert callback.content == "答え: 仮払い"
    assert callback.elapsed < 3.0
    assert callback.data["allowed_mentions"] == {"parse": []}
    assert (await handle.final_message())["components"][0]["components"][0]["custom_id"] == (
        "walkthrough:next"
    )


async def test_slash_command_in_dm(fake_discord: FakeDiscord, app_client: AppClient) -> None:
    handle = await fake_discord.slash_command(
        "faq", {"question": "納品"}, channel=fake_discord.dm_channel(fake_discord.user)
    )
    assert (await handle.response()).content == "答え: 納品"


async def test_autocomplete_returns_choices(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    handle = await fake_discord.autocomplete("faq", {"question": "申請"}, focused="question")
    callback = await handle.response()

    assert callback.type == 8
    assert callback.choices == [{"name": "サービス外連絡申請", "value": "サービス外連絡申請"}]


async def test_button_click_reaches_the_view(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    answer = await (await fake_discord.slash_command("faq", {"question": "仮払い"})).final_message()
    click = await fake_discord.click_button(answer, "walkthrough:next")
    callback = await click.response()

    assert callback.type == 7
    stored = fake_discord.find_message(answer["id"])
    assert stored is not None
    assert stored["content"] == "ステップ2: サービス外連絡申請"


async def test_modal_submit_reaches_on_submit(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    opened = await (await fake_discord.slash_command("feedback")).response()
    assert opened.type == 9

    submitted = await fake_discord.submit_modal(
        opened.data["custom_id"], {"feedback:comment": "わかりやすい"}
    )
    callback = await submitted.response()

    assert callback.content == "受付: わかりやすい"
    assert callback.ephemeral


async def test_message_context_menu_receives_the_target(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    client_message = await fake_discord.send_guild_message(
        fake_discord.channel, fake_discord.owner, "直接契約しませんか？"
    )
    handle = await fake_discord.context_menu_message("安全チェック", client_message)

    assert (await handle.response()).type == 5
    final = await handle.final_message()
    assert final["content"] == "チェック済み: 直接契約しませんか？"
    assert final["flags"] & 64
    assert app_client.checked[0].author.id == int(fake_discord.owner.id)


async def test_select_option_reaches_the_view(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    answer = await (await fake_discord.slash_command("faq", {"question": "仮払い"})).final_message()
    pick = await fake_discord.select_option(answer, "walkthrough:branch", ["decline"])

    assert (await pick.response()).content == "分岐: decline"
    with pytest.raises(ValueError, match="not among"):
        await fake_discord.select_option(answer, "walkthrough:branch", ["direct-contract"])


async def test_deferred_response_edits_and_followups(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    handle = await fake_discord.slash_command("walkthrough")

    assert (await handle.response()).type == 5
    assert (await handle.final_message())["content"] == "ステップ1: 契約と仮払い"
    (followup,) = await handle.followups(1)
    assert followup["content"] == "補足: 仮払い前に作業しない"
    assert followup["flags"] & 64
    assert followup["interaction_metadata"]["id"] == handle.id


async def test_a_late_callback_is_refused_like_discord(
    fake_discord: FakeDiscord, app_client: AppClient
) -> None:
    fake_discord.response_deadline = 0.0
    handle = await fake_discord.slash_command("faq", {"question": "仮払い"})

    with pytest.raises(AssertionError, match="10062"):
        await handle.response()
    refused = await fake_discord.wait_for_request("POST", r"/interactions/\d+/.+/callback")
    assert refused.status == 404


async def test_auto_sharded_client_uses_gateway_bot(fake_discord: FakeDiscord) -> None:
    client = discord.AutoShardedClient(intents=unprivileged_intents(), guild_ready_timeout=0.05)
    async with running_client(client, fake_discord):
        assert client.shard_count == 1

    assert fake_discord.gateway.identifies[0]["shard"] == [0, 1]
    assert any(r.path == "/gateway/bot" for r in fake_discord.requests)


async def test_stopping_the_fake_closes_the_gateway(fake_discord: FakeDiscord) -> None:
    async with running_client(EchoClient(), fake_discord):
        connection = fake_discord.gateway.connections[0]
        await asyncio.wait_for(fake_discord.stop(), 2.0)
        assert not connection.open
