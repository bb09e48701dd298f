"""`/faq`: answers ephemerally unless public, and autocompletes with the matcher's ranking."""

from __future__ import annotations

import pytest

from bot.adapters.discord_bot.client import ChatworkSafeBot
from bot.core.catalog import ui
from tests.adapters.discord_bot.conftest import answered_in_time, bundled_knowledge
from tests.fakediscord import FakeDiscord

pytestmark = pytest.mark.asyncio(loop_scope="module")

AUTOCOMPLETE_RESULT = 8
CHOICE_LIMIT = 25


async def test_faq_answers_ephemerally_by_default(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    handle = await fake.slash_command("faq", {"question": "チャットワークは無料ですか"})
    callback = await answered_in_time(handle)

    assert callback.type == 4
    assert callback.ephemeral
    [embed] = callback.data["embeds"]
    assert embed["title"] == "チャットワークの料金（無料？有料？）"
    assert embed["footer"]["text"].startswith("出典: ")
    assert callback.data["allowed_mentions"] == {"parse": []}


async def test_faq_answers_publicly_when_asked(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    handle = await fake.slash_command(
        "faq", {"question": "チャットワークは無料ですか", "public": True}
    )
    callback = await answered_in_time(handle)

    assert not callback.ephemeral
    assert callback.data["embeds"][0]["title"] == "チャットワークの料金（無料？有料？）"


async def test_faq_follows_the_question_language_over_the_locale(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    handle = await fake.slash_command("faq", {"question": "how much does chatwork cost"})
    callback = await answered_in_time(handle)

    assert callback.data["embeds"][0]["title"] == "Chatwork price: free or paid?"


async def test_autocomplete_ranks_entries_like_the_matcher(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    handle = await fake.autocomplete("faq", {"question": "無料"}, focused="question")
    callback = await answered_in_time(handle)

    assert callback.type == AUTOCOMPLETE_RESULT
    ranked = bot.assistant.complete("無料", CHOICE_LIMIT)
    assert [choice["value"] for choice in callback.choices] == [entry.id for entry in ranked]
    assert callback.choices[0] == {
        "name": "チャットワークの料金（無料？有料？）",
        "value": "chatwork-price",
    }


async def test_autocomplete_ranks_by_reading_too(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    """Typed in hiragana, のうひん (納品) offers the delivery entry first."""
    handle = await fake.autocomplete("faq", {"question": "のうひん"}, focused="question")
    callback = await answered_in_time(handle)

    assert callback.type == AUTOCOMPLETE_RESULT
    assert callback.choices[0]["value"] == "deliver-on-both"


async def test_autocomplete_names_follow_the_locale_unless_the_text_says_otherwise(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    knowledge = bundled_knowledge()
    empty = await answered_in_time(
        await fake.autocomplete("faq", {"question": ""}, focused="question", locale="en-US")
    )
    japanese = await answered_in_time(
        await fake.autocomplete("faq", {"question": "申請"}, focused="question", locale="en-US")
    )

    assert [c["name"] for c in empty.choices] == [
        knowledge.entry(c["value"]).title.get("en")[:100] for c in empty.choices
    ]
    assert japanese.choices[0]["name"] == knowledge.entry("off-platform-application").title.get(
        "ja"
    )


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "🙂🙂🙂", "x" * 5000, "\u200b", "<@&1> @everyone", "ｱｶｳﾝﾄ", "'; DROP TABLE--"],
    ids=["empty", "spaces", "emoji", "5000-chars", "zero-width", "mentions", "half-width", "sql"],
)
async def test_autocomplete_never_errors_on_odd_input(
    fake: FakeDiscord, bot: ChatworkSafeBot, typed: str
) -> None:
    handle = await fake.autocomplete("faq", {"question": typed}, focused="question")
    callback = await answered_in_time(handle)

    assert callback.type == AUTOCOMPLETE_RESULT
    assert len(callback.choices) <= CHOICE_LIMIT
    for choice in callback.choices:
        assert 1 <= len(choice["name"]) <= 100 and 1 <= len(choice["value"]) <= 100
    if not typed.strip():
        assert len(callback.choices) == CHOICE_LIMIT, "an empty box lists the topics"


async def test_picking_an_autocomplete_choice_answers_that_entry(
    fake: FakeDiscord, bot: ChatworkSafeBot
) -> None:
    handle = await fake.slash_command("faq", {"question": "free-plan-limits"})
    callback = await answered_in_time(handle)

    expected = bundled_knowledge().entry("free-plan-limits").title.get("ja")
    assert callback.data["embeds"][0]["title"] == expected


async def test_faq_in_a_dm(fake: FakeDiscord, bot: ChatworkSafeBot) -> None:
    handle = await fake.slash_command(
        "faq", {"question": "納品はどこから？"}, channel=fake.dm_channel(fake.user)
    )
    callback = await answered_in_time(handle)

    assert callback.data["embeds"][0]["title"]
    assert fake.unhandled == []


async def test_a_failure_gets_a_short_ephemeral_note_and_a_logged_traceback(
    fake: FakeDiscord,
    bot: ChatworkSafeBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken_ask(*args: object, **kwargs: object) -> None:
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(bot.assistant, "ask", broken_ask)
    handle = await fake.slash_command("faq", {"question": "チャットワークは無料ですか"})
    callback = await answered_in_time(handle)

    assert callback.ephemeral
    assert callback.content == ui("error", "ja")
    [record] = [
        r for r in caplog.records if r.exc_info and "store unavailable" in str(r.exc_info[1])
    ]
    assert record.levelname == "ERROR"
