"""A cold start: a safety check that comes before the learned stages are trained is
acknowledged within Discord's 3 s, then answered once the check is done."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.core.catalog import ui
from bot.core.service import Engines
from tests.adapters.discord_bot.conftest import answered_in_time, new_member, running_bot
from tests.adapters.discord_bot.support import DEFERRED_CHANNEL_MESSAGE
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")

DIRECT_CONTRACT = "手数料がもったいないので直接契約しませんか"


async def test_a_check_before_the_training_ends_is_deferred_then_answered(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's training is held back, as on a slow cold start: the check trains what it
    needs in a worker thread while the interaction is already acknowledged."""
    release = threading.Event()
    train = Engines.train

    def held(engines: Engines) -> None:
        release.wait(60)
        train(engines)

    monkeypatch.setattr(Engines, "train", held)
    try:
        async with running_bot(fake, tmp_path):
            client, freelancer = (
                new_member(fake, "client-cold"),
                new_member(fake, "freelancer-cold"),
            )
            risky = await fake.send_guild_message(fake.channel, client, DIRECT_CONTRACT)
            handle = await fake.context_menu_message("Safety check", risky, user=freelancer)
            callback = await answered_in_time(handle)
            assert callback.type == DEFERRED_CHANNEL_MESSAGE and callback.ephemeral
            [message] = await handle.followups(timeout=60.0)
            assert message["embeds"][0]["title"] == ui("risk_danger", "ja")
    finally:
        release.set()
