"""Plain-text renderings shared by every adapter, so the console says what Discord says."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.safety import SafetyReport
from bot.core.schema import Lang


def footer(entry: FaqEntry, lang: Lang) -> str:
    """Source and as-of date: users trust income advice only when they can check it."""
    sources = " / ".join(source.name for source in entry.sources)
    text = f"{ui('source', lang)}: {sources}"
    if entry.as_of:
        text += (
            f" ({ui('as_of', lang)} {entry.as_of})"
            if lang == "en"
            else f"（{entry.as_of}{ui('as_of', lang)}）"
        )
    return text


def numbered_titles(entries: Sequence[FaqEntry], lang: Lang) -> str:
    return "\n".join(f"{n}. {entry.title.get(lang)}" for n, entry in enumerate(entries, 1))


def render_answer_text(answer: Answer, topics: Sequence[FaqEntry]) -> str:
    """Plain-text rendering for the console and `ask` without --json."""
    lang = answer.lang
    if answer.entry is not None:
        entry = answer.entry
        return f"■ {entry.title.get(lang)}\n{entry.answer.get(lang)}\n\n{footer(entry, lang)}"
    if answer.suggestions:
        return f"{ui('did_you_mean', lang)}\n{numbered_titles(answer.suggestions, lang)}"
    return f"{ui('no_answer', lang)}\n{numbered_titles(topics, lang)}"


def safety_heading(report: SafetyReport) -> str:
    return ui(f"risk_{report.risk}", report.lang)


def finding_lines(report: SafetyReport) -> list[tuple[str, str]]:
    """(heading, body) per finding: severity and rule, then source and advice."""
    lang = report.lang
    return [
        (
            f"[{ui(f'severity_{finding.severity}', lang)}] {finding.rule}",
            f"{ui('source', lang)}: {finding.source}\n{ui('advice', lang)}: {finding.advice}",
        )
        for finding in report.findings
    ]


def render_safety_text(report: SafetyReport) -> str:
    """Plain-text rendering of a safety check for the console and `check` without --json."""
    parts = [safety_heading(report)]
    parts.extend(f"■ {heading}\n{body}" for heading, body in finding_lines(report))
    if report.reply_template:
        parts.append(f"{ui('reply_template', report.lang)}:\n-----\n{report.reply_template}\n-----")
    if report.alternative_template:
        title = ui("alternative_template", report.lang)
        parts.append(f"{title}:\n-----\n{report.alternative_template}\n-----")
    return "\n\n".join(parts)
