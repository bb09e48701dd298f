"""Terminal console: the same core and the same words as the chat adapters, on stdin/stdout.

Works interactively and with piped input (one line per question or command, exits at end of
input), so a newcomer can try the bot before creating a Discord application.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from typing import TextIO

from bot.core.assistant import Assistant, WalkState
from bot.core.catalog import ui
from bot.core.knowledge import FaqEntry
from bot.core.replies import render_answer_text, render_safety_text
from bot.core.schema import Lang
from bot.text_input import LineDecoder, UnreadableInput

log = logging.getLogger(__name__)

PLATFORM = "console"
QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", "終了"})
WALK_COMMANDS = frozenset({"/chatwork-safe", "chatwork-safe", "/guide", "ガイド"})
CHECK_COMMANDS = frozenset({"check", "/check", "/check-message", "チェック"})
LEAVE_WALK = frozenset({"q", "0", "/faq"})
HELP_COMMANDS = frozenset({"help", "/help", "?", "ヘルプ", "使い方"})


class Console:
    def __init__(
        self,
        assistant: Assistant,
        stdin: TextIO,
        stdout: TextIO,
        interactive: bool,
        user_id: str = "local",
    ):
        self.assistant = assistant
        self.stdin = stdin
        self.stdout = stdout
        self.interactive = interactive
        self.user_id = user_id
        self.listed: Sequence[FaqEntry] = ()
        self.walking: WalkState | None = None
        self.lang: Lang = "ja"
        self.decoder = LineDecoder("console")

    def say(self, text: str) -> None:
        self.stdout.write(text.rstrip() + "\n\n")
        self.stdout.flush()

    async def run(self) -> int:
        if self.interactive:
            self.say(f"{ui('console_welcome', 'ja')}\n{ui('console_welcome', 'en')}")
        line_number = 0
        while True:
            line_number += 1
            if self.interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = await self._read_line()
            if not line:
                return 0
            text = self._readable(line, line_number).strip()
            if not text:
                continue
            if text.lower() in QUIT_WORDS:
                return 0
            self.say(await self.reply_or_apologise(text))

    async def _read_line(self) -> str:
        """The next line, read on a daemon thread: Ctrl-C ends the console at once instead of
        waiting, at exit, for a thread blocked on the terminal (as an executor's would)."""
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def deliver(text: str) -> None:
            if not line.done():
                line.set_result(text)

        def read() -> None:
            loop.call_soon_threadsafe(deliver, self.stdin.readline())

        threading.Thread(target=read, name="console input", daemon=True).start()
        return await line

    def _readable(self, line: str, line_number: int) -> str:
        """A line the terminal could not decode as UTF-8 (kept as surrogate escapes) is tried
        as CP932, as a Japanese Windows terminal sends it; otherwise the user is told."""
        try:
            line.encode("utf-8")
            return line
        except UnicodeEncodeError:
            pass
        try:
            return self.decoder.decode(line.encode("utf-8", "surrogateescape"), line_number)
        except UnreadableInput:
            self.say(ui("unreadable_input", self.lang))
            return ""

    async def reply_or_apologise(self, text: str) -> str:
        """The console's one error handler: the user gets a short note, the log the traceback."""
        try:
            return await self.respond(text)
        except Exception:
            log.exception("error while answering %r", text[:80])
            return ui("error", self.lang)

    async def respond(self, text: str) -> str:
        """One line of input → the reply a chat user would get."""
        command, _, rest = text.partition(" ")
        if text.lower() in HELP_COMMANDS:
            return ui("console_help", self.lang)
        if command.lower() in CHECK_COMMANDS:
            self.walking = None
            if not rest.strip():
                return ui("check_usage", self.lang)
            return render_safety_text(await self.assistant.check(rest.strip()))
        if text.lower() in WALK_COMMANDS:
            return await self._open_guide()
        if self.walking is not None:
            if text.isdigit() and text != "0":
                return await self._walk(self.walking, int(text))
            if text.lower() in LEAVE_WALK:
                self.walking = None
                return ui("console_guide_closed", self.lang)
            self.walking = None
        if text.isdigit():
            if self.listed:
                return await self._pick(int(text))
            return ui("console_nothing_to_pick", self.lang)
        if command.startswith("/"):
            if command.lower() == "/faq" and rest.strip():
                return await self._ask(rest.strip())
            return ui("console_unknown_command", self.lang, command=command)
        return await self._ask(text)

    async def _ask(self, question: str) -> str:
        answer = await self.assistant.ask(question)
        self.lang = answer.lang
        topics = self.assistant.topics
        self.listed = () if answer.entry is not None else (answer.suggestions or topics)
        return render_answer_text(answer, topics)

    async def _pick(self, number: int) -> str:
        if not 1 <= number <= len(self.listed):
            return self._out_of_range(len(self.listed))
        entry = self.listed[number - 1]
        self.listed = ()
        answer = await self.assistant.pick(entry.id, self.lang)
        if answer is None:
            return ui("entry_gone", self.lang)
        return render_answer_text(answer, self.assistant.topics)

    async def _open_guide(self) -> str:
        """The guide where the user left off, saying so when it is not the first step."""
        self.walking = await self.assistant.walkthrough(self.user_id)
        step = self.render_step(self.walking)
        if not self.walking.progress.history:
            return step
        title = self.walking.step.title.get(self.lang)
        return f"{ui('console_guide_resumed', self.lang, title=title)}\n\n{step}"

    async def _walk(self, state: WalkState, number: int) -> str:
        options = len(state.actions) + (1 if state.finished else 0)
        if not 1 <= number <= options:
            return self._out_of_range(options)
        if number > len(state.actions):
            self.walking = None
            return ui("console_guide_finished", self.lang)
        action = state.actions[number - 1]
        self.walking = await self.assistant.walk(self.user_id, state.step.id, action.value)
        return self.render_step(self.walking)

    def _out_of_range(self, count: int) -> str:
        return ui("console_pick_number", self.lang, count=count)

    def render_step(self, state: WalkState) -> str:
        lang = self.lang
        step = state.step
        parts = [f"■ {step.title.get(lang)}", step.body.get(lang)]
        if step.copy_text is not None:
            parts.append("-----\n" + step.copy_text.get(lang) + "\n-----")
        labels = [action.label.get(lang) for action in state.actions]
        if state.finished:
            labels.append(ui("console_guide_finish", lang))
        options = "\n".join(f"{n}. {label}" for n, label in enumerate(labels, 1))
        parts.append(f"{options}\n{ui('console_guide_hint', lang)}")
        return "\n\n".join(parts)
