"""「明日リマインドする」 in Slack: a DM when it is due, listed and cancellable in the guide;
and the upkeep a Slack-only process runs (the heartbeat `health` reads)."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.slack_bot.blocks import escape
from bot.core.catalog import ui
from bot.store import open_store
from tests.adapters.slack_bot.conftest import MANIFEST, action_ids, only_response, running_slack
from tests.fakeslack import FakeSlack

DELAY_HOURS = 0.0006
"""About two seconds: due while the test waits, yet not before it lists and cancels one."""
DELAY_SECONDS = DELAY_HOURS * 3600
"""The cancelled reminder falls due first: had it been sent, it would be there before the other."""


def reminder_dms(fake: FakeSlack, user_id: str) -> list[str]:
    """Texts the app sent to the user directly (reminders are posted to the user id)."""
    return [
        c.args["text"]
        for c in fake.calls
        if c.method == "chat.postMessage" and c.ok and c.args["channel"] == user_id
    ]


async def test_a_reminder_arrives_by_dm_and_a_cancelled_one_does_not(tmp_path: Path) -> None:
    async with FakeSlack(manifest=MANIFEST) as fake:
        async with running_slack(fake, tmp_path, reminder_delay_hours=DELAY_HOURS):
            guide = await only_response(await fake.slash_command("/chatwork-safe", "english"))
            step = next(a for a in action_ids(guide) if a.endswith(":choice:0"))
            await only_response(await fake.click(guide, step))
            assert "cs:remind:en" in action_ids(guide), "offered on the waiting step"

            scheduled = await only_response(await fake.click(guide, "cs:remind:en"))
            assert "<!date^" in scheduled["text"] and scheduled["is_ephemeral"]
            assert scheduled is not guide, "the guide itself stays"
            [cancel] = [a for a in action_ids(scheduled) if a.startswith("cs:unremind:en:")]
            reopened = await only_response(await fake.slash_command("/chatwork-safe", "english"))
            assert cancel in action_ids(reopened), "the pending reminder is listed"
            cancelled = await only_response(await fake.click(reopened, cancel))
            assert ui("remind_cancelled", "en") in cancelled["text"]

            japanese = await only_response(await fake.slash_command("/chatwork-safe"))
            await only_response(await fake.click(japanese, "cs:remind:ja"))
            await fake.wait_until(
                lambda: reminder_dms(fake, fake.user.id), timeout=3 * DELAY_SECONDS, what="the DM"
            )

        assert reminder_dms(fake, fake.user.id) == [escape(ui("remind_check_application", "ja"))]
    async with await open_store(tmp_path) as store:
        assert await store.last_beat() is not None, "a Slack-only process beats for `health`"
