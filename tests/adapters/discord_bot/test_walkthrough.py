"""`/chatwork-safe`: every branch clicked through as a user would, on the real bot."""

from __future__ import annotations

import pytest

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from tests.adapters.discord_bot.conftest import (
    EPHEMERAL,
    MESSAGE_RESPONSE,
    Walker,
    answered_in_time,
    custom_ids,
    new_member,
    step,
)
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")


def copy_block(bot: ChatworkSafeBot, step_id: str) -> str:
    return f"```\n{step(step_id).copy_text.get('ja').rstrip()}"


async def test_main_line_with_next_back_and_start_over(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    walker = Walker(fake, bot, new_member(fake, "main-line"))
    callback = await walker.start()

    assert callback.ephemeral, "ephemeral in a server"
    assert walker.step_id == "contract-escrow"
    assert walker.embed["title"] == step("contract-escrow").title.get("ja")
    assert walker.actions == ["choice:0", "choice:1", "choice:2", "choice:3"]

    await walker.press("choice:0", expect="apply-and-wait")
    assert {"back", "restart"} <= set(walker.actions)
    await walker.press("choice:0", expect="chatwork-setup")
    await walker.press("next", expect="conduct")
    await walker.press("choice:0", expect="delivery")
    await walker.press("next", expect="summary")
    assert walker.actions == ["back", "restart"], "the checklist is the end"
    await walker.press("back", expect="delivery")
    await walker.press("restart", expect="contract-escrow")
    assert walker.actions == ["choice:0", "choice:1", "choice:2", "choice:3"]
    assert walker.current["flags"] & EPHEMERAL, "still ephemeral after the edits"


async def test_escrow_not_done_branch(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    walker = Walker(fake, bot, new_member(fake, "no-escrow"))
    await walker.start()

    await walker.press("choice:1", expect="escrow-not-done")
    assert "仮払いが済むまでは" in walker.embed["description"]
    assert copy_block(bot, "escrow-not-done") in walker.embed["description"]
    await walker.press("choice:0", expect="apply-and-wait")
    await walker.press("back", expect="escrow-not-done")
    await walker.press("back", expect="contract-escrow")


async def test_not_approved_branch_from_the_waiting_step(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    """The choice comes from walkthrough.yaml alone; with the reminder it needs a second row."""
    walker = Walker(fake, bot, new_member(fake, "not-approved"))
    await walker.start(channel=fake.dm_channel(walker.user))

    await walker.press("choice:0", expect="apply-and-wait")
    assert walker.actions == ["choice:0", "choice:1", "choice:2", "back", "restart"]
    assert f"cs:remind:{walker.user.id}" in custom_ids(walker.current)
    await walker.press("choice:1", expect="not-approved")
    assert "事務局に問い合わせ" in walker.embed["description"]
    assert copy_block(bot, "not-approved") in walker.embed["description"]
    await walker.press("choice:0", expect="chatwork-setup")
    await walker.press("back", expect="not-approved")
    await walker.press("choice:1", expect="summary")


async def test_decline_branch_gives_the_template_to_copy(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    walker = Walker(fake, bot, new_member(fake, "decliner"))
    await walker.start()

    await walker.press("choice:2", expect="decline")
    assert copy_block(bot, "decline") in walker.embed["description"]
    await walker.press("choice:0", expect="summary")


async def test_direct_contract_branch(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    walker = Walker(fake, bot, new_member(fake, "direct"))
    await walker.start()

    await walker.press("choice:3", expect="direct-contract")
    assert copy_block(bot, "direct-contract") in walker.embed["description"]
    await walker.press("choice:1", expect="contract-escrow")


async def test_in_a_dm_the_guide_is_an_ordinary_message(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    user = fake.add_user("dm-walker")
    walker = Walker(fake, bot, user)
    callback = await walker.start(channel=fake.dm_channel(user))

    assert not callback.ephemeral
    await walker.press("choice:0", expect="apply-and-wait")
    assert not walker.current["flags"] & EPHEMERAL


async def test_running_it_again_resumes_where_the_user_left_off(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    user = new_member(fake, "resumer")
    first = Walker(fake, bot, user)
    await first.start()
    await first.press("choice:0", expect="apply-and-wait")

    again = Walker(fake, bot, user)
    await again.start()

    assert again.step_id == "apply-and-wait"
    assert "back" in again.actions


async def test_someone_elses_click_is_refused(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    owner, stranger = new_member(fake, "guide-owner"), new_member(fake, "stranger")
    walker = Walker(fake, bot, owner)
    await walker.start()
    before = walker.current["embeds"]

    handle = await fake.click_button(
        walker.current, f"cs:walk:{owner.id}:contract-escrow:choice:0", user=stranger
    )
    callback = await answered_in_time(handle)

    assert callback.type == MESSAGE_RESPONSE
    assert callback.ephemeral
    assert callback.content == ui("not_yours", "ja")
    assert walker.current["embeds"] == before
    assert walker.step_id == "contract-escrow"
    await walker.press("choice:0", expect="apply-and-wait")


async def test_steps_and_buttons_follow_an_english_locale(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    user = new_member(fake, "english-walker")
    handle = await fake.slash_command("chatwork-safe", user=user, locale="en-US")
    message = await handle.final_message()

    assert message["embeds"][0]["title"] == step("contract-escrow").title.get("en")
    labels = [c["label"] for row in message["components"] for c in row["components"]]
    assert labels[0] == step("contract-escrow").choices[0].label.get("en")

    click = await fake.click_button(
        message, f"cs:walk:{user.id}:contract-escrow:choice:2", user=user, locale="en-US"
    )
    await answered_in_time(click)
    stored = fake.find_message(message["id"])
    assert stored is not None
    assert stored["embeds"][0]["title"] == step("decline").title.get("en")
