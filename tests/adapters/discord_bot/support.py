"""Helpers for the moderator, feedback, reminder and safety-check end-to-end tests.

Bots with settings of their own come from conftest's `running_bot(fake, data_dir, **overrides)`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bot.core.knowledge import default_knowledge_dir
from tests.fakediscord import FakeDiscord, FakeUser
from tests.fakediscord.models import MEMBER_PERMISSIONS
from tests.fakediscord.records import InteractionHandle

MANAGE_GUILD = 1 << 5
EPHEMERAL = 1 << 6
DEFERRED_CHANNEL_MESSAGE = 5
CHANNEL_MESSAGE = 4
UPDATE_MESSAGE = 7
MODAL = 9


def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of every knowledge file, for tests that edit knowledge."""
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


def new_moderator(fake: FakeDiscord, name: str) -> FakeUser:
    """A guild member whose role grants Manage Server (and nothing else beyond a member's)."""
    role = fake.add_role(fake.guild, f"{name}-role", MEMBER_PERMISSIONS | MANAGE_GUILD)
    user = fake.add_user(name)
    fake.add_member(fake.guild, user, roles=[role])
    return user


async def faq_admin(
    fake: FakeDiscord, subcommand: str, user: FakeUser, **where: Any
) -> InteractionHandle:
    """`/faq-admin <subcommand>` in the guild's #general (`where`: e.g. `locale="en-US"`)."""
    return await fake.slash_command(
        "faq-admin", [{"type": 1, "name": subcommand, "options": []}], user=user, **where
    )


async def admin_reply(
    fake: FakeDiscord, subcommand: str, user: FakeUser, **where: Any
) -> dict[str, Any]:
    """The moderator's (ephemeral) answer to `/faq-admin <subcommand>`. The reply is deferred, and
    a reload trains the learned parts before it answers (some 4-6 s on a busy machine with an
    empty cache; Discord allows 15 minutes), so the follow-up gets more than the usual 5 s."""
    handle = await faq_admin(fake, subcommand, user, **where)
    callback = await handle.response()
    assert callback.type == DEFERRED_CHANNEL_MESSAGE and callback.ephemeral
    [message] = await handle.followups(timeout=30.0)
    assert message["flags"] & EPHEMERAL
    return message


def is_ephemeral(message: dict[str, Any]) -> bool:
    return bool(message["flags"] & EPHEMERAL)
