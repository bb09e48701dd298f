"""Direct messages and mentions: the FAQ answer as an embed, never pinging anyone."""

from __future__ import annotations

import discord
import pytest

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from tests.adapters.discord_bot.conftest import (
    MESSAGES,
    answered,
    ask_in_dm,
    bundled_knowledge,
    custom_ids,
)
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_no_privileged_intents_are_requested(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    privileged = discord.Intents(members=True, presences=True, message_content=True)
    assert fake.intents is not None
    assert fake.intents & privileged.value == 0


async def test_dm_question_gets_the_price_entry_with_its_source(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    reply = await ask_in_dm(fake, fake.user, "チャットワークは無料ですか")

    [embed] = reply["embeds"]
    assert embed["title"] == "チャットワークの料金（無料？有料？）"
    assert "無料で登録・利用できます" in embed["description"]
    assert embed["footer"]["text"].startswith("出典: ")
    assert "時点" in embed["footer"]["text"]
    assert "message_reference" not in reply
    assert "cs:faq:free-plan-limits:ja" in custom_ids(reply)


async def test_english_dm_gets_the_english_answer(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    reply = await ask_in_dm(fake, fake.user, "how much does chatwork cost?")

    [embed] = reply["embeds"]
    assert embed["title"] == "Chatwork price: free or paid?"
    assert "free" in embed["description"].lower()
    assert embed["footer"]["text"].startswith("Source: ")


async def test_mention_is_answered_as_a_reply_that_pings_nobody(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    after = fake.mark()
    question = await fake.send_guild_message(
        fake.channel, fake.user, f"{fake.bot_user.mention} @everyone チャットワークは無料ですか"
    )
    request = await fake.wait_for_request("POST", MESSAGES, answered, after=after)

    assert request.path == f"/channels/{fake.channel.id}/messages"
    assert request.json["embeds"][0]["title"] == "チャットワークの料金（無料？有料？）"
    assert str(request.json["message_reference"]["message_id"]) == question["id"]
    assert request.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    stored = fake.messages_in(fake.channel)[-1]
    assert stored["mention_everyone"] is False
    assert stored["mentions"] == [] and stored["mention_roles"] == []


async def test_mention_in_english_is_answered_in_english(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    after = fake.mark()
    await fake.send_guild_message(
        fake.channel, fake.user, f"<@!{fake.bot_user.id}> is chatwork paid or free"
    )
    request = await fake.wait_for_request("POST", MESSAGES, answered, after=after)

    assert request.json["embeds"][0]["title"] == "Chatwork price: free or paid?"


async def test_a_bare_mention_asks_for_a_question(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    after = fake.mark()
    await fake.send_guild_message(fake.channel, fake.user, fake.bot_user.mention)
    request = await fake.wait_for_request("POST", MESSAGES, answered, after=after)

    assert "質問を書いてください" in request.json["content"]


async def test_guild_messages_without_a_mention_get_no_reply(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    after = fake.mark()
    await fake.send_guild_message(fake.channel, fake.user, "チャットワークは無料ですか")
    sentinel = await fake.send_guild_message(
        fake.channel, fake.user, f"{fake.bot_user.mention} 納品はどこから？"
    )
    await fake.wait_for_request("POST", MESSAGES, answered, after=after)

    posts = [r for r in fake.requests[after:] if r.method == "POST"]
    assert [str(r.json["message_reference"]["message_id"]) for r in posts] == [sentinel["id"]]


async def test_other_bots_and_its_own_messages_are_ignored(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    other_bot = fake.add_user("other-bot", bot=True)
    fake.add_member(fake.guild, other_bot)
    after = fake.mark()
    await fake.send_dm(other_bot, "チャットワークは無料ですか")
    await fake.send_guild_message(
        fake.channel, other_bot, f"{fake.bot_user.mention} チャットワークは無料ですか"
    )
    first = await ask_in_dm(fake, fake.user, "納品はどこから？")
    second = await ask_in_dm(fake, fake.user, "仮払いって何？")

    posts = [r for r in fake.requests[after:] if r.method == "POST"]
    assert [r.json["embeds"] for r in posts] == [first["embeds"], second["embeds"]], (
        "answered another bot, or its own echoed answer"
    )


async def test_suggestion_buttons_answer_when_pressed(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    await fake.send_dm(fake.user, "アカウント")
    suggestions = await fake.wait_until(
        lambda: (
            fake.messages_in(fake.dm_channel(fake.user))[-1]["author"]["bot"]
            and fake.messages_in(fake.dm_channel(fake.user))[-1]
        ),
        what="the suggestions",
    )
    assert suggestions["content"] == ui("did_you_mean", "ja")
    assert custom_ids(suggestions)[0] == "cs:faq:sign-up:ja"

    handle = await fake.click_button(suggestions, "cs:faq:sign-up:ja")
    callback = await handle.response()

    assert callback.type == 4
    assert callback.elapsed < 3.0
    assert callback.data["embeds"][0]["title"] == bundled_knowledge().entry("sign-up").title.get(
        "ja"
    )
    assert not callback.ephemeral, "an answer in a DM is an ordinary message"


async def test_no_match_offers_topics_that_answer_when_chosen(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    reply = await ask_in_dm(fake, fake.user, "今日の天気は？")
    assert reply["content"] == ui("no_answer", "ja")
    menus = [c for row in reply["components"] for c in row["components"]]
    assert [menu["custom_id"] for menu in menus] == [
        "cs:topics:ja",
        *(f"cs:topics:ja:{page}" for page in range(1, len(menus))),
    ]
    assert all(1 <= len(menu["options"]) <= 25 for menu in menus)
    offered = [option["value"] for menu in menus for option in menu["options"]]
    assert offered == [entry.id for entry in bundled_knowledge().faq]

    message = fake.messages_in(fake.dm_channel(fake.user))[-1]
    for menu, entry_id in ((menus[0], "escrow-before-work"), (menus[-1], offered[-1])):
        handle = await fake.select_option(message, menu["custom_id"], [entry_id])
        callback = await handle.response()

        assert callback.elapsed < 3.0
        assert callback.data["embeds"][0]["title"] == bundled_knowledge().entry(entry_id).title.get(
            "ja"
        )
