"""Moderator reports: grouping unanswered questions, and the text of gaps and stats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.knowledge import load_knowledge
from bot.core.ports import EntryCount, RecordedQuestion, Stats
from bot.core.reports import Gap, format_gaps, format_stats, group_questions

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def recorded(*texts: str) -> list[RecordedQuestion]:
    return [RecordedQuestion(text, "none", T0) for text in texts]


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge()


def test_similar_questions_form_one_group_with_a_count() -> None:
    gaps = group_questions(
        recorded(
            "今日の東京の天気は？",
            "おすすめのラーメン屋を教えて",
            "今日の東京の天気はどう？",
            "今日の東京の天気は?",
            "今日の東京の天気はどう？",
        )
    )
    assert [(gap.example, gap.count) for gap in gaps] == [
        ("今日の東京の天気は？", 4),
        ("おすすめのラーメン屋を教えて", 1),
    ]
    assert gaps[0].variants == ("今日の東京の天気はどう？", "今日の東京の天気は?"), (
        "distinct variants, without the example, in order"
    )
    assert gaps[1].variants == ()


def test_groups_are_sorted_by_count_and_limited() -> None:
    questions = recorded(
        "weather in tokyo",
        "best ramen shop",
        "best ramen shop",
        "invoice registration",
        "invoice registration",
        "invoice registration",
        "tax return deadline",
    )
    gaps = group_questions(questions, limit=2)
    assert gaps == [Gap("invoice registration", 3, ()), Gap("best ramen shop", 2, ())]
    assert len(group_questions(questions)) == 4


def test_variants_are_capped_at_three() -> None:
    gaps = group_questions(
        recorded(
            "how do I pay tax",
            "how do I pay taxes",
            "how do i pay tax?",
            "how do I pay tax!",
            "how to pay tax",
            "how do we pay tax",
        )
    )
    assert gaps[0].count >= 5
    assert len(gaps[0].variants) <= 3


def test_no_questions_no_groups() -> None:
    assert group_questions([]) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_format_gaps_lists_counts_examples_and_variants(lang) -> None:
    gaps = [Gap("今日の天気は？", 3, ("今日の天気はどう？",)), Gap("ラーメン", 1, ())]
    text = format_gaps(gaps, lang)
    assert text.splitlines() == [
        "   3 × 今日の天気は？",
        "       ~ 今日の天気はどう？",
        "   1 × ラーメン",
    ]


def test_format_gaps_says_when_there_is_nothing_in_the_moderators_language() -> None:
    assert format_gaps([], "en") == "No unanswered questions recorded."
    assert format_gaps([], "ja") == "未回答の質問はありません。"


def stats(**figures: object) -> Stats:
    values: dict[str, object] = dict(
        since=None,
        top_entries=(),
        answered=0,
        suggested=0,
        unanswered=0,
        helpful=0,
        not_helpful=0,
        walkthrough_started=0,
        walkthrough_finished=0,
    )
    values.update(figures)
    return Stats(**values)  # type: ignore[arg-type]


def test_format_stats_shows_every_figure(knowledge) -> None:
    text = format_stats(
        stats(
            since=T0,
            top_entries=(EntryCount("chatwork-price", 7), EntryCount("gone-entry", 2)),
            answered=6,
            suggested=1,
            unanswered=1,
            helpful=3,
            not_helpful=1,
            walkthrough_started=4,
            walkthrough_finished=1,
        ),
        knowledge,
        "en",
    )
    lines = text.splitlines()
    assert lines[0] == "Period: since 2026-03-01"
    assert lines[1] == ("Questions: 8 (answered 6, suggestions 1, unanswered 1); answer rate 75%")
    assert lines[2] == "Feedback: 👍 3 / 👎 1; helpful 75%"
    assert lines[3] == "Walkthrough: started 4, finished 1; completion 25%"
    assert lines[4] == "Most asked:"
    assert lines[5] == "   7 × " + knowledge.entry("chatwork-price").title.en
    assert lines[6] == "   2 × gone-entry (removed)"


def test_format_stats_in_japanese_for_japanese_moderators(knowledge) -> None:
    text = format_stats(
        stats(
            since=T0,
            top_entries=(EntryCount("chatwork-price", 7), EntryCount("gone-entry", 2)),
            answered=6,
            suggested=1,
            unanswered=1,
            helpful=3,
            not_helpful=1,
            walkthrough_started=4,
            walkthrough_finished=1,
        ),
        knowledge,
        "ja",
    )
    assert text.splitlines() == [
        "期間: 2026-03-01 以降",
        "質問: 8件（回答 6、候補提示 1、未回答 1）; 回答率 75%",
        "フィードバック: 👍 3 / 👎 1; 役に立った 75%",
        "ガイド: 開始 4、完了 1; 完了率 25%",
        "よく見られた項目:",
        "   7 × " + knowledge.entry("chatwork-price").title.ja,
        "   2 × gone-entry（削除済み）",
    ]


def test_format_stats_without_data_shows_dashes_not_zero_division(knowledge) -> None:
    text = format_stats(stats(), knowledge, "en")
    assert "Period: all time" in text
    assert "answer rate —" in text and "helpful —" in text and "completion —" in text
    assert text.endswith("Most asked:\n   —")


def test_completion_is_capped_at_100_percent(knowledge) -> None:
    text = format_stats(stats(walkthrough_started=1, walkthrough_finished=3), knowledge, "en")
    assert "completion 100%" in text
