"""Core results → Discord payloads (embeds, components), within Discord's size limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot.core.assistant import WalkState
from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry
from bot.core.matcher import Answer
from bot.core.replies import footer
from bot.core.schema import Lang

EMBED_DESCRIPTION_LIMIT = 4096
EMBEDS_PER_MESSAGE_LIMIT = 10
MESSAGE_EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
SELECT_OPTION_LIMIT = 25
ANSWER_COLOUR = discord.Colour(0x2E7D32)
SUGGEST_COLOUR = discord.Colour(0xF9A825)
WALK_COLOUR = discord.Colour(0x1565C0)


@dataclass
class Payload:
    """One message to send: keyword arguments for `send`, `reply` or an interaction response."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def kwargs(self) -> dict:
        kwargs: dict = {"embeds": self.embeds}
        if self.content is not None:
            kwargs["content"] = self.content
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs


def locale_lang(locale: discord.Locale | str | None) -> Lang:
    return "ja" if str(locale or "").startswith("ja") else "en"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph or line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    pieces.append(text)
    return [piece for piece in pieces if piece]


def _group_embeds(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds per message: at most 10 and 6000 characters together."""
    messages: list[list[discord.Embed]] = [[]]
    size = 0
    for embed in embeds:
        if messages[-1] and (
            len(messages[-1]) == EMBEDS_PER_MESSAGE_LIMIT
            or size + len(embed) > MESSAGE_EMBED_TOTAL_LIMIT
        ):
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += len(embed)
    return messages


def entry_payloads(entry: FaqEntry, lang: Lang, view: discord.ui.View | None) -> list[Payload]:
    """An answer as one or more messages; the view rides on the last one."""
    pieces = split_text(entry.answer.get(lang), EMBED_DESCRIPTION_LIMIT)
    embeds = [
        discord.Embed(
            title=clip(entry.title.get(lang), 256) if index == 0 else None,
            description=piece,
            colour=ANSWER_COLOUR,
        )
        for index, piece in enumerate(pieces)
    ]
    embeds[-1].set_footer(text=clip(footer(entry, lang), 2048))
    payloads = [Payload(embeds=group) for group in _group_embeds(embeds)]
    payloads[-1].view = view
    return payloads


def suggestions_payload(answer: Answer, view: discord.ui.View) -> Payload:
    lang = answer.lang
    embed = discord.Embed(
        description="\n".join(f"• {entry.title.get(lang)}" for entry in answer.suggestions),
        colour=SUGGEST_COLOUR,
    )
    return Payload(content=ui("did_you_mean", lang), embeds=[embed], view=view)


def no_answer_payload(lang: Lang, view: discord.ui.View) -> Payload:
    return Payload(content=ui("no_answer", lang), view=view)


def step_embed(state: WalkState, lang: Lang) -> discord.Embed:
    """The title as the knowledge writes it: main-line steps carry their own numbers."""
    step = state.step
    description = step.body.get(lang)
    if step.copy_text is not None:
        description += f"\n\n```\n{step.copy_text.get(lang)}\n```"
    return discord.Embed(
        title=clip(step.title.get(lang), 256),
        description=clip(description, EMBED_DESCRIPTION_LIMIT),
        colour=WALK_COLOUR,
    )
