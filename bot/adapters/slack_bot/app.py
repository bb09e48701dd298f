"""Slack events → `Assistant` calls → Block Kit replies, on a slack-bolt `AsyncApp`.

Every listener acknowledges first and works after, so each Socket Mode envelope is acked well
within Slack's 3 s. Nothing here decides anything: answers, walkthrough steps, progress, rate
limits and safety findings come from the same `Assistant` the Discord adapter uses.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_bot.blocks import (
    ENTRY_ACTION,
    REMIND_ACTION,
    TOPICS_ACTION,
    UNREMIND_ACTION,
    WALK_ACTION,
    Message,
    answer_message,
    note,
    reminder_scheduled,
    safety_message,
    walk_message,
)
from bot.core.assistant import Assistant
from bot.core.catalog import ui
from bot.core.matcher import Answer
from bot.core.schema import Lang
from bot.core.text import explicit_language

log = logging.getLogger(__name__)

PLATFORM = "slack"
SAFETY_SHORTCUT = "safety_check"
DEFAULT_LANG: Lang = "ja"
MENTION_OR_BROADCAST = re.compile(r"<[@!][^>]*>")
UNREACHABLE = frozenset({"channel_not_found", "user_not_found", "user_disabled", "cannot_dm_bot"})
"""Errors after which a DM to that user can never succeed."""


def unescape(text: str) -> str:
    """Slack sends ``&``, ``<``, ``>`` typed by users escaped; the matcher wants them as typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def question_text(text: str) -> str:
    """The question without mentions of the bot, users or ``@here``: they are not the question."""
    return unescape(MENTION_OR_BROADCAST.sub(" ", text)).strip()


def language_of(text: str) -> Lang:
    """Slack sends no locale with events or commands: the text's language, else Japanese."""
    return explicit_language(text) or DEFAULT_LANG


def user_key(team_id: str, user_id: str) -> str:
    """Progress and rate limits are per workspace and user: Slack user ids are per workspace."""
    return f"{team_id}:{user_id}"


def command_user(command: dict[str, Any]) -> str:
    return user_key(command["team_id"], command["user_id"])


def action_user(body: dict[str, Any]) -> str:
    return user_key(body["team"]["id"], body["user"]["id"])


def _sender(respond: Any) -> Callable[[Message], Awaitable[None]]:
    async def send(reply: Message) -> None:
        await respond(**reply.kwargs())

    return send


class SlackBot:
    """The bolt app and its listeners; `app` is handed to the Socket Mode handler."""

    def __init__(self, assistant: Assistant, client: AsyncWebClient) -> None:
        self.assistant = assistant
        self.app = AsyncApp(client=client, name="chatwork-safe-bot", logger=log)
        app = self.app
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.command("/faq")(self.on_faq)
        app.command("/chatwork-safe")(self.on_walkthrough)
        app.command("/check-message")(self.on_check_message)
        app.shortcut(SAFETY_SHORTCUT)(self.on_safety_shortcut)
        app.action(re.compile(rf"^{ENTRY_ACTION}:"))(self.on_entry_button)
        app.action(re.compile(rf"^{TOPICS_ACTION}:"))(self.on_topic)
        app.action(re.compile(rf"^{WALK_ACTION}:"))(self.on_walk_button)
        app.action(re.compile(rf"^{REMIND_ACTION}:"))(self.on_remind_button)
        app.action(re.compile(rf"^{UNREMIND_ACTION}:"))(self.on_cancel_reminder)
        app.error(self.on_error)

    # --- answers ------------------------------------------------------------------------

    async def on_message(self, event: dict[str, Any], body: dict[str, Any], say: Any) -> None:
        """A direct message: answered in the IM. Edits, joins and bot posts carry a subtype or
        a bot_id and are not questions."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await self._answer(body["team_id"], event, say, thread_ts=None)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any], say: Any) -> None:
        """A mention in a channel: answered in that channel, or in the thread it was made in."""
        await self._answer(body["team_id"], event, say, thread_ts=event.get("thread_ts"))

    async def _answer(
        self, team_id: str, event: dict[str, Any], say: Any, thread_ts: str | None
    ) -> None:
        question = question_text(event.get("text") or "")
        lang = language_of(question)

        async def send(reply: Message) -> None:
            await say(**reply.kwargs(), thread_ts=thread_ts)

        if await self._refused(user_key(team_id, event["user"]), lang, send, every_time=False):
            return
        if not question:
            await send(note(ui("empty_question", lang)))
            return
        await send(self._answer_message(await self.assistant.ask(question)))

    async def on_faq(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """`/faq question`: the answer, only for the asker."""
        await ack()
        text = unescape(command.get("text") or "").strip()
        lang = language_of(text)
        if await self._refused(command_user(command), lang, _sender(respond), every_time=True):
            return
        if not text:
            await respond(**note(ui("empty_question", lang)).kwargs())
            return
        answer = await self.assistant.ask_or_pick(text, lang)
        reply = note(ui("entry_gone", lang)) if answer is None else self._answer_message(answer)
        await respond(**reply.kwargs())

    async def on_entry_button(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any
    ) -> None:
        """A 「もしかして」 suggestion or a related entry was pressed."""
        await ack()
        await self._pick(action["value"], rendered_lang(action["action_id"]), body, respond)

    async def on_topic(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any
    ) -> None:
        """A topic was chosen from the menu shown when nothing matched."""
        await ack()
        entry_id = action["selected_option"]["value"]
        await self._pick(entry_id, rendered_lang(action["action_id"]), body, respond)

    async def _pick(self, entry_id: str, lang: Lang, body: dict[str, Any], respond: Any) -> None:
        """Answered where the choice was made: in an IM for everyone there, else to the chooser."""
        answer = await self.assistant.pick(entry_id, lang)
        reply = note(ui("entry_gone", lang)) if answer is None else self._answer_message(answer)
        in_im = body.get("channel", {}).get("id", "").startswith("D")
        shared = in_im and not body.get("container", {}).get("is_ephemeral")
        await respond(**reply.kwargs(), response_type="in_channel" if shared else "ephemeral")

    def _answer_message(self, answer: Answer) -> Message:
        return answer_message(answer, self.assistant.related(answer), self.assistant.topics)

    # --- walkthrough --------------------------------------------------------------------

    async def on_walkthrough(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """`/chatwork-safe`: the guide where the user left off (or from the start), ephemeral."""
        await ack()
        lang = language_of(command.get("text") or "")
        key = command_user(command)
        if await self._refused(key, lang, _sender(respond), every_time=True):
            return
        await respond(**walk_message(await self.assistant.walkthrough(key), lang).kwargs())

    async def on_walk_button(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any
    ) -> None:
        """A guide button: the step it was shown on and the action are in its action_id."""
        await ack()
        _prefix, _walk, lang, step_id, pressed = action["action_id"].split(":", 4)
        state = await self.assistant.walk(action_user(body), step_id, pressed)
        reply = walk_message(state, as_lang(lang))
        await respond(**reply.kwargs(), replace_original=True)

    async def on_remind_button(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any
    ) -> None:
        """「明日リマインドする」: a DM later; the guide's message stays as it is."""
        await ack()
        lang = rendered_lang(action["action_id"])
        reminder = await self.assistant.remind(action_user(body), lang)
        await respond(**reminder_scheduled(reminder, lang).kwargs(), replace_original=False)

    async def on_cancel_reminder(
        self, ack: Any, action: dict[str, Any], body: dict[str, Any], respond: Any
    ) -> None:
        """A pending reminder's cancel button; the reminder's id is in the action_id."""
        await ack()
        _prefix, _unremind, lang, reminder_id = action["action_id"].split(":", 3)
        await self.assistant.cancel_reminder(action_user(body), int(reminder_id))
        reply = note(ui("remind_cancelled", as_lang(lang)))
        await respond(**reply.kwargs(), replace_original=False)

    async def send_reminder(self, user: str, text: str) -> bool:
        """A due reminder as a DM. False when it can never arrive (the reminder is dropped);
        other errors raise, so it is tried again on the next round."""
        _team_id, _, user_id = user.partition(":")
        try:
            await self.app.client.chat_postMessage(channel=user_id, **note(text).kwargs())
        except SlackApiError as exc:
            if exc.response.get("error") in UNREACHABLE:
                return False
            raise
        return True

    # --- safety check -------------------------------------------------------------------

    async def on_check_message(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """`/check-message text`: the safety check of a client's message, ephemeral."""
        await ack()
        text = unescape(command.get("text") or "").strip()
        lang = language_of(text)
        if await self._refused(command_user(command), lang, _sender(respond), every_time=True):
            return
        reply = await self._safety(text, lang) if text else note(ui("check_message_usage", lang))
        await respond(**reply.kwargs())

    async def on_safety_shortcut(self, ack: Any, shortcut: dict[str, Any], respond: Any) -> None:
        """「安全チェック」 on a message: its safety check, shown only to the user who asked."""
        await ack()
        text = unescape(shortcut.get("message", {}).get("text") or "").strip()
        await respond(**(await self._safety(text, language_of(text))).kwargs())

    async def _safety(self, text: str, lang: Lang) -> Message:
        if not text:
            return note(ui("no_text", lang))
        return safety_message(await self.assistant.check(text))

    # --- shared -------------------------------------------------------------------------

    async def _refused(
        self, key: str, lang: Lang, send: Callable[[Message], Awaitable[None]], *, every_time: bool
    ) -> bool:
        """True when the user is over the rate limit; the notice goes out once per flood of
        messages, and on every command (a command the user ran expects an answer)."""
        limited = self.assistant.rate_limit(key, lang)
        if limited is None:
            return False
        if every_time or limited.first:
            await send(note(limited.notice))
        return True

    async def on_error(
        self, error: Exception, body: dict[str, Any], respond: Any, say: Any
    ) -> None:
        """The one place listener errors end: a traceback in the log, a short note for the user."""
        log.error("slack listener failed", exc_info=error)
        reply = note(ui("error", DEFAULT_LANG))
        try:
            if body.get("response_url"):
                await respond(**reply.kwargs())
            elif say is not None:
                await say(**reply.kwargs())
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)


def as_lang(value: str) -> Lang:
    return "en" if value == "en" else "ja"


def rendered_lang(action_id: str) -> Lang:
    """The language a button or menu was rendered in, the end of its action_id (``…:en``)."""
    return as_lang(action_id.rpartition(":")[2])
