"""Core results → Slack messages (Block Kit plus fallback text), within Slack's limits.

Every text that Slack parses (the fallback ``text`` and mrkdwn objects) is escaped, so nothing
in an answer or a quoted message can become a ``<!channel>`` or a user mention. Buttons and
menus carry their state in ``action_id`` and ``value`` (step, action, language), never in
memory, so a click on a message sent before a restart still works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.core.assistant import WalkState
from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.ports import Reminder
from bot.core.replies import finding_lines, footer, safety_heading
from bot.core.safety import SafetyReport
from bot.core.schema import Lang

SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
OPTION_TEXT_LIMIT = 75
OPTIONS_LIMIT = 100
ACTIONS_PER_BLOCK = 25
FALLBACK_TEXT_LIMIT = 3000
"""Slack allows 40,000; the fallback is for notifications, so a short one reads better."""

ENTRY_ACTION = "cs:faq"
TOPICS_ACTION = "cs:topics"
WALK_ACTION = "cs:walk"
REMIND_ACTION = "cs:remind"
UNREMIND_ACTION = "cs:unremind"
PENDING_REMINDERS_SHOWN = 3
WHEN = "\x00when\x00"
"""Stands for the reminder's time while the catalog text is escaped, then becomes a date token."""
WALK_STYLES = {"choice": "primary", "next": "primary"}


@dataclass
class Message:
    """One Slack message: ``text`` (notifications, screen readers) and ``blocks``."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def escape(text: str) -> str:
    """Slack's escaping of the three control characters; ``<!here>`` stays inert text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def sections(text: str) -> list[dict[str, Any]]:
    """Escaped mrkdwn sections of at most 3000 characters, cut at line breaks where possible."""
    blocks = []
    remaining = escape(text)
    while remaining:
        piece = remaining[:SECTION_TEXT_LIMIT]
        if len(remaining) > SECTION_TEXT_LIMIT:
            cut = piece.rfind("\n")
            piece = piece[:cut] if cut > 0 else _without_broken_entity(piece)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": piece}})
        remaining = remaining[len(piece) :].lstrip("\n")
    return blocks


def _without_broken_entity(piece: str) -> str:
    """Do not cut ``&amp;`` in half at a hard split."""
    amp = piece.rfind("&", len(piece) - 5)
    return piece[:amp] if amp > 0 and ";" not in piece[amp:] else piece


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_TEXT_LIMIT)}


def context(text: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(escape(text), SECTION_TEXT_LIMIT)}],
    }


def button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element = {
        "type": "button",
        "text": plain(label, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def actions(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"type": "actions", "elements": elements[start : start + ACTIONS_PER_BLOCK]}
        for start in range(0, len(elements), ACTIONS_PER_BLOCK)
    ]


def fallback(*parts: str) -> str:
    return clip(escape("\n".join(part for part in parts if part)), FALLBACK_TEXT_LIMIT)


# --- answers --------------------------------------------------------------------------


def entry_button(entry: FaqEntry, lang: Lang) -> dict[str, Any]:
    """Pressing it answers ``entry``; the action_id names the entry, so each is unique."""
    return button(entry.title.get(lang), f"{ENTRY_ACTION}:{entry.id}:{lang}", entry.id)


def answer_message(
    answer: Answer, related: list[FaqEntry], topics: tuple[FaqEntry, ...]
) -> Message:
    """An answer (title, text, source and as-of), 「もしかして」 buttons, or the topic menu."""
    lang = answer.lang
    if answer.entry is not None:
        entry = answer.entry
        title, text, source = entry.title.get(lang), entry.answer.get(lang), footer(entry, lang)
        blocks = [header(title), *sections(text), context(source)]
        if related:
            blocks.append(context(ui("related", lang)))
            blocks += actions([entry_button(other, lang) for other in related])
        return Message(fallback(title, text), blocks)
    if answer.suggestions:
        heading = ui("did_you_mean", lang)
        buttons = [entry_button(entry, lang) for entry in answer.suggestions]
        return Message(fallback(heading), [*sections(heading), *actions(buttons)])
    return topic_menu(ui("no_answer", lang), topics, lang)


def topic_menu(heading: str, topics: tuple[FaqEntry, ...], lang: Lang) -> Message:
    """The topic list as a menu (Slack allows 100 options; the rest stay reachable by asking)."""
    options = [
        {"text": plain(entry.title.get(lang), OPTION_TEXT_LIMIT), "value": entry.id}
        for entry in topics[:OPTIONS_LIMIT]
    ]
    menu = {
        "type": "static_select",
        "action_id": f"{TOPICS_ACTION}:{lang}",
        "placeholder": plain(ui("topic_placeholder", lang), HEADER_TEXT_LIMIT),
        "options": options,
    }
    return Message(fallback(heading), [*sections(heading), {"type": "actions", "elements": [menu]}])


def note(text: str) -> Message:
    """A one-paragraph reply (rate limit, errors, usage) from the catalog."""
    return Message(fallback(text), sections(text))


# --- walkthrough ----------------------------------------------------------------------


def walk_message(state: WalkState, lang: Lang) -> Message:
    """A step: its title, body, the text to copy, and one button per action."""
    step = state.step
    title, body = step.title.get(lang), step.body.get(lang)
    blocks = [header(title), *sections(body)]
    if step.copy_text is not None:
        copy = escape(step.copy_text.get(lang))
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"```{copy}```"}})
    buttons = [
        button(
            action.label.get(lang),
            f"{WALK_ACTION}:{lang}:{step.id}:{action.value}",
            action.value,
            WALK_STYLES.get(action.kind),
        )
        for action in state.actions
    ]
    if state.offers_reminder:
        buttons.append(button(ui("remind_button", lang), f"{REMIND_ACTION}:{lang}", "remind"))
    blocks += actions(buttons)
    if state.warn_unsaved:
        blocks.append(context(ui("progress_not_saved", lang)))
    if state.reminders:
        shown = state.reminders[:PENDING_REMINDERS_SHOWN]
        lines = "\n".join(f"{escape(ui('remind_pending', lang))}: {when(r)}" for r in shown)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": lines}]})
        blocks += actions([cancel_button(reminder, lang) for reminder in shown])
    return Message(fallback(title, body), blocks)


# --- reminders ------------------------------------------------------------------------


def when(reminder: Reminder) -> str:
    """Slack renders ``<!date^…>`` in each reader's own time zone; the fallback is UTC."""
    stamp = int(reminder.due_at.timestamp())
    utc = reminder.due_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{utc}>"


def cancel_button(reminder: Reminder, lang: Lang) -> dict[str, Any]:
    return button(
        ui("remind_cancel", lang),
        f"{UNREMIND_ACTION}:{lang}:{reminder.id}",
        str(reminder.id),
        "danger",
    )


def reminder_scheduled(reminder: Reminder, lang: Lang) -> Message:
    """When the reminder will come, with a button to cancel it."""
    text = escape(ui("remind_scheduled", lang, when=WHEN)).replace(WHEN, when(reminder))
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return Message(text, [section, *actions([cancel_button(reminder, lang)])])


# --- safety check ---------------------------------------------------------------------


def safety_message(report: SafetyReport) -> Message:
    """The risk, each finding with its rule, source and advice, and the replies to send."""
    lang = report.lang
    heading = safety_heading(report)
    blocks = [header(heading)]
    for title, body in finding_lines(report):
        blocks += sections(f"{title}\n{body}")
    for key, template in (
        ("reply_template", report.reply_template),
        ("alternative_template", report.alternative_template),
    ):
        if template:
            blocks.append(context(ui(key, lang)))
            blocks.append(
                {"type": "section", "text": {"type": "mrkdwn", "text": f"```{escape(template)}```"}}
            )
    return Message(fallback(heading), blocks)
