"""👍 / 👎 and 「明日リマインドする」 across a restart, and the per-user rate limit, end to end.

A restart is `running_bot` twice on one data directory against the same fake: messages sent by
the first bot stay in the fake, so their buttons are clicked on the second one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord_bot.client import PLATFORM
from bot.core.catalog import ui
from bot.store import open_store
from tests.adapters.discord_bot.conftest import (
    MESSAGES,
    Walker,
    answered,
    answered_in_time,
    ask_in_dm,
    custom_ids,
    new_member,
    running_bot,
)
from tests.adapters.discord_bot.support import (
    CHANNEL_MESSAGE,
    MODAL,
    admin_reply,
    new_moderator,
)
from tests.fakediscord import FakeDiscord, FakeUser

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRICE_TITLE = "チャットワークの料金（無料？有料？）"
PRICE_QUESTION = "チャットワークは無料ですか"
INSTANT = 1e-6
"""REMINDER_DELAY_HOURS for reminders that are due at once (the poll loop still waits 30 s)."""


def text_inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for row in modal["components"]:
        inner = row.get("components") or [row.get("component")]
        found.extend(c for c in inner if c and c.get("type") == 4)
    return found


async def test_feedback_buttons_work_after_a_restart_and_ask_only_once(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    asker, fan, critic = (new_member(fake, name) for name in ("fb-asker", "fb-fan", "fb-critic"))
    async with running_bot(fake, data):
        after = fake.mark()
        await fake.send_guild_message(
            fake.channel, asker, f"{fake.bot_user.mention} {PRICE_QUESTION}"
        )
        await fake.wait_for_request("POST", MESSAGES, answered, after=after)
        answer = fake.messages_in(fake.channel)[-1]
    assert answer["embeds"][0]["title"] == PRICE_TITLE
    entry_id = "chatwork-price"
    up, down = f"cs:fb:{entry_id}:up", f"cs:fb:{entry_id}:down"
    assert custom_ids(answer)[-2:] == [up, down]

    async with running_bot(fake, data), await open_store(data) as store:
        thanks = await answered_in_time(await fake.click_button(answer, up, user=fan))
        assert thanks.type == CHANNEL_MESSAGE and thanks.ephemeral
        assert thanks.content == ui("feedback_thanks", "ja")
        vote = await store.get_feedback(PLATFORM, str(fan.id), answer["id"])
        assert vote is not None and vote.helpful and vote.entry_id == entry_id

        asked = await answered_in_time(await fake.click_button(answer, down, user=critic))
        assert asked.type == MODAL
        assert asked.data["title"] == ui("feedback_title", "ja")
        [comment_box] = text_inputs(asked.data)
        assert comment_box["required"] is False
        vote = await store.get_feedback(PLATFORM, str(critic.id), answer["id"])
        assert vote is not None and not vote.helpful, "the 👎 counts even without the modal"

        submitted = await answered_in_time(
            await fake.submit_modal(
                asked.data["custom_id"],
                {comment_box["custom_id"]: "  料金プランごとの違いが知りたかった  "},
                user=critic,
                message=answer,
            )
        )
        assert submitted.ephemeral and submitted.content == ui("feedback_thanks", "ja")
        vote = await store.get_feedback(PLATFORM, str(critic.id), answer["id"])
        assert vote is not None and vote.comment == "料金プランごとの違いが知りたかった"

        again = await answered_in_time(await fake.click_button(answer, down, user=critic))
        assert again.type == CHANNEL_MESSAGE and again.ephemeral, "a second 👎 does not ask again"
        vote = await store.get_feedback(PLATFORM, str(critic.id), answer["id"])
        assert vote is not None and vote.comment == "料金プランごとの違いが知りたかった"

        moderator = new_moderator(fake, "fb-mod")
        stats = (await admin_reply(fake, "stats", moderator, locale="en-US"))["content"]
        assert "👍 1 / 👎 1; helpful 50%" in stats
        stats = (await admin_reply(fake, "stats", moderator))["content"]
        assert "👍 1 / 👎 1; 役に立った 50%" in stats
    assert fake.unhandled == []


async def test_rate_limit_answers_with_a_notice_in_dms_and_commands(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    user, other = new_member(fake, "rl-user"), new_member(fake, "rl-other")
    notice_start = ui("rate_limited", "ja").split("{")[0]
    async with running_bot(fake, tmp_path / "data", rate_limit_count=2):
        for _ in range(2):
            reply = await ask_in_dm(fake, user, PRICE_QUESTION)
            assert reply["embeds"][0]["title"] == PRICE_TITLE
        limited = await ask_in_dm(fake, user, PRICE_QUESTION)
        assert limited["content"].startswith(notice_start)
        assert not limited["embeds"]
        seconds = int(limited["content"].split("約")[1].split("秒")[0])
        assert 1 <= seconds <= 30

        handle = await fake.slash_command("faq", {"question": PRICE_QUESTION}, user=user)
        callback = await answered_in_time(handle)
        assert callback.type == CHANNEL_MESSAGE and callback.ephemeral
        assert callback.content.startswith(notice_start)
        assert not callback.data.get("embeds")

        handle = await fake.slash_command(
            "faq", {"question": PRICE_QUESTION}, user=user, locale="en-US"
        )
        assert (await answered_in_time(handle)).content.startswith("Please wait a moment")

        other_reply = await ask_in_dm(fake, other, PRICE_QUESTION)
        assert other_reply["embeds"][0]["title"] == PRICE_TITLE, "the limit is per user"


async def reach_waiting_step(fake: FakeDiscord, bot: Any, user: FakeUser) -> Walker:
    walker = Walker(fake, bot, user)
    await walker.start(channel=fake.dm_channel(user))
    assert f"cs:remind:{user.id}" not in custom_ids(walker.current)
    await walker.press("choice:0", expect="apply-and-wait")
    return walker


async def press_remind(fake: FakeDiscord, walker: Walker) -> dict[str, Any]:
    """Click 「明日リマインドする」; returns the ephemeral confirmation."""
    user = walker.user
    [button] = [
        c
        for c in walker.current["components"][-1]["components"]
        if c["custom_id"] == f"cs:remind:{user.id}"
    ]
    assert button["label"] == ui("remind_button", "ja")
    handle = await fake.click_button(walker.current, button["custom_id"], user=user)
    callback = await answered_in_time(handle)
    assert callback.type == CHANNEL_MESSAGE and callback.ephemeral
    assert "にDMで申請状況の確認をお知らせします" in callback.content
    return await handle.final_message()


async def test_reminder_is_listed_cancellable_and_delivered_after_a_restart(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    waiting, cancelling = new_member(fake, "rm-waiting"), new_member(fake, "rm-cancelling")
    async with running_bot(fake, data, reminder_delay_hours=INSTANT) as bot:
        # The cancelled reminder is due first: had it survived, it would go out first.
        walker = await reach_waiting_step(fake, bot, cancelling)
        confirmation = await press_remind(fake, walker)
        [cancel_id] = custom_ids(confirmation)
        assert cancel_id.startswith(f"cs:unremind:{cancelling.id}:")
        cancelled = await answered_in_time(
            await fake.click_button(confirmation, cancel_id, user=cancelling)
        )
        assert cancelled.ephemeral and cancelled.content == ui("remind_cancelled", "ja")
        assert await bot.assistant.pending_reminders(str(cancelling.id)) == []

        walker = await reach_waiting_step(fake, bot, waiting)
        first = await press_remind(fake, walker)
        second = await press_remind(fake, walker)
        assert custom_ids(second) == custom_ids(first), "a second click, the same reminder"
        [pending] = await bot.assistant.pending_reminders(str(waiting.id))

        listing = Walker(fake, bot, waiting)
        await listing.start(channel=fake.dm_channel(waiting))
        assert ui("remind_pending", "ja") in listing.current["content"]
        assert f"<t:{int(pending.due_at.timestamp())}:f>" in listing.current["content"]
        assert f"cs:unremind:{waiting.id}:{pending.id}" in custom_ids(listing.current)
        assert listing.step_id == "apply-and-wait"

    after = fake.mark()
    async with running_bot(fake, data, reminder_delay_hours=INSTANT):
        opened = await fake.wait_for_request(
            "POST",
            r"/users/@me/channels",
            lambda r: str(r.json["recipient_id"]) == waiting.id,
            after=after,
        )
        assert opened.status == 200
        dm = fake.dm_channel(waiting)
        sent = await fake.wait_for_request(
            "POST", rf"/channels/{dm.id}/messages", answered, after=after
        )
        assert sent.json["content"] == ui("remind_check_application", "ja")
        cancelled_dm = fake.dm_channel(cancelling)
        assert not [
            r for r in fake.requests[after:] if r.path == f"/channels/{cancelled_dm.id}/messages"
        ], "a cancelled reminder never fires"
    assert fake.unhandled == []
