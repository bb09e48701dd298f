"""The same answers through Discord as through `ask`, over the project's own question set."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from bot.core.matcher import Answer
from bot.core.service import Service
from tests.adapters.discord_bot.conftest import ask_in_dm, custom_ids
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUESTIONS = Path(__file__).parents[2] / "fixtures" / "eval_questions.yaml"


def expected_reply(answer: Answer) -> dict[str, object]:
    """What the DM should show for the answer `ask` gives."""
    lang = answer.lang
    if answer.entry is not None:
        return {"title": answer.entry.title.get(lang)}
    if answer.suggestions:
        return {
            "content": ui("did_you_mean", lang),
            "buttons": [f"cs:faq:{entry.id}:{lang}" for entry in answer.suggestions],
        }
    return {"content": ui("no_answer", lang)}


async def test_every_question_gets_the_answer_ask_gives(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    questions = [case["q"] for case in yaml.safe_load(QUESTIONS.read_text("utf-8"))["cases"]]
    matcher = Service().engines.matcher
    asker = fake.add_user("evaluator")

    mismatches = []
    for question in questions:
        expected = expected_reply(matcher.answer(question))
        reply = await ask_in_dm(fake, asker, question)
        if "title" in expected:
            got: dict[str, object] = {"title": (reply["embeds"] or [{}])[0].get("title")}
        else:
            got = {"content": reply["content"]}
            if "buttons" in expected:
                got["buttons"] = [i for i in custom_ids(reply) if i.startswith("cs:faq:")]
        if got != expected:
            mismatches.append((question, expected, got))

    assert mismatches == []
    answered = sum(1 for q in questions if matcher.answer(q).entry is not None)
    assert answered >= 0.8 * len(questions), "the question set no longer exercises answers"
