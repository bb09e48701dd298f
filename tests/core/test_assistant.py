"""Assistant: what it records for moderators (and what it never records), walkthrough events,
reminders and the safety check, on the real knowledge and an SQLite store."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import timedelta

import pytest

from bot.core.assistant import Assistant, Pacing
from bot.core.catalog import ui
from bot.core.knowledge import default_knowledge_dir
from bot.core.ports import utc_now
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
    return Assistant(service, store, PLATFORM, Pacing(reminder_delay=timedelta(hours=2)))


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
    risky = await assistant.check("手数料がもったいないので直接契約しませんか")
    ordinary = await assistant.check("納品物は明日の18時までにお願いします。")
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


async def test_a_channel_question_is_scored_once_and_answered_once_per_cooldown(
    service, store, monkeypatch
) -> None:
    assistant = Assistant(service, store, PLATFORM, Pacing(channel_cooldown_seconds=600))
    matcher = service.engines.matcher
    scored: list[str] = []
    original = matcher.answer

    def counting(text, lang=None):
        scored.append(text)
        return original(text, lang)

    monkeypatch.setattr(matcher, "answer", counting)
    answer = await assistant.answer_in_channel("c1", USER, "チャットワークは無料ですか？")
    assert answer is not None and answer.entry.id == "chatwork-price"
    assert scored == ["チャットワークは無料ですか？"], "scored once, not again to record it"
    assert (await store.stats()).answered == 1

    assert await assistant.answer_in_channel("c1", USER, "チャットワークって無料なの？") is None
    assert await assistant.answer_in_channel("c2", USER, "チャットワークは無料ですか？")
    assert await assistant.answer_in_channel("c1", USER, "みなさんおはようございます") is None
    assert await assistant.answer_in_channel("c1", USER, "今日の東京の天気はどうですか？") is None
    assert await store.questions() == [], "channel chatter is never recorded"
    assert (await store.stats()).answered == 2


async def test_a_rate_limited_user_is_told_once_per_flood_in_their_language(service, store) -> None:
    assistant = Assistant(service, store, PLATFORM, Pacing(rate_limit_count=1))
    assert assistant.rate_limit(USER, "ja") is None
    limited = assistant.rate_limit(USER, "en")
    assert limited is not None and limited.first
    assert limited.notice.startswith("Please wait a moment")
    again = assistant.rate_limit(USER, "ja")
    assert again is not None and not again.first, "a flood is told once"
    assert again.notice.startswith("少し間を空けて")
    assert assistant.rate_limit("another-user", "ja") is None
    assert await assistant.answer_in_channel("c1", USER, "チャットワークは無料ですか？") is None


async def test_ask_or_pick_takes_entry_ids_as_picks_and_text_as_questions(assistant, store) -> None:
    picked = await assistant.ask_or_pick("free-plan-limits", "ja")
    assert picked.entry.id == "free-plan-limits" and picked.lang == "ja"
    english = await assistant.ask_or_pick("is chatwork free", "ja")
    assert english.entry is not None and english.lang == "en", "written in English: English"
    figures = await store.stats()
    assert figures.questions == 1 and figures.answered == 1


def test_topics_related_and_completion_come_from_the_served_knowledge(assistant, service) -> None:
    assert assistant.topics and assistant.entry(assistant.topics[0].id) == assistant.topics[0]
    assert assistant.entry("no-such-entry") is None
    assert assistant.complete("無料", 3)[0].id == "chatwork-price"
    assert assistant.complete("   ", 5) == list(assistant.topics[:5])
    answer = service.engines.matcher.answer("チャットワークは無料ですか")
    related = assistant.related(answer, limit=2)
    assert 0 < len(related) <= 2
    assert {entry.id for entry in related} <= set(answer.entry.related)


async def test_votes_ask_for_a_comment_only_on_a_first_thumbs_down(assistant, store) -> None:
    assert not await assistant.vote(USER, "m1", "chatwork-price", helpful=True)
    assert await assistant.vote("critic", "m1", "chatwork-price", helpful=False)
    await assistant.comment("critic", "m1", "chatwork-price", "  plans  ")
    assert not await assistant.vote("critic", "m1", "chatwork-price", helpful=False)
    kept = await store.get_feedback(PLATFORM, "critic", "m1")
    assert kept.comment == "plans" and not kept.helpful
    assert not await assistant.vote("critic", "m1", "chatwork-price", helpful=True)
    changed = await store.get_feedback(PLATFORM, "critic", "m1")
    assert changed.helpful and changed.comment is None, "a changed vote drops the comment"


async def test_due_reminders_are_settled_only_once_sent_or_undeliverable(store, service) -> None:
    assistant = Assistant(service, store, PLATFORM, Pacing(reminder_delay=timedelta(0)))
    other = Assistant(service, store, "elsewhere", Pacing(reminder_delay=timedelta(0)))
    sent = await assistant.remind("reachable", "en")
    dropped = await assistant.remind("no-dms", "ja")
    failing = await assistant.remind("flaky", "ja")
    await other.remind("someone", "ja")
    outbox: list[tuple[str, str]] = []

    async def send(user_id: str, text: str) -> bool:
        if user_id == "flaky":
            raise ConnectionError("try later")
        outbox.append((user_id, text))
        return user_id != "no-dms"

    assert await assistant.deliver_reminders(send) == 2
    assert ("reachable", ui("remind_check_application", "en")) in outbox
    due = {r.id for r in await store.due_reminders()}
    assert sent.id not in due and dropped.id not in due
    assert failing.id in due, "a failed send stays due"
    assert len(due) == 2, "the other platform's reminder is left to its own adapter"


async def test_moderator_reports_follow_the_moderators_language(assistant) -> None:
    await assistant.ask(OFF_TOPIC)
    assert OFF_TOPIC in await assistant.gaps_report("ja")
    assert (await assistant.stats_report("ja")).startswith("期間: 全期間")
    assert (await assistant.stats_report("en")).startswith("Period: all time")


async def test_a_failed_reload_keeps_the_last_good_knowledge(store, tmp_path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), knowledge)
    assistant = Assistant(Service(knowledge), store, PLATFORM)
    entries = len(assistant.topics)
    outcome = await assistant.reload("en")
    assert outcome.ok and f"{entries} FAQ entries" in outcome.text
    (knowledge / "faq.yaml").write_text("faq: [", encoding="utf-8")
    outcome = await assistant.reload("ja")
    assert not outcome.ok and "前回の正常なナレッジのまま" in outcome.text
    assert "faq.yaml" in outcome.text
    assert len(assistant.topics) == entries


async def test_upkeep_beats_prunes_and_remembers(assistant, store) -> None:
    await assistant.heartbeat()
    assert await store.last_beat() is not None
    assert await assistant.prune_questions() == 0
    assert await assistant.recall("discord.commands_hash") is None
    await assistant.remember("discord.commands_hash", "abc")
    assert await assistant.recall("discord.commands_hash") == "abc"


async def test_a_press_reads_and_checks_stored_progress_once(
    assistant, service, store, monkeypatch
) -> None:
    await assistant.walkthrough(USER)
    walkthrough = service.engines.walkthrough
    reads: list[str] = []
    checks: list[object] = []
    original_read, original_resume = store.get_progress, walkthrough.resume

    async def read(platform, user_id):
        reads.append(user_id)
        return await original_read(platform, user_id)

    def resume(raw):
        checks.append(raw)
        return original_resume(raw)

    monkeypatch.setattr(store, "get_progress", read)
    monkeypatch.setattr(walkthrough, "resume", resume)
    state = await assistant.walk(USER, "contract-escrow", "choice:0")
    assert state.step.id == "apply-and-wait"
    assert (len(reads), len(checks)) == (1, 1)
