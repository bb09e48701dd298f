"""Block Kit rendering: every entry, step and safety report fits Slack's limits; text is escaped."""

from __future__ import annotations

import pytest
import yaml

from bot.adapters.slack_bot.blocks import (
    SECTION_TEXT_LIMIT,
    answer_message,
    escape,
    safety_message,
    sections,
    walk_message,
)
from bot.core.assistant import WalkState
from bot.core.schema import Lang
from bot.core.service import Service
from bot.core.walkthrough import Progress
from tests.adapters.slack_bot.conftest import ROOT
from tests.fakeslack import block_errors, pings

LANGS: tuple[Lang, ...] = ("ja", "en")


def test_escape_neutralises_mentions_and_broadcasts() -> None:
    text = "A&B <!channel> <@U123> <https://evil.example|click>"
    escaped = escape(text)
    assert escaped == ("A&amp;B &lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt;")
    assert pings({"text": escaped}) == []


def test_long_text_is_split_at_line_breaks_within_the_section_limit() -> None:
    text = "\n".join(f"{n:04d} " + "あ" * 95 for n in range(80))
    blocks = sections(text)
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_LIMIT for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text


def test_a_hard_split_never_cuts_an_escape_in_half() -> None:
    text = "a" * (SECTION_TEXT_LIMIT - 2) + "&&&"
    pieces = [b["text"]["text"] for b in sections(text)]
    assert "".join(pieces) == escape(text)
    assert all(not p.endswith(("&", "&a", "&am", "&amp")) for p in pieces)


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_renders_within_slacks_limits(lang: Lang) -> None:
    service = Service()
    matcher = service.engines.matcher
    for entry in matcher.entries:
        answer = matcher.answer_for(entry, lang)
        related = [e for e in matcher.entries if e.id in entry.related]
        message = answer_message(answer, related, matcher.entries)
        assert block_errors(message.blocks) == [], entry.id
        assert message.text


@pytest.mark.parametrize("lang", LANGS)
def test_suggestions_and_the_topic_menu_render_within_slacks_limits(lang: Lang) -> None:
    matcher = Service().engines.matcher
    for question in ("連絡", "今日の天気は？", "weather today"):
        message = answer_message(matcher.answer(question, lang), [], matcher.entries)
        assert block_errors(message.blocks) == [], question


@pytest.mark.parametrize("lang", LANGS)
def test_every_walkthrough_step_renders_within_slacks_limits(lang: Lang) -> None:
    walkthrough = Service().engines.walkthrough
    for step in walkthrough.steps:
        message = walk_message(WalkState.at(walkthrough.state(Progress(step.id))), lang)
        assert block_errors(message.blocks) == [], step.id
        action_ids = [
            e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
        ]
        walk = [a for a in action_ids if a.startswith(f"cs:walk:{lang}:{step.id}:")]
        assert len(walk) == len(walkthrough.state(Progress(step.id)).actions)
        assert (f"cs:remind:{lang}" in action_ids) == step.offers_reminder


def test_every_safety_report_of_the_fixtures_renders_within_slacks_limits() -> None:
    safety = Service().engines.safety
    messages = [
        item["text"] if isinstance(item, dict) else item
        for path in sorted((ROOT / "tests" / "fixtures").glob("*messages*.yaml"))
        for item in _items(yaml.safe_load(path.read_text(encoding="utf-8")))
    ]
    assert len(messages) > 20
    for text in messages:
        message = safety_message(safety.check(text))
        assert block_errors(message.blocks) == [], text


def _items(document: object) -> list[object]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        return next((v for v in document.values() if isinstance(v, list)), [])
    return []
