"""Terminal console: the same core and the same words as the chat adapters, on stdin/stdout.

Works interactively and with piped input (one question per line, exits at end of input), so a
newcomer can try the bot before creating a Discord application.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TextIO

from bot.core.knowledge import FaqEntry
from bot.core.replies import render_answer_text
from bot.core.schema import Lang
from bot.core.service import Service

log = logging.getLogger(__name__)

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", "終了"})
WELCOME = (
    "chatwork-safe-bot console — 質問を入力してください（例: チャットワークIDはいつ交換していい？）。"
    " 番号で候補を選べます。終了: quit / Ctrl-D\n"
    "Type a question (e.g. 'is chatwork free?'); a number picks a listed topic; quit to leave."
)


class Console:
    def __init__(self, service: Service, stdin: TextIO, stdout: TextIO, interactive: bool):
        self.service = service
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = interactive
        self.listed: Sequence[FaqEntry] = ()
        self.lang: Lang = "ja"

    def say(self, text: str) -> None:
        self.stdout.write(text.rstrip() + "\n\n")
        self.stdout.flush()

    def run(self) -> int:
        if self.interactive:
            self.say(WELCOME)
        while True:
            if self.interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                return 0
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT_WORDS:
                return 0
            self.say(self.respond(text))

    def respond(self, text: str) -> str:
        """One line of input → the reply a chat user would get."""
        if text.isdigit() and self.listed:
            return self._pick(int(text))
        matcher = self.service.engines.matcher
        answer = matcher.answer(text)
        self.lang = answer.lang
        if answer.entry is not None:
            self.listed = ()
        else:
            self.listed = answer.suggestions or matcher.entries
        return render_answer_text(answer, matcher.entries)

    def _pick(self, number: int) -> str:
        if not 1 <= number <= len(self.listed):
            return (
                f"1〜{len(self.listed)} の番号を入力してください。"
                if self.lang == "ja"
                else (f"Please enter a number from 1 to {len(self.listed)}.")
            )
        entry = self.listed[number - 1]
        self.listed = ()
        matcher = self.service.engines.matcher
        return render_answer_text(matcher.answer_for(entry, self.lang), matcher.entries)
