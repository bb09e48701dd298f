"""「安全チェック」 (message context menu) and `/check-message`: ephemeral findings, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from tests.adapters.discord_bot.conftest import answered_in_time, new_member
from tests.adapters.discord_bot.support import CHANNEL_MESSAGE
from tests.fakediscord import FakeDiscord
from tests.fakediscord.gateway import INTENT_MESSAGE_CONTENT
from tests.fakediscord.records import InteractionCallback

pytestmark = pytest.mark.asyncio(loop_scope="module")

DIRECT_CONTRACT = "手数料がもったいないので直接契約しませんか"
ORDINARY = "納品物は明日の18時までにお願いします。よろしくお願いします。"
DANGER_RED, NONE_GREEN = 0xC62828, 0x2E7D32
MESSAGE_COMMAND = 3


def findings(callback: InteractionCallback) -> list[dict[str, Any]]:
    return callback.data["embeds"][0].get("fields", [])


def assert_direct_contract_danger(callback: InteractionCallback, lang: str = "ja") -> None:
    assert callback.type == CHANNEL_MESSAGE and callback.ephemeral
    report, template = callback.data["embeds"]
    assert report["title"] == ui("risk_danger", lang)
    assert report["color"] == DANGER_RED
    [finding] = findings(callback)
    assert finding["name"].startswith(f"[{ui('severity_danger', lang)}]")
    assert ui("source", lang) in finding["value"] and ui("advice", lang) in finding["value"]
    assert template["title"] == ui("reply_template", lang)
    assert template["description"].startswith("```\n") and len(template["description"]) > 20


def assert_no_finding(callback: InteractionCallback) -> None:
    assert callback.type == CHANNEL_MESSAGE and callback.ephemeral
    [report] = callback.data["embeds"]
    assert report["title"] == ui("risk_none", "ja")
    assert report["color"] == NONE_GREEN
    assert findings(callback) == []


async def test_context_menu_checks_a_clients_message_in_a_channel(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    assert not fake.intents & INTENT_MESSAGE_CONTENT, "works without Message Content"
    client, freelancer = new_member(fake, "client-sc"), new_member(fake, "freelancer-sc")
    risky = await fake.send_guild_message(fake.channel, client, DIRECT_CONTRACT)
    ordinary = await fake.send_guild_message(fake.channel, client, ORDINARY)

    [menu] = [c for c in fake.commands[None] if c.get("type") == MESSAGE_COMMAND]
    assert menu["name"] == "Safety check"
    assert menu["name_localizations"]["ja"] == "安全チェック"
    handle = await fake.context_menu_message("Safety check", risky, user=freelancer)
    assert_direct_contract_danger(await answered_in_time(handle))
    assert (await handle.final_message())["flags"] & 64

    handle = await fake.context_menu_message("Safety check", ordinary, user=freelancer)
    assert_no_finding(await answered_in_time(handle))


async def test_an_english_message_is_checked_in_english(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    client = new_member(fake, "client-sc-en")
    risky = await fake.send_guild_message(
        fake.channel, client, "Let us do a direct contract outside CrowdWorks to save fees"
    )
    handle = await fake.context_menu_message("Safety check", risky)
    assert_direct_contract_danger(await answered_in_time(handle), lang="en")


async def test_check_message_command_answers_ephemerally(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    handle = await fake.slash_command("check-message", {"text": DIRECT_CONTRACT})
    assert_direct_contract_danger(await answered_in_time(handle))

    handle = await fake.slash_command("check-message", {"text": ORDINARY})
    assert_no_finding(await answered_in_time(handle))

    handle = await fake.slash_command(
        "check-message",
        {"text": "作業詳細はチャットワークで話します。IDを教えてください"},
        channel=fake.dm_channel(fake.user),
    )
    callback = await answered_in_time(handle)
    assert callback.ephemeral, "ephemeral in DMs too"
    assert callback.data["embeds"][0]["title"] == ui("risk_caution", "ja")
    assert findings(callback)


async def test_a_chatwork_request_offers_the_apply_first_reply_and_the_refusal(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    """The reply to send first asks to apply; declining is offered beside it (issue 9)."""
    handle = await fake.slash_command(
        "check-message", {"text": "今後のやり取りはチャットワークでお願いできますか"}
    )
    callback = await answered_in_time(handle)
    _, reply, alternative = callback.data["embeds"]
    assert reply["title"] == ui("reply_template", "ja") and "申請" in reply["description"]
    assert alternative["title"] == ui("alternative_template", "ja")
    assert alternative["description"].startswith("```\n")


async def test_checking_stores_nothing(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    """What moderators would see (the reports read the bot's own store) does not change."""
    before = await bot.assistant.stats_report("en"), await bot.assistant.gaps_report("en")
    handle = await fake.slash_command("check-message", {"text": "今日の東京の天気はどうですか"})
    await answered_in_time(handle)
    after = await bot.assistant.stats_report("en"), await bot.assistant.gaps_report("en")
    assert after == before


async def test_a_message_without_text_is_explained(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    client = new_member(fake, "client-sc-empty")
    empty = await fake.send_guild_message(fake.channel, client, "")
    handle = await fake.context_menu_message("Safety check", empty)
    callback = await answered_in_time(handle)
    assert callback.ephemeral and callback.content == ui("no_text", "ja")
    assert fake.unhandled == []
