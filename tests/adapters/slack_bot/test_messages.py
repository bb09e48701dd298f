"""DMs and mentions: answered with the entry's facts, suggestions, the topic menu, no pings."""

from __future__ import annotations

import pytest

from bot.core.catalog import ui
from bot.core.replies import footer
from bot.core.service import Service
from tests.adapters.slack_bot.conftest import action_ids, reply_to_dm, text_of
from tests.fakeslack import FakeSlack, pings

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_dm_gets_the_entrys_title_answer_source_and_date(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    expected = service.engines.matcher.answer("チャットワークは無料ですか")
    entry = expected.entry
    assert entry is not None and entry.id == "chatwork-price"

    reply = await reply_to_dm(fake, fake.user, "チャットワークは無料ですか")

    header, *rest = reply["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": entry.title.get("ja"), "emoji": True},
    }
    body = "\n".join(b["text"]["text"] for b in rest if b["type"] == "section")
    assert body == entry.answer.get("ja").strip()
    assert footer(entry, "ja") in text_of(reply)
    assert entry.as_of and entry.as_of in text_of(reply)
    assert reply["channel"] == fake.im(fake.user).id and "thread_ts" not in reply


async def test_the_apps_own_reply_is_not_answered(fake: FakeSlack, slack_app: None) -> None:
    user = fake.add_user("once")
    await reply_to_dm(fake, user, "仮払いって何？")
    echoes = await fake.wait_until(
        lambda: [
            h
            for h in fake.envelopes.values()
            if h.payload.get("event", {}).get("bot_id") and h.ack is not None
        ],
        what="the app's own IM message delivered back and acked",
    )

    assert echoes
    replies = [m for m in fake.messages_in(fake.im(user)) if m.get("bot_id")]
    assert len(replies) == 1


async def test_unsure_answers_offer_suggestions_as_buttons(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    question = "連絡"
    expected = service.engines.matcher.answer(question)
    assert expected.tier == "suggest" and expected.suggestions

    reply = await reply_to_dm(fake, fake.user, question)
    assert "もしかして" in text_of(reply)
    assert action_ids(reply) == [f"cs:faq:{entry.id}:ja" for entry in expected.suggestions]

    chosen = expected.suggestions[0]
    click = await fake.click(reply, f"cs:faq:{chosen.id}:ja")
    await click.acked()
    (answer,) = await click.responses()
    assert answer["blocks"][0]["text"]["text"] == chosen.title.get("ja")
    assert not answer.get("is_ephemeral"), "in a DM the chosen answer is an ordinary message"


async def test_no_answer_offers_the_topic_menu(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    question = "今日の天気は？"
    assert service.engines.matcher.answer(question).tier == "none"

    reply = await reply_to_dm(fake, fake.user, question)
    [menu] = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    topics = service.engines.matcher.entries
    assert menu["type"] == "static_select" and menu["action_id"] == "cs:topics:ja"
    assert [o["value"] for o in menu["options"]] == [e.id for e in topics][:100]

    picked = await fake.select(reply, "cs:topics:ja", topics[1].id)
    await picked.acked()
    (answer,) = await picked.responses()
    assert answer["blocks"][0]["text"]["text"] == topics[1].title.get("ja")


async def test_a_mention_is_answered_in_the_channel_and_in_its_thread(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    entry = service.engines.matcher.answer("仮払い前にIDを教えてもいい？").entry
    assert entry is not None
    after = fake.mark()
    handle = await fake.mention(fake.user, f"{fake.bot_user.mention} 仮払い前にIDを教えてもいい？")
    await handle.acked()
    post = await fake.wait_for_call("chat.postMessage", after=after)

    assert post.args["channel"] == fake.channel.id and not post.args.get("thread_ts")
    reply = fake.messages_in(fake.channel)[-1]
    assert reply["blocks"][0]["text"]["text"] == entry.title.get("ja")

    parent = fake.user_posts(fake.user, fake.channel, "スレッドで質問します")
    after = fake.mark()
    await fake.mention(
        fake.user, f"{fake.bot_user.mention} 納品はどこから？", thread_ts=parent["ts"]
    )
    threaded = await fake.wait_for_call("chat.postMessage", after=after)
    assert threaded.args["thread_ts"] == parent["ts"]


@pytest.mark.parametrize(
    "question",
    [
        "<!channel> チャットワークは無料ですか",
        "<!here|here> <!everyone> 今日の天気は？",
        "<@U0000000002> &lt;!channel&gt; 連絡",
        "<!subteam^S123|@team> チャットワークとは？ <@U0000000002|taro>",
    ],
)
async def test_no_mention_or_broadcast_from_the_question_is_echoed(
    fake: FakeSlack, slack_app: None, question: str
) -> None:
    after = fake.mark()
    handle = await fake.mention(fake.user, f"{fake.bot_user.mention} {question}")
    await handle.acked()
    post = await fake.wait_for_call("chat.postMessage", after=after)
    dm_reply = await reply_to_dm(fake, fake.user, question)

    for reply in (fake.messages_in(fake.channel)[-1], dm_reply):
        assert pings(reply) == [], text_of(reply)
        assert "<!" not in text_of(reply) and "<@" not in text_of(reply)
    assert post.ok


async def test_a_failure_is_logged_and_the_user_told(
    fake: FakeSlack, slack_app: None, caplog: pytest.LogCaptureFixture
) -> None:
    user = fake.add_user("unlucky")
    fake.fail_next("chat.postMessage", "internal_error")
    after = fake.mark()
    handle = await fake.send_dm(user, "チャットワークは無料ですか")
    await handle.acked()
    told = await fake.wait_for_call("chat.postMessage", lambda c: c.ok, after=after)

    assert told.args["text"] == ui("error", "ja")
    assert told.args["channel"] == fake.im(user).id
    [failure] = [r for r in caplog.records if r.name == "bot.adapters.slack_bot.app"]
    assert failure.exc_info and "internal_error" in str(failure.exc_info[1])
