"""Words a chat user sees, shared by every adapter so the console says what Discord says."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.schema import Lang

UI: dict[str, dict[Lang, str]] = {
    "did_you_mean": {"ja": "もしかして、こちらのことですか？", "en": "Did you mean one of these?"},
    "no_answer": {
        "ja": "すみません、その質問にはお答えできませんでした。次から選んでください。",
        "en": "Sorry, I couldn't find an answer to that. Please pick one of these topics.",
    },
    "source": {"ja": "出典", "en": "Source"},
    "as_of": {"ja": "時点", "en": "as of"},
    "related": {"ja": "関連", "en": "Related"},
    "topics": {"ja": "トピック一覧", "en": "Topics"},
}


def ui(key: str, lang: Lang) -> str:
    return UI[key][lang]


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
