"""`/faq`, `/check-message` and the 「安全チェック」 shortcut: ephemeral, acked in time."""

from __future__ import annotations

import pytest

from bot.core.catalog import ui
from bot.core.replies import safety_heading
from bot.core.service import Service
from tests.adapters.slack_bot.conftest import action_ids, only_response, text_of
from tests.fakeslack import FakeSlack, pings

pytestmark = pytest.mark.asyncio(loop_scope="module")

CLIENT_MESSAGE = "今後は手数料がもったいないので、チャットワークで直接契約しましょう。<!channel>"


async def test_faq_answers_only_the_asker(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    entry = service.engines.matcher.answer("納品はどこからすればいい？").entry
    assert entry is not None

    visible_before = len(fake.messages_in(fake.channel))
    handle = await fake.slash_command("/faq", "納品はどこからすればいい？", channel=fake.channel)
    reply = await only_response(handle)

    assert reply["is_ephemeral"] and reply["for_user"] == fake.user.id
    assert reply["channel"] == fake.channel.id
    assert reply["blocks"][0]["text"]["text"] == entry.title.get("ja")
    assert len(fake.messages_in(fake.channel)) == visible_before, "nothing posted for all"


async def test_faq_in_english_and_without_a_question(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    entry = service.engines.matcher.answer("how do I deliver").entry
    assert entry is not None
    reply = await only_response(await fake.slash_command("/faq", "how do I deliver"))
    assert reply["blocks"][0]["text"]["text"] == entry.title.get("en")

    empty = await only_response(await fake.slash_command("/faq", "  "))
    assert ui("empty_question", "ja") in text_of(empty) and empty["is_ephemeral"]


async def test_check_message_finds_the_trap(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    report = service.engines.safety.check(CLIENT_MESSAGE)
    assert report.risk == "danger" and report.findings

    reply = await only_response(await fake.slash_command("/check-message", CLIENT_MESSAGE))

    assert reply["is_ephemeral"]
    assert reply["blocks"][0]["text"]["text"] == safety_heading(report)
    for finding in report.findings:
        assert finding.rule in text_of(reply)
    assert report.reply_template and report.reply_template.strip()[:20] in text_of(reply)
    assert pings(reply) == []


async def test_check_message_without_a_message_says_how(fake: FakeSlack, slack_app: None) -> None:
    reply = await only_response(await fake.slash_command("/check-message", " "))
    assert reply["is_ephemeral"] and text_of(reply).startswith(ui("check_message_usage", "ja"))


async def test_the_safety_shortcut_checks_the_chosen_message(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    client = fake.add_user("client")
    fake.channel.members.add(client.id)
    posted = fake.user_posts(client, fake.channel, CLIENT_MESSAGE)
    expected = service.engines.safety.check(CLIENT_MESSAGE)

    reply = await only_response(await fake.message_shortcut("safety_check", posted))

    assert reply["is_ephemeral"] and reply["for_user"] == fake.user.id
    assert reply["channel"] == fake.channel.id
    assert reply["blocks"][0]["text"]["text"] == safety_heading(expected)
    assert action_ids(reply) == []

    quiet = fake.user_posts(client, fake.channel, "納品物を確認しました。ありがとうございます。")
    calm = await only_response(await fake.message_shortcut("safety_check", quiet))
    assert calm["blocks"][0]["text"]["text"] == safety_heading(
        service.engines.safety.check(quiet["text"])
    )


async def test_the_shortcut_on_a_message_without_text(fake: FakeSlack, slack_app: None) -> None:
    image_only = fake.user_posts(fake.user, fake.channel, "")
    reply = await only_response(await fake.message_shortcut("safety_check", image_only))
    assert reply["is_ephemeral"] and ui("no_text", "ja") in text_of(reply)


async def test_every_envelope_was_acked_within_the_deadline(
    fake: FakeSlack, slack_app: None
) -> None:
    handles = list(fake.envelopes.values())
    assert handles, "the tests above sent envelopes"
    assert all(h.late_ack is None for h in handles)
    assert all(h.ack is not None and h.ack.elapsed < fake.ack_deadline for h in handles)
