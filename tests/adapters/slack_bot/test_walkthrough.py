"""`/chatwork-safe` in Slack: every branch clicked through, the message replaced on each click."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.service import Service
from tests.adapters.slack_bot.conftest import action_ids, only_response, text_of
from tests.fakeslack import FakeSlack, FakeUser

pytestmark = pytest.mark.asyncio(loop_scope="module")


class Walker:
    """One user's `/chatwork-safe` message, clicked like a person would."""

    def __init__(self, fake: FakeSlack, user: FakeUser) -> None:
        self.fake, self.user = fake, user
        self.message: dict[str, Any] = {}

    async def start(self, text: str = "") -> dict[str, Any]:
        handle = await self.fake.slash_command(
            "/chatwork-safe", text, user=self.user, channel=self.fake.channel
        )
        self.message = await only_response(handle)
        return self.message

    @property
    def buttons(self) -> dict[str, str]:
        """{action: step id} from the action_ids (`cs:walk:<lang>:<step>:<action>`)."""
        found = {}
        for action_id in action_ids(self.message):
            if not action_id.startswith("cs:walk:"):
                continue
            _, _, _lang, step_id, action = action_id.split(":", 4)
            found[action] = step_id
        return found

    @property
    def step_id(self) -> str:
        return next(iter(self.buttons.values()))

    @property
    def actions(self) -> list[str]:
        return list(self.buttons)

    async def press(self, action: str, *, expect: str) -> None:
        action_id = next(
            a for a in action_ids(self.message) if a.endswith(f":{self.step_id}:{action}")
        )
        handle = await self.fake.click(self.message, action_id, user=self.user)
        replaced = await only_response(handle)
        assert replaced is self.message, "the click replaces the guide's message"
        assert self.step_id == expect, f"{action} led to {self.step_id}, not {expect}"


def title(service: Service, step_id: str, lang: str = "ja") -> str:
    [step] = [s for s in service.engines.walkthrough.steps if s.id == step_id]
    return step.title.get(lang)


def copy_text(service: Service, step_id: str) -> str:
    [step] = [s for s in service.engines.walkthrough.steps if s.id == step_id]
    assert step.copy_text is not None
    return step.copy_text.get("ja").strip()


async def test_main_line_with_next_back_and_start_over(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    walker = Walker(fake, fake.add_user("main-line"))
    message = await walker.start()

    assert message["is_ephemeral"] and message["for_user"] == walker.user.id
    assert walker.step_id == "contract-escrow"
    assert message["blocks"][0]["text"]["text"] == title(service, "contract-escrow")
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
    assert walker.message["is_ephemeral"], "still ephemeral after the edits"
    assert len(fake.ephemerals_for(walker.user)) == 1, "one message, replaced on each click"


async def test_escrow_not_done_branch(fake: FakeSlack, slack_app: None, service: Service) -> None:
    walker = Walker(fake, fake.add_user("no-escrow"))
    await walker.start()

    await walker.press("choice:1", expect="escrow-not-done")
    assert "仮払いが済むまでは" in text_of(walker.message)
    assert copy_text(service, "escrow-not-done") in text_of(walker.message)
    await walker.press("choice:0", expect="apply-and-wait")
    await walker.press("back", expect="escrow-not-done")
    await walker.press("back", expect="contract-escrow")


@pytest.mark.parametrize(
    ("choice", "branch", "then", "lands"),
    [
        ("choice:2", "decline", "choice:0", "summary"),
        ("choice:3", "direct-contract", "choice:1", "contract-escrow"),
    ],
)
async def test_decline_and_direct_contract_branches_give_a_text_to_copy(
    fake: FakeSlack,
    slack_app: None,
    service: Service,
    choice: str,
    branch: str,
    then: str,
    lands: str,
) -> None:
    walker = Walker(fake, fake.add_user(f"branch-{branch}"))
    await walker.start()

    await walker.press(choice, expect=branch)
    assert f"```{copy_text(service, branch)}" in text_of(walker.message).replace("\n```", "```")
    await walker.press(then, expect=lands)


async def test_running_it_again_resumes_where_the_user_left_off(
    fake: FakeSlack, slack_app: None
) -> None:
    user = fake.add_user("resumer")
    first = Walker(fake, user)
    await first.start()
    await first.press("choice:0", expect="apply-and-wait")

    again = Walker(fake, user)
    await again.start()
    assert again.step_id == "apply-and-wait" and "back" in again.actions

    await first.press("choice:0", expect="chatwork-setup")
    assert first.step_id == "chatwork-setup", "the earlier message's buttons still work"


async def test_progress_is_per_workspace_user(fake: FakeSlack, slack_app: None) -> None:
    ahead, newcomer = fake.add_user("ahead"), fake.add_user("newcomer")
    walker = Walker(fake, ahead)
    await walker.start()
    await walker.press("choice:0", expect="apply-and-wait")

    other = Walker(fake, newcomer)
    await other.start()
    assert other.step_id == "contract-escrow"


async def test_steps_and_buttons_in_english(
    fake: FakeSlack, slack_app: None, service: Service
) -> None:
    walker = Walker(fake, fake.add_user("english"))
    message = await walker.start("english please")

    assert message["blocks"][0]["text"]["text"] == title(service, "contract-escrow", "en")
    assert all(a.startswith(("cs:walk:en:", "cs:remind:en")) for a in action_ids(message))
    await walker.press("choice:0", expect="apply-and-wait")
    assert walker.message["blocks"][0]["text"]["text"] == title(service, "apply-and-wait", "en")
