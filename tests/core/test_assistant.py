"""Assistant: what it records for moderators (and what it never records), walkthrough events,
reminders and the safety check, on the real knowledge and an SQLite store."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from bot.core.assistant import Assistant
from bot.core.ports import utc_now
from bot.core.replies import ui
from bot.core.service import Service
from bot.store import open_store
from bot.store.sqlite import RETRY_SECONDS

PLATFORM = "test"
CONFIDENT = "チャットワークは無料ですか"
OFF_TOPIC = "今日の東京の天気はどうですか"
AMBIGUOUS = "LINEの友だち追加の方法"
USER = "4242424242"


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


@pytest.fixture
def db_file(tmp_path):
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def store(db_file):
    async with await open_store(db_file) as opened:
        yield opened


@pytest.fixture
def assistant(service, store) -> Assistant:
    return Assistant(service, store, PLATFORM, reminder_delay=timedelta(hours=2))


async def test_confident_answer_is_counted_not_recorded_as_a_gap(assistant, store) -> None:
    answer = await assistant.ask(CONFIDENT)
    assert answer.entry is not None and answer.entry.id == "chatwork-price"
    figures = await store.stats()
    assert (figures.answered, figures.suggested, figures.unanswered) == (1, 0, 0)
    assert [(c.entry_id, c.count) for c in figures.top_entries] == [("chatwork-price", 1)]
    assert await store.questions() == []


async def test_unanswered_and_suggested_questions_are_recorded_as_text(assistant, store) -> None:
    unanswered = await assistant.ask(f"  {OFF_TOPIC}  ")
    suggested = await assistant.ask(AMBIGUOUS)
    assert unanswered.entry is None and not unanswered.suggestions
    assert suggested.tier == "suggest"
    recorded = await store.questions()
    assert [(q.text, q.tier) for q in recorded] == [(OFF_TOPIC, "none"), (AMBIGUOUS, "suggest")]
    figures = await store.stats()
    assert (figures.answered, figures.suggested, figures.unanswered) == (0, 1, 1)


async def test_blank_questions_are_not_recorded(assistant, store) -> None:
    await assistant.ask("   ")
    assert await store.questions() == []


async def test_records_carry_no_user_ids(assistant, store, db_file) -> None:
    await assistant.ask(CONFIDENT)
    await assistant.ask(OFF_TOPIC)
    await assistant.walkthrough(USER)
    with sqlite3.connect(db_file) as raw:
        for table in ("questions", "answer_events", "walkthrough_events"):
            columns = [row[1] for row in raw.execute(f"PRAGMA table_info({table})")]
            assert columns, table
            assert not [c for c in columns if "user" in c], (table, columns)
            for row in raw.execute(f"SELECT * FROM {table}"):
                assert USER not in map(str, row)


async def test_pick_counts_the_entry_but_not_a_new_question(assistant, store) -> None:
    answer = await assistant.pick("free-plan-limits", "en")
    assert answer is not None and answer.entry.id == "free-plan-limits" and answer.lang == "en"
    assert await assistant.pick("no-such-entry", "ja") is None
    figures = await store.stats()
    assert figures.questions == 0
    assert [(c.entry_id, c.count) for c in figures.top_entries] == [("free-plan-limits", 1)]


async def test_walkthrough_start_and_finish_events(assistant, store) -> None:
    state = await assistant.walkthrough(USER)
    assert state.step.id == "contract-escrow" and state.progress.history == ()
    assert not state.offers_reminder
    await assistant.walkthrough(USER)  # resuming is not a new start
    assert (await store.stats()).walkthrough_started == 1

    path = [
        ("contract-escrow", "choice:0", "apply-and-wait"),
        ("apply-and-wait", "choice:0", "chatwork-setup"),
        ("chatwork-setup", "next", "conduct"),
        ("conduct", "choice:0", "delivery"),
        ("delivery", "next", "summary"),
    ]
    for step_id, action, expected in path:
        state = await assistant.walk(USER, step_id, action)
        assert state.step.id == expected
        assert state.offers_reminder == (expected == "apply-and-wait")
    assert state.finished
    figures = await store.stats()
    assert (figures.walkthrough_started, figures.walkthrough_finished) == (1, 1)

    await assistant.walk(USER, "summary", "next")  # pressing on at the end finishes nothing
    state = await assistant.walk(USER, "summary", "restart")
    assert state.step.id == "contract-escrow"
    figures = await store.stats()
    assert (figures.walkthrough_started, figures.walkthrough_finished) == (2, 1)
    assert await store.get_progress(PLATFORM, USER) == state.progress.encode()


async def test_reminders_fall_due_after_the_delay(assistant, store) -> None:
    before = utc_now()
    reminder = await assistant.remind(USER, "en")
    assert before + timedelta(hours=2) <= reminder.due_at <= utc_now() + timedelta(hours=2)
    assert await store.due_reminders() == []
    assert await store.due_reminders(reminder.due_at - timedelta(seconds=1)) == []
    [due] = await store.due_reminders(reminder.due_at + timedelta(seconds=1))
    assert due.id == reminder.id and due.user_id == USER and due.target == USER
    assert [r.id for r in await assistant.pending_reminders(USER)] == [reminder.id]


async def test_reminder_text_follows_the_language(assistant) -> None:
    english = await assistant.remind(USER, "en")
    japanese = await assistant.remind("another-user", "ja")
    assert assistant.reminder_text(english) == ui("remind_check_application", "en")
    assert assistant.reminder_text(japanese) == ui("remind_check_application", "ja")


async def test_pressing_remind_again_keeps_the_one_pending_reminder(assistant) -> None:
    first = await assistant.remind(USER, "ja")
    again = await assistant.remind(USER, "ja")
    assert again == first
    assert [r.id for r in await assistant.pending_reminders(USER)] == [first.id]
    assert await assistant.cancel_reminder(USER, first.id)
    fresh = await assistant.remind(USER, "ja")
    assert fresh.id != first.id, "after a cancel, a new one can be scheduled"


async def test_cancelled_reminders_never_fall_due(assistant, store) -> None:
    reminder = await assistant.remind(USER, "ja")
    assert not await assistant.cancel_reminder("someone-else", reminder.id)
    assert await assistant.cancel_reminder(USER, reminder.id)
    assert await assistant.pending_reminders(USER) == []
    assert await store.due_reminders(utc_now() + timedelta(days=2)) == []


async def test_check_reports_risks_and_stores_nothing(assistant, store) -> None:
    before = await store.stats()
    risky = assistant.check("手数料がもったいないので直接契約しませんか")
    ordinary = assistant.check("納品物は明日の18時までにお願いします。")
    assert risky.risk == "danger" and risky.findings and risky.reply_template
    assert ordinary.risk == "none" and not ordinary.findings
    assert await store.stats() == before
    assert await store.questions() == []


async def refuse_writes(store, refuse: bool) -> None:
    """A read-only store, as SQLite sees one; lifting it waits out the store's retry pause."""
    if not refuse:
        await asyncio.sleep(RETRY_SECONDS + 0.1)
    await store.writer.run(lambda c: c.execute(f"PRAGMA query_only = {int(refuse)}"), 1.0)


async def test_answers_do_not_wait_for_a_store_that_refuses_writes(assistant, store) -> None:
    await refuse_writes(store, True)
    answer = await assistant.ask(CONFIDENT)
    assert answer.entry is not None and answer.entry.id == "chatwork-price"
    await store.flush()
    assert store.dropped_records == 1


async def test_walkthrough_goes_on_from_the_button_and_warns_once_without_the_store(
    assistant, store
) -> None:
    await assistant.walk(USER, "contract-escrow", "choice:0")
    await refuse_writes(store, True)

    state = await assistant.walk(USER, "apply-and-wait", "choice:0")
    assert state.step.id == "chatwork-setup" and state.warn_unsaved
    state = await assistant.walk(USER, "chatwork-setup", "next")
    assert state.step.id == "conduct" and not state.warn_unsaved, "told once"
    assert state.progress.history == ("contract-escrow", "apply-and-wait", "chatwork-setup")
    other = await assistant.walkthrough("someone-new")
    assert other.step.id == "contract-escrow" and other.warn_unsaved, "each user is told"

    await refuse_writes(store, False)
    state = await assistant.walk(USER, "conduct", "choice:0")
    assert state.step.id == "delivery" and not state.warn_unsaved
    assert await store.get_progress(PLATFORM, USER) == state.progress.encode()

    await refuse_writes(store, True)
    state = await assistant.walk(USER, "delivery", "next")
    assert state.warn_unsaved, "a new outage is told again"
