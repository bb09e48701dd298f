"""The fake works with the real slack_sdk / slack_bolt: real AsyncApp, real sockets, real acks."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakeslack import FakeSlack, all_texts, block_errors, pings
from tests.fakeslack.fixtures import fake_slack_fixture, running_app  # noqa: F401

MANIFEST: dict[str, Any] = {
    "features": {
        "slash_commands": [{"command": "/faq"}],
        "shortcuts": [{"type": "message", "callback_id": "safety_check", "name": "安全チェック"}],
    },
    "oauth_config": {"scopes": {"bot": ["chat:write", "commands", "im:history"]}},
    "settings": {
        "event_subscriptions": {"bot_events": ["message.im"]},
        "interactivity": {"is_enabled": True},
        "socket_mode_enabled": True,
    },
}


def web_client(fake: FakeSlack, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or fake.bot_token, base_url=fake.api_base)


def make_app(fake: FakeSlack) -> AsyncApp:
    return AsyncApp(client=web_client(fake))


def question_blocks(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "next",
                    "text": {"type": "plain_text", "text": "次へ"},
                    "value": "step-2",
                }
            ],
        },
    ]


async def test_dm_round_trip_and_the_bots_own_message_is_ignored(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)

    @app.event("message")
    async def answer(event: dict[str, Any], say: Any) -> None:
        await say(text=f"echo: {event['text']}", blocks=question_blocks(event["text"]))

    async with running_app(app, fake_slack):
        handle = await fake_slack.send_dm(fake_slack.user, "仮払いって何？")
        ack = await handle.acked()
        post = await fake_slack.wait_for_call("chat.postMessage")
        echo = await fake_slack.wait_until(
            lambda: [h for h in fake_slack.envelopes.values() if h is not handle],
            what="the bot's own message delivered back as message.im",
        )
        await echo[0].acked()

    im = fake_slack.im(fake_slack.user)
    assert ack.elapsed < fake_slack.ack_deadline and ack.payload is None
    assert handle.payload["event"]["channel_type"] == "im"
    assert post.ok and post.authorized_with(fake_slack.bot_token)
    assert fake_slack.bot_token not in repr(post)
    assert post.args["channel"] == im.id
    _question, reply = fake_slack.messages_in(im)
    assert reply["text"] == "echo: 仮払いって何？" and reply["bot_id"] == fake_slack.bot_id
    assert echo[0].payload["event"]["bot_id"] == fake_slack.bot_id
    assert [c.method for c in fake_slack.calls].count("chat.postMessage") == 1
    assert {"auth.test", "apps.connections.open"} <= {c.method for c in fake_slack.calls}
    assert fake_slack.unhandled == [] and fake_slack.stray_acks == []


async def test_mention_in_a_thread_and_who_a_reply_pings(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)

    @app.event("app_mention")
    async def answer(event: dict[str, Any], say: Any) -> None:
        await say(text=f"re: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    async with running_app(app, fake_slack):
        parent = fake_slack.user_posts(fake_slack.user, fake_slack.channel, "質問です")
        text = f"{fake_slack.bot_user.mention} <!channel> 直接契約って？"
        handle = await fake_slack.mention(fake_slack.user, text, thread_ts=parent["ts"])
        post = await fake_slack.wait_for_call("chat.postMessage")
        await handle.acked()

    assert handle.payload["event"]["type"] == "app_mention"
    assert post.args["thread_ts"] == parent["ts"]
    reply = fake_slack.messages_in(fake_slack.channel)[-1]
    assert pings(reply) == ["channel", fake_slack.bot_user.id]
    assert pings({"text": "&lt;!channel&gt; @here"}) == []
    assert pings({"text": "@here", "link_names": True}) == ["here"]
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"}}
    assert pings({"text": "", "blocks": [section]}) == ["here"]
    plain = {"type": "header", "text": {"type": "plain_text", "text": "<!here>"}}
    assert pings({"text": "", "blocks": [plain]}) == [] and all_texts([plain]) == ["<!here>"]


async def test_no_app_mention_where_the_bot_is_not_a_member(fake_slack: FakeSlack) -> None:
    elsewhere = fake_slack.add_channel("random", members=[fake_slack.user], bot=False)
    with pytest.raises(LookupError, match="not in #random"):
        await fake_slack.mention(fake_slack.user, "hi", channel=elsewhere, timeout=0.1)
    client = web_client(fake_slack)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=elsewhere.id, text="hello")
    assert refused.value.response["error"] == "not_in_channel"


async def test_slash_command_ack_payload_and_response_url(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)

    @app.command("/faq")
    async def faq(ack: Any, command: dict[str, Any], respond: Any) -> None:
        if command["text"] == "fast":
            await ack(text="すぐ答えます")
            return
        await ack()
        await respond(text=f"answer: {command['text']}", blocks=question_blocks("答え"))

    async with running_app(app, fake_slack):
        fast = await fake_slack.slash_command("/faq", "fast")
        (quick,) = await fast.responses()
        slow = await fake_slack.slash_command("/faq", "仮払い", channel=fake_slack.channel)
        (answer,) = await slow.responses()
        await slow.acked()

    assert quick["text"] == "すぐ答えます" and quick["is_ephemeral"]
    assert [c.method for c in fake_slack.calls if c.method in ("ack", "response_url")] == [
        "ack",
        "response_url",
    ]
    assert answer["is_ephemeral"] and answer["for_user"] == fake_slack.user.id
    assert answer["channel"] == fake_slack.channel.id
    assert fake_slack.ephemerals_for(fake_slack.user, fake_slack.channel) == [answer]
    assert fake_slack.messages_in(fake_slack.channel) == []


async def test_clicks_on_an_ephemeral_message_replace_it(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)
    clicks: list[dict[str, Any]] = []

    @app.command("/faq")
    async def faq(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="step 1", blocks=question_blocks("ステップ1"))

    @app.action("next")
    async def next_step(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        clicks.append(body)
        await respond(text="step 2", blocks=question_blocks("ステップ2"), replace_original=True)

    async with running_app(app, fake_slack):
        command = await fake_slack.slash_command("/faq")
        (shown,) = await command.responses()
        first = await fake_slack.click(shown, "next")
        (replaced,) = await first.responses()
        second = await fake_slack.click(shown, "next")
        await second.responses()

    assert replaced is shown and shown["text"] == "step 2" and "edited" in shown
    assert len(fake_slack.ephemerals_for(fake_slack.user)) == 1
    assert clicks[0]["container"]["is_ephemeral"] is True
    assert "message" not in clicks[0]
    assert clicks[0]["actions"][0]["value"] == "step-2"
    with pytest.raises(LookupError, match="no button 'back'"):
        await fake_slack.click(shown, "back")
    with pytest.raises(LookupError, match="cannot see"):
        await fake_slack.click(shown, "next", user=fake_slack.add_user("hanako"))


async def test_chat_update_and_the_limits_of_a_response_url(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    im = fake_slack.im(fake_slack.user)
    posted = await client.chat_postMessage(channel=fake_slack.user.id, text="v1")
    await client.chat_update(channel=im.id, ts=posted["ts"], text="v2")
    ephemeral = await client.chat_postEphemeral(
        channel=fake_slack.channel.id, user=fake_slack.user.id, text="only you"
    )
    with pytest.raises(SlackApiError) as refused:
        await client.chat_update(
            channel=fake_slack.channel.id, ts=ephemeral["message_ts"], text="x"
        )
    assert refused.value.response["error"] == "message_not_found"
    assert fake_slack.messages_in(im)[0]["text"] == "v2"

    app = make_app(fake_slack)

    @app.command("/faq")
    async def faq(ack: Any) -> None:
        await ack()

    async with running_app(app, fake_slack):
        handle = await fake_slack.slash_command("/faq")
        await handle.acked()
    url = handle.payload["response_url"]
    async with aiohttp.ClientSession() as session:
        statuses = []
        for _ in range(6):
            async with session.post(url, json={"text": "hi"}) as response:
                statuses.append((response.status, (await response.json())["ok"]))
        async with session.post(f"{fake_slack.url}/response/nope", json={"text": "x"}) as response:
            assert response.status == 404
    assert statuses == [(200, True)] * 5 + [(404, False)]
    assert fake_slack.calls[-2].error == "used_url"


async def test_web_api_refuses_what_slack_refuses(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    channel = fake_slack.channel.id

    async def error_of(call: Any) -> str:
        with pytest.raises(SlackApiError) as refused:
            await call
        return refused.value.response["error"]

    header = {"type": "header", "text": {"type": "plain_text", "text": "あ" * 151}}
    assert await error_of(
        client.chat_postMessage(channel=channel, text="見出し", blocks=[header])
    ) == ("invalid_blocks")
    with pytest.warns(UserWarning, match="text"):
        assert await error_of(client.chat_postMessage(channel=channel, text="")) == "no_text"
    assert await error_of(client.chat_postMessage(channel=channel, text="x" * 40_001)) == (
        "msg_too_long"
    )
    assert await error_of(client.chat_postMessage(channel="C404", text="x")) == (
        "channel_not_found"
    )
    assert await error_of(web_client(fake_slack, "xoxb-wrong").auth_test()) == "invalid_auth"
    assert await error_of(web_client(fake_slack, fake_slack.app_token).auth_test()) == (
        "not_allowed_token_type"
    )
    assert await error_of(client.apps_connections_open(app_token=fake_slack.bot_token)) == (
        "not_allowed_token_type"
    )
    assert await error_of(client.api_call("conversations.kick")) == "unknown_method"
    fake_slack.fail_next("chat.postMessage", "ratelimited")
    assert await error_of(client.chat_postMessage(channel=channel, text="x")) == "ratelimited"
    await client.chat_postMessage(channel=channel, text="x")

    assert [c.method for c in fake_slack.unhandled] == ["conversations.kick"]
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake_slack.api_base}auth.test") as response:
            assert (await response.json())["error"] == "not_authed"
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    invalid = next(c for c in fake_slack.calls if c.error == "invalid_blocks")
    assert invalid.response["errors"] == [
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]"
    ]


def test_block_kit_limits() -> None:
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x"}}
    too_long_button = {**button, "action_id": "b", "text": {"type": "plain_text", "text": "x" * 76}}
    assert block_errors([{"type": "divider"}] * 50) == []
    assert block_errors([{"type": "divider"}] * 51) == [
        "no more than 50 items allowed [json-pointer:/blocks]"
    ]
    assert block_errors([{"type": "actions", "elements": [button, too_long_button, button]}]) == [
        "must be less than 76 characters [json-pointer:/blocks/0/elements/1/text/text]",
        "duplicate action_id 'a' [json-pointer:/blocks/0/elements/2/action_id]",
    ]
    assert block_errors([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]) == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    assert block_errors([{"type": "actions", "elements": [button] * 26}])[0] == (
        "no more than 25 items allowed [json-pointer:/blocks/0/elements]"
    )
    assert block_errors([{"type": "sectoin"}]) == [
        "unsupported type: 'sectoin' [json-pointer:/blocks/0/type]"
    ]
    assert block_errors(
        [{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}]
    ) == ["duplicate block_id 'x' [json-pointer:/blocks/1/block_id]"]
    assert block_errors([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]) == [
        "must be a text object of type plain_text [json-pointer:/blocks/0/text]"
    ]


async def test_manifest_limits_what_the_app_can_do() -> None:
    async with FakeSlack(manifest=MANIFEST) as fake:
        app = make_app(fake)
        checked: list[dict[str, Any]] = []

        @app.shortcut("safety_check")
        async def check(ack: Any, shortcut: dict[str, Any], respond: Any) -> None:
            await ack()
            checked.append(shortcut)
            await respond(text="安全チェックの結果")

        async with running_app(app, fake):
            client_message = fake.user_posts(fake.user, fake.channel, "LINEで話しましょう")
            handle = await fake.message_shortcut("safety_check", client_message)
            (result,) = await handle.responses()
            with pytest.raises(LookupError, match="/chatwork-safe"):
                await fake.slash_command("/chatwork-safe")
            with pytest.raises(LookupError, match="not a message shortcut"):
                await fake.message_shortcut("other", client_message)
            with pytest.raises(LookupError, match="app_mention"):
                await fake.mention(fake.user, f"{fake.bot_user.mention} hi")

    assert checked[0]["message"]["text"] == "LINEで話しましょう"
    assert checked[0]["message_ts"] == client_message["ts"]
    assert result["is_ephemeral"] and result["channel"] == fake.channel.id

    async with FakeSlack(manifest={**MANIFEST, "oauth_config": {}}) as fake:
        with pytest.raises(SlackApiError) as refused:
            await web_client(fake).chat_postMessage(channel=fake.channel.id, text="x")
    assert refused.value.response["error"] == "missing_scope"
    assert refused.value.response["needed"] == "chat:write"


async def test_a_late_ack_fails_the_envelopes_ack() -> None:
    async with FakeSlack(ack_deadline=0.2) as fake:
        app = make_app(fake)

        @app.command("/faq")
        async def slow(ack: Any) -> None:
            await asyncio.sleep(0.4)
            await ack()

        async with running_app(app, fake):
            handle = await fake.slash_command("/faq")
            with pytest.raises(AssertionError, match="Slack gives up after"):
                await handle.acked()
            await fake.wait_until(lambda: handle.late_ack, what="the late ack")

    assert handle.ack is None and handle.late_ack.elapsed >= 0.4


async def test_the_app_reconnects_when_asked_and_when_dropped(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)
    seen: list[str] = []

    @app.event("message")
    async def note(event: dict[str, Any]) -> None:
        seen.append(event["text"])

    async with running_app(app, fake_slack):
        await fake_slack.request_reconnect()
        await fake_slack.wait_for_connection(2)
        await (await fake_slack.send_dm(fake_slack.user, "一回目")).acked()
        await fake_slack.drop_connection()
        await fake_slack.wait_for_connection(3)
        await (await fake_slack.send_dm(fake_slack.user, "二回目")).acked()

    opened = [c for c in fake_slack.calls if c.method == "apps.connections.open"]
    assert len(opened) == 3 and all(c.authorized_with(fake_slack.app_token) for c in opened)
    assert seen == ["一回目", "二回目"]
    hellos = [c for c in fake_slack.socket_mode.connections]
    assert len({c.ticket for c in hellos}) == 3


async def test_picking_an_option_of_a_static_select(fake_slack: FakeSlack) -> None:
    app = make_app(fake_slack)
    picked: list[dict[str, Any]] = []
    menu = {
        "type": "static_select",
        "action_id": "topics",
        "placeholder": {"type": "plain_text", "text": "トピックを選ぶ"},
        "options": [
            {"text": {"type": "plain_text", "text": title}, "value": value}
            for title, value in (("仮払い", "escrow"), ("納品", "delivery"))
        ],
    }

    @app.event("message")
    async def offer(say: Any) -> None:
        await say(text="選んでください", blocks=[{"type": "actions", "elements": [menu]}])

    @app.action("topics")
    async def pick(ack: Any, action: dict[str, Any], say: Any) -> None:
        await ack()
        picked.append(action)
        await say(text=f"picked {action['selected_option']['value']}")

    async with running_app(app, fake_slack):
        await fake_slack.send_dm(fake_slack.user, "?")
        offer_call = await fake_slack.wait_for_call("chat.postMessage")
        offered = fake_slack.find_message(offer_call.args["channel"], offer_call.response["ts"])
        handle = await fake_slack.select(offered, "topics", "delivery")
        await handle.acked()
        await fake_slack.wait_for_call("chat.postMessage", lambda c: "picked" in c.args["text"])
        with pytest.raises(LookupError, match="no option 'refund'"):
            await fake_slack.select(offered, "topics", "refund")

    assert picked[0]["selected_option"]["value"] == "delivery"
    assert handle.payload["message"]["ts"] == offered["ts"]
