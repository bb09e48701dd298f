"""Moderator reports: unanswered questions grouped by similarity, and usage figures.

Shared by `/faq-admin gaps|stats` and `chatwork-safe-bot report`, so both say the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.core.knowledge import Knowledge
from bot.core.matcher import normalize
from bot.core.ports import RecordedQuestion, Stats

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
        key = normalize(question.text)
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


def format_gaps(gaps: Sequence[Gap]) -> str:
    if not gaps:
        return "No unanswered questions recorded. / 未回答の質問はありません。"
    lines = []
    for gap in gaps:
        lines.append(f"{gap.count:>4} × {gap.example}")
        lines.extend(f"       ~ {variant}" for variant in gap.variants)
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def format_stats(stats: Stats, knowledge: Knowledge) -> str:
    def title(entry_id: str) -> str:
        entry = knowledge.entry(entry_id)
        return entry.title.ja if entry is not None else f"{entry_id} (removed)"

    top = "\n".join(f"{c.count:>4} × {title(c.entry_id)}" for c in stats.top_entries) or "   —"
    period = "all time" if stats.since is None else f"since {stats.since:%Y-%m-%d}"
    return (
        f"Period: {period}\n"
        f"Questions: {stats.questions} (answered {stats.answered}, suggestions {stats.suggested}, "
        f"unanswered {stats.unanswered}); answer rate {_percent(stats.answer_rate)}\n"
        f"Feedback: 👍 {stats.helpful} / 👎 {stats.not_helpful}; "
        f"helpful {_percent(stats.helpful_ratio)}\n"
        f"Walkthrough: started {stats.walkthrough_started}, finished "
        f"{stats.walkthrough_finished}; completion {_percent(stats.completion_rate)}\n"
        f"Most asked:\n{top}"
    )
