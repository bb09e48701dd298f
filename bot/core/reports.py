"""Moderator reports: unanswered questions grouped by similarity, and usage figures.

Shared by `/faq-admin gaps|stats` and `chatwork-safe-bot report`, so both say the same, in
the moderator's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.catalog import ui
from bot.core.knowledge import Knowledge
from bot.core.ports import RecordedQuestion, Stats
from bot.core.schema import Lang
from bot.core.text import fold

SAME_GAP_SIMILARITY = 70.0


@dataclass(frozen=True)
class Gap:
    example: str
    count: int
    variants: tuple[str, ...]


def group_questions(questions: Sequence[RecordedQuestion], limit: int = 20) -> list[Gap]:
    """Greedy grouping on normalised text: each question joins the first similar group."""
    groups: list[tuple[str, list[str]]] = []
    for question in questions:
        key = fold(question.text)
        for group_key, members in groups:
            if fuzz.ratio(key, group_key) >= SAME_GAP_SIMILARITY:
                members.append(question.text)
                break
        else:
            groups.append((key, [question.text]))
    gaps = [
        Gap(example=members[0], count=len(members), variants=tuple(dict.fromkeys(members))[1:4])
        for _, members in groups
    ]
    gaps.sort(key=lambda gap: gap.count, reverse=True)
    return gaps[:limit]


def format_gaps(gaps: Sequence[Gap], lang: Lang) -> str:
    if not gaps:
        return ui("gaps_none", lang)
    lines = []
    for gap in gaps:
        lines.append(f"{gap.count:>4} × {gap.example}")
        lines.extend(f"       ~ {variant}" for variant in gap.variants)
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def format_stats(stats: Stats, knowledge: Knowledge, lang: Lang) -> str:
    def title(entry_id: str) -> str:
        entry = knowledge.entry(entry_id)
        if entry is None:
            return ui("stats_removed_entry", lang, entry_id=entry_id)
        return entry.title.get(lang)

    top = "\n".join(f"{c.count:>4} × {title(c.entry_id)}" for c in stats.top_entries) or "   —"
    if stats.since is None:
        period = ui("stats_period_all", lang)
    else:
        period = ui("stats_period_since", lang, since=f"{stats.since:%Y-%m-%d}")
    questions = ui(
        "stats_questions",
        lang,
        questions=stats.questions,
        answered=stats.answered,
        suggested=stats.suggested,
        unanswered=stats.unanswered,
        answer_rate=_percent(stats.answer_rate),
    )
    feedback = ui(
        "stats_feedback",
        lang,
        helpful=stats.helpful,
        not_helpful=stats.not_helpful,
        helpful_ratio=_percent(stats.helpful_ratio),
    )
    walkthrough = ui(
        "stats_walkthrough",
        lang,
        started=stats.walkthrough_started,
        finished=stats.walkthrough_finished,
        completion=_percent(stats.completion_rate),
    )
    return "\n".join([period, questions, feedback, walkthrough, ui("stats_most_asked", lang), top])
