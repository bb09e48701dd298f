"""Moderator tools end to end: `/faq-admin reload|gaps|stats`, knowledge watching, FAQ channels.

Each test runs its own bot (`bot_with`) on a fresh data directory, with the settings it needs.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.adapters.discord_bot import client as client_module
from bot.core.catalog import ui
from bot.store import open_store
from tests.adapters.discord_bot.conftest import (
    MESSAGES,
    answered,
    answered_in_time,
    ask_in_dm,
    new_member,
    running_bot,
)
from tests.adapters.discord_bot.support import (
    MANAGE_GUILD,
    admin_reply,
    faq_admin,
    knowledge_copy,
    new_moderator,
)
from tests.fakediscord import FakeDiscord
from tests.fakediscord.gateway import INTENT_MESSAGE_CONTENT

pytestmark = pytest.mark.asyncio(loop_scope="module")

NEW_ENTRY = """
  - id: chatwork-emoji-test
    title:
      ja: チャットワークのスタンプ（テスト項目）
      en: Chatwork stamps (test entry)
    answer:
      ja: テスト用の新しい回答です。スタンプはありませんが絵文字は使えます。
      en: A new test answer. There are no stamps, but emoji work.
    questions:
      ja:
        - チャットワークでスタンプは使えますか
        - チャットワーク スタンプ 絵文字
      en:
        - can I use stamps in chatwork
    keywords: [スタンプ]
    sources:
      - name: テスト
"""
NEW_TITLE = "チャットワークのスタンプ（テスト項目）"
NEW_QUESTION = "チャットワークでスタンプは使えますか"


def add_entry(knowledge: Path, entry: str = NEW_ENTRY) -> None:
    faq = knowledge / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + entry, encoding="utf-8")


def break_entry(knowledge: Path) -> None:
    """The new entry loses its keywords: a schema error in one field of one entry."""
    faq = knowledge / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(text.replace("keywords: [スタンプ]", "keywords: []"), encoding="utf-8")


async def test_reload_serves_an_edited_copy_and_keeps_the_last_good_one_on_error(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    knowledge = knowledge_copy(tmp_path)
    moderator = new_moderator(fake, "mod-reload")
    asker = fake.add_user("asker-reload")
    async with running_bot(fake, tmp_path / "data", knowledge_dir=knowledge) as bot:
        before = len(bot.assistant.topics)
        # a fresh copy of the knowledge: the first answer waits for the learned parts to train
        # (some seconds on a busy machine, and no deadline applies to a DM)
        unknown = await ask_in_dm(fake, asker, NEW_QUESTION, timeout=30.0)
        assert not unknown.get("embeds") or unknown["embeds"][0].get("title") != NEW_TITLE

        add_entry(knowledge)
        reloaded = await admin_reply(fake, "reload", moderator, locale="en-US")
        assert f"{before + 1} FAQ entries" in reloaded["content"]
        reloaded = await admin_reply(fake, "reload", moderator)
        assert f"FAQ {before + 1}件" in reloaded["content"]
        found = await ask_in_dm(fake, asker, NEW_QUESTION)
        assert found["embeds"][0]["title"] == NEW_TITLE

        break_entry(knowledge)
        refused = await admin_reply(fake, "reload", moderator)
        assert "前回の正常なナレッジのまま" in refused["content"]
        refused = await admin_reply(fake, "reload", moderator, locale="en-US")
        report = refused["content"]
        assert "last good knowledge" in report
        assert "faq.yaml" in report
        assert "entry 'chatwork-emoji-test'" in report
        assert "field 'keywords'" in report
        still = await ask_in_dm(fake, asker, NEW_QUESTION)
        assert still["embeds"][0]["title"] == NEW_TITLE
        assert len(bot.assistant.topics) == before + 1
    assert fake.unhandled == []


async def logged(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 30.0) -> None:
    """Wait until a log record containing `text` appears (the watcher reports each attempt).
    A reload rebuilds every engine, some seconds on a busy machine: the bound only stops a
    hang, it is not a speed target (make bench measures that)."""
    async with asyncio.timeout(timeout):
        while not any(text in record.getMessage() for record in caplog.records):
            await asyncio.sleep(0.02)


async def test_knowledge_watch_reloads_on_file_change_and_skips_broken_saves(
    fake: FakeDiscord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(client_module, "KNOWLEDGE_POLL_SECONDS", 0.05)
    caplog.set_level(logging.INFO, logger="bot.core.service")
    knowledge = knowledge_copy(tmp_path)
    asker = fake.add_user("asker-watch")
    async with running_bot(fake, tmp_path / "data", knowledge_dir=knowledge, knowledge_watch=True):
        add_entry(knowledge)
        await logged(caplog, "knowledge reloaded")
        found = await ask_in_dm(fake, asker, NEW_QUESTION, timeout=30.0)
        assert found["embeds"][0]["title"] == NEW_TITLE

        break_entry(knowledge)
        await logged(caplog, "knowledge change rejected")
        still = await ask_in_dm(fake, asker, NEW_QUESTION)
        assert still["embeds"][0]["title"] == NEW_TITLE


async def test_defaults_watch_no_knowledge_and_ask_for_no_message_content(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    async with running_bot(fake, tmp_path / "data") as bot:
        names = {task.get_name() for task in bot.background}
        assert not fake.intents & INTENT_MESSAGE_CONTENT
    assert names == {"heartbeat", "reminder delivery", "question pruning"}


async def test_admin_commands_are_hidden_and_refused_to_non_moderators(
    fake: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = new_member(fake, "plain-member")
    async with running_bot(fake, tmp_path / "data") as bot:
        [admin] = [c for c in fake.commands[None] if c["name"] == "faq-admin"]
        assert int(admin["default_member_permissions"]) == MANAGE_GUILD
        assert admin["dm_permission"] is False
        assert {option["name"] for option in admin["options"]} == {"reload", "gaps", "stats"}

        reloads: list[None] = []

        async def reload(lang: str) -> None:
            reloads.append(None)

        monkeypatch.setattr(bot.assistant, "reload", reload)
        for subcommand in ("reload", "gaps", "stats"):
            handle = await faq_admin(fake, subcommand, member)
            callback = await answered_in_time(handle)
            assert callback.type == 4 and callback.ephemeral
            assert callback.content == ui("not_moderator", "ja")
        handle = await fake.slash_command(
            "faq-admin", [{"type": 1, "name": "stats", "options": []}], user=member, locale="en-US"
        )
        assert (await answered_in_time(handle)).content == ui("not_moderator", "en")
        assert reloads == []
    assert fake.unhandled == []


async def test_gaps_groups_unanswered_questions_and_stats_shows_the_figures(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    moderator = new_moderator(fake, "mod-reports")
    asker = fake.add_user("asker-reports")
    unanswered = [
        "今日の東京の天気はどうですか",
        "今日の東京の天気はどう？",
        "今日の東京の天気は？",
        "おすすめのラーメン屋を教えて",
    ]
    async with running_bot(fake, tmp_path / "data"):
        for question in unanswered:
            reply = await ask_in_dm(fake, asker, question)
            assert not reply.get("embeds") or "出典" not in str(reply["embeds"])
        answer = await ask_in_dm(fake, asker, "チャットワークは無料ですか")
        assert answer["embeds"][0]["title"] == "チャットワークの料金（無料？有料？）"

        gaps = (await admin_reply(fake, "gaps", moderator))["content"]
        lines = gaps.strip("`\n").splitlines()
        assert lines[0].split("×")[0].strip() == "3"
        assert "天気" in lines[0]
        assert sum("天気" in line for line in lines if "×" in line) == 1, "grouped once"
        assert any(line.split("×")[0].strip() == "1" and "ラーメン" in line for line in lines)
        assert str(asker.id) not in gaps

        stats = (await admin_reply(fake, "stats", moderator, locale="en-US"))["content"]
        assert "Questions: 5 (answered 1, suggestions 0, unanswered 4)" in stats
        assert "answer rate 20%" in stats
        assert "1 × Chatwork price: free or paid?" in stats
        stats = (await admin_reply(fake, "stats", moderator))["content"]
        assert "質問: 5件（回答 1、候補提示 0、未回答 4）; 回答率 20%" in stats
        assert "1 × チャットワークの料金（無料？有料？）" in stats
        async with await open_store(tmp_path / "data") as store:
            figures = await store.stats()
        assert (figures.answered, figures.unanswered) == (1, 4)


async def test_faq_channel_answers_question_like_messages_without_a_mention(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    channel = fake.add_text_channel(fake.guild, "faq")
    member = new_member(fake, "channel-asker")
    fake.allow_privileged_intents(True)
    try:
        async with running_bot(
            fake, tmp_path / "data", faq_channel_ids=frozenset({int(channel.id)})
        ):
            assert fake.intents & INTENT_MESSAGE_CONTENT

            after = fake.mark()
            question = await fake.send_guild_message(
                channel, member, "チャットワークは無料ですか？"
            )
            reply = await fake.wait_for_request("POST", MESSAGES, answered, after=after)
            assert reply.path == f"/channels/{channel.id}/messages"
            assert reply.json["embeds"][0]["title"] == "チャットワークの料金（無料？有料？）"
            assert str(reply.json["message_reference"]["message_id"]) == question["id"]
            assert reply.json["allowed_mentions"] == {"parse": [], "replied_user": False}

            # Within the cooldown the same entry is not answered again; other messages never
            # are. A mention in #general afterwards shows the bot processed all three first.
            after = fake.mark()
            await fake.send_guild_message(channel, member, "チャットワークって無料なの？")
            await fake.send_guild_message(channel, member, "みなさんおはようございます")
            await fake.send_guild_message(channel, member, "今日の東京の天気はどうですか？")
            await fake.send_guild_message(
                fake.channel, member, f"{fake.bot_user.mention} チャットワークは無料ですか"
            )
            sentinel = await fake.wait_for_request("POST", MESSAGES, answered, after=after)
            assert sentinel.path == f"/channels/{fake.channel.id}/messages"
            posts = [
                r for r in fake.requests[after:] if r.method == "POST" and "/messages" in r.path
            ]
            assert posts == [sentinel]
    finally:
        fake.allow_privileged_intents(False)
