"""FakeSlack: the workspace, its lifecycle, and the test-side API (users act, the app answers)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.changefeed import ChangeFeed

from .blocks import block_errors
from .models import FakeConversation, FakeUser, Ids, interactive_elements
from .records import Ack, EnvelopeHandle, RecordedCall
from .socket_mode import SocketModeServer
from .webapi import MAX_TEXT, SlackError, WebApi

INTERNAL_KEYS = ("channel", "for_user", "is_ephemeral", "link_names", "parse")


@dataclass
class ResponseTarget:
    """Where posts to one response_url land: the user, the conversation, the source message."""

    token: str
    handle: EnvelopeHandle
    user_id: str
    channel_id: str
    source: dict[str, Any] | None
    issued_at: float
    uses: int = 0


@dataclass
class Manifest:
    """What an app manifest (slack/manifest.yaml, parsed) lets the app do in the fake."""

    bot_scopes: set[str]
    bot_events: set[str]
    commands: set[str]
    message_shortcuts: set[str]
    interactivity: bool
    socket_mode: bool

    @classmethod
    def parse(cls, manifest: dict[str, Any]) -> Manifest:
        features = manifest.get("features") or {}
        settings = manifest.get("settings") or {}
        return cls(
            bot_scopes=set(
                ((manifest.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
            ),
            bot_events=set((settings.get("event_subscriptions") or {}).get("bot_events") or []),
            commands={c["command"] for c in features.get("slash_commands") or []},
            message_shortcuts={
                s["callback_id"]
                for s in features.get("shortcuts") or []
                if s.get("type") == "message"
            },
            interactivity=bool((settings.get("interactivity") or {}).get("is_enabled")),
            socket_mode=bool(settings.get("socket_mode_enabled")),
        )


class FakeSlack:
    """A loopback Slack (Web API + Socket Mode) for end-to-end tests of slack-bolt apps.

    Without a manifest the app may do anything; with one (``manifest=yaml.safe_load(...)``) the
    fake refuses what that app configuration would not allow: a missing scope, an event it
    does not subscribe to, an undeclared slash command or shortcut.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-0000000001-fake-bot-token",
        app_token: str = "xapp-1-A0000000001-fake-app-token",
        manifest: dict[str, Any] | None = None,
        ack_deadline: float = 3.0,
        response_url_lifetime: float = 30 * 60,
        team_name: str = "フリーランス交流会",
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.manifest = Manifest.parse(manifest) if manifest is not None else None
        self.ack_deadline = ack_deadline
        self.response_url_lifetime = response_url_lifetime
        self.changes = ChangeFeed("fake slack")
        self.ids = Ids()
        self.web_api = WebApi(self)
        self.socket_mode = SocketModeServer(self)

        self.team_id = self.ids.next("T")
        self.team_name = team_name
        self.team_domain = "freelance-fake"
        self.app_id = self.ids.next("A")
        self.bot_id = self.ids.next("B")
        self.users: dict[str, FakeUser] = {}
        self.conversations: dict[str, FakeConversation] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.ephemerals: list[dict[str, Any]] = []
        self.deleted_messages: list[dict[str, Any]] = []
        self.calls: list[RecordedCall] = []
        self.unhandled: list[RecordedCall] = []
        self.envelopes: dict[str, EnvelopeHandle] = {}
        self.stray_acks: list[dict[str, Any]] = []
        self.response_targets: dict[str, ResponseTarget] = {}
        self._failures: dict[str, list[SlackError]] = {}
        self._background: set[asyncio.Task[Any]] = set()

        self.bot_user = self.add_user("chatwork-safe-bot", is_bot=True)
        self.user = self.add_user("taro")
        self.channel = self.add_channel("general", members=[self.user])

        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_get("/link/", self.socket_mode.handle)
        self.web_api.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        _host, self._port = self._runner.addresses[0][:2]
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.socket_mode.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("fake slack is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """What the Web API client's ``base_url`` (and the bot's SLACK_API_BASE) should be."""
        return f"{self.url}/api/"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1)

    @property
    def bot_scopes(self) -> set[str] | None:
        return None if self.manifest is None else self.manifest.bot_scopes

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    # the workspace

    def add_user(self, name: str, *, locale: str = "ja-JP", is_bot: bool = False) -> FakeUser:
        user = FakeUser(self.ids.next("U"), name, self.team_id, locale, is_bot)
        self.users[user.id] = user
        return user

    def add_channel(
        self, name: str, *, members: list[FakeUser] | tuple[FakeUser, ...] = (), bot: bool = True
    ) -> FakeConversation:
        """A public channel with ``members`` (and the bot, unless ``bot=False``)."""
        ids = {user.id for user in members} | ({self.bot_user.id} if bot else set())
        channel = FakeConversation(self.ids.next("C"), name, ids)
        self.conversations[channel.id] = channel
        return channel

    def im(self, user: FakeUser) -> FakeConversation:
        """The IM between the bot and ``user`` (created on first use)."""
        for conversation in self.conversations.values():
            if conversation.is_im and user.id in conversation.members:
                return conversation
        conversation = FakeConversation(
            self.ids.next("D"), user.name, {user.id, self.bot_user.id}, is_im=True
        )
        self.conversations[conversation.id] = conversation
        return conversation

    # inspection

    def messages_in(self, conversation: FakeConversation | str) -> list[dict[str, Any]]:
        """Messages everyone in the conversation sees, oldest first (no ephemerals)."""
        channel_id = conversation if isinstance(conversation, str) else conversation.id
        return list(self.messages.get(channel_id, []))

    def ephemerals_for(
        self, user: FakeUser, conversation: FakeConversation | None = None
    ) -> list[dict[str, Any]]:
        """Ephemeral messages shown to ``user`` (in ``conversation``), oldest first."""
        return [
            m
            for m in self.ephemerals
            if m["for_user"] == user.id
            and (conversation is None or m["channel"] == conversation.id)
        ]

    def find_message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages.get(channel_id, []) if m["ts"] == ts), None)

    @property
    def acks(self) -> list[Ack]:
        return [h.ack for h in self.envelopes.values() if h.ack is not None]

    def mark(self) -> int:
        """A position in ``calls``; pass it as ``after=`` to wait only for later calls."""
        return len(self.calls)

    async def wait_until(
        self, check: Callable[[], Any], *, timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait (event-driven) until ``check()`` returns something truthy, and return it."""
        return await self.changes.wait_until(check, timeout=timeout, describe=lambda: f"for {what}")

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> RecordedCall:
        """The first recorded call of ``method`` (from index ``after``) matching ``predicate``."""

        def find() -> RecordedCall | None:
            return next(
                (
                    c
                    for c in self.calls[after:]
                    if c.method == method and (predicate is None or predicate(c))
                ),
                None,
            )

        return await self.changes.wait_until(
            find,
            timeout=timeout,
            describe=lambda: (
                f"for {method}; seen: "
                + (", ".join(c.describe() for c in self.calls[after:]) or "nothing")
            ),
        )

    async def wait_for_connection(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until the app has opened ``count`` Socket Mode connections and one is open."""
        await self.wait_until(
            lambda: len(self.socket_mode.connections) >= count and self.socket_mode.live,
            timeout=timeout,
            what=f"Socket Mode connection #{count} ({self.socket_mode.describe()})",
        )

    def fail_next(self, method: str, error: str, *, times: int = 1, status: int = 200) -> None:
        """Answer the next ``times`` calls of ``method`` with ``error`` (429 for ``ratelimited``)."""
        status = 429 if error == "ratelimited" else status
        self._failures.setdefault(method, []).extend(
            SlackError(error, status) for _ in range(times)
        )

    # Socket Mode control

    async def request_reconnect(self) -> None:
        """Send ``disconnect`` (refresh_requested): the app must open a new connection."""
        await self.socket_mode.request_reconnect()

    async def drop_connection(self) -> None:
        """Close the app's websocket without warning."""
        await self.socket_mode.drop()

    # users act

    def user_posts(
        self,
        user: FakeUser,
        conversation: FakeConversation,
        text: str,
        *,
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """``user`` writes ``text`` in ``conversation``; no event (use send_dm / mention)."""
        if user.id not in conversation.members:
            raise LookupError(f"{user.name} is not in {conversation.name}")
        message: dict[str, Any] = {
            "type": "message",
            "user": user.id,
            "text": text,
            "ts": self.ids.ts(),
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": uuid.uuid4().hex[:5],
                    "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                    ],
                }
            ],
            "channel": conversation.id,
        }
        if thread_ts is not None:
            message["thread_ts"] = thread_ts
        self.messages.setdefault(conversation.id, []).append(message)
        return message

    async def send_dm(self, user: FakeUser, text: str, *, timeout: float = 5.0) -> EnvelopeHandle:
        """``user`` writes to the bot in their IM: a ``message`` event (message.im)."""
        conversation = self.im(user)
        message = self.user_posts(user, conversation, text)
        event = {**public(message), "channel": conversation.id, "event_ts": message["ts"]}
        event["channel_type"] = "im"
        return await self._event("message.im", event, timeout)

    async def mention(
        self,
        user: FakeUser,
        text: str,
        *,
        channel: FakeConversation | None = None,
        thread_ts: str | None = None,
        timeout: float = 5.0,
    ) -> EnvelopeHandle:
        """``user`` posts ``text`` (which should contain ``bot_user.mention``): app_mention."""
        channel = channel or self.channel
        if self.bot_user.id not in channel.members:
            raise LookupError(f"the bot is not in #{channel.name}; Slack sends no app_mention")
        message = self.user_posts(user, channel, text, thread_ts=thread_ts)
        event = {**public(message), "type": "app_mention", "channel": channel.id}
        event["event_ts"] = message["ts"]
        return await self._event("app_mention", event, timeout)

    async def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user: FakeUser | None = None,
        channel: FakeConversation | None = None,
        timeout: float = 5.0,
    ) -> EnvelopeHandle:
        """``user`` runs ``command`` with ``text`` in ``channel`` (the user's IM by default)."""
        user = user or self.user
        channel = channel or self.im(user)
        if self.manifest is not None and command not in self.manifest.commands:
            raise LookupError(
                f"{command} is not a slash command of the app: {sorted(self.manifest.commands)}"
            )
        payload = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel.id,
            "channel_name": channel.payload()["name"],
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "trigger_id": self._trigger_id(),
        }
        return await self._envelope(
            "slash_commands", payload, user, channel, source=None, timeout=timeout
        )

    async def click(
        self,
        message: dict[str, Any],
        action_id: str,
        *,
        user: FakeUser | None = None,
        timeout: float = 5.0,
    ) -> EnvelopeHandle:
        """``user`` clicks the button ``action_id`` of ``message`` as it is now (block_actions)."""
        return await self._act(message, action_id, "button", None, user, timeout)

    async def select(
        self,
        message: dict[str, Any],
        action_id: str,
        value: str,
        *,
        user: FakeUser | None = None,
        timeout: float = 5.0,
    ) -> EnvelopeHandle:
        """``user`` picks the option ``value`` in the static_select ``action_id``."""
        return await self._act(message, action_id, "static_select", value, user, timeout)

    async def _act(
        self,
        message: dict[str, Any],
        action_id: str,
        kind: str,
        value: str | None,
        user: FakeUser | None,
        timeout: float,
    ) -> EnvelopeHandle:
        user = user or self.user
        self._require_interactivity()
        current = self._current(message)
        if current.get("is_ephemeral") and current["for_user"] != user.id:
            raise LookupError(f"{user.name} cannot see that ephemeral message")
        offered = [
            (block_id, element)
            for block_id, element in interactive_elements(current.get("blocks") or [])
            if element.get("type") == kind
        ]
        found = [(b, e) for b, e in offered if e.get("action_id") == action_id]
        if not found:
            ids = [e.get("action_id") for _b, e in offered]
            raise LookupError(f"no {kind} {action_id!r} in the message; it has {ids}")
        block_id, element = found[0]
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": kind,
            "action_ts": f"{time.time():.6f}",
        }
        if kind == "button":
            action["text"] = element["text"]
            if "value" in element:
                action["value"] = element["value"]
        else:
            option = next((o for o in element["options"] if o["value"] == value), None)
            if option is None:
                values = [o["value"] for o in element["options"]]
                raise LookupError(f"no option {value!r} in {action_id!r}; it has {values}")
            action["selected_option"] = option
            if "placeholder" in element:
                action["placeholder"] = element["placeholder"]
        channel = self.conversations[current["channel"]]
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": user.payload(),
            "api_app_id": self.app_id,
            "token": "fake-verification-token",
            "container": {
                "type": "message",
                "message_ts": current["ts"],
                "channel_id": channel.id,
                "is_ephemeral": bool(current.get("is_ephemeral")),
            },
            "trigger_id": self._trigger_id(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": channel.payload(),
            "state": {"values": {}},
            "actions": [action],
        }
        if not current.get("is_ephemeral"):
            payload["message"] = public(current)
        return await self._envelope(
            "interactive", payload, user, channel, source=current, timeout=timeout
        )

    async def message_shortcut(
        self,
        callback_id: str,
        message: dict[str, Any],
        *,
        user: FakeUser | None = None,
        timeout: float = 5.0,
    ) -> EnvelopeHandle:
        """``user`` picks the message shortcut ``callback_id`` on ``message`` (message_action)."""
        user = user or self.user
        self._require_interactivity()
        if self.manifest is not None and callback_id not in self.manifest.message_shortcuts:
            raise LookupError(
                f"{callback_id!r} is not a message shortcut of the app: "
                f"{sorted(self.manifest.message_shortcuts)}"
            )
        current = self._current(message)
        channel = self.conversations[current["channel"]]
        payload = {
            "type": "message_action",
            "token": "fake-verification-token",
            "action_ts": f"{time.time():.6f}",
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": user.payload(),
            "channel": channel.payload(),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self._trigger_id(),
            "message_ts": current["ts"],
            "message": public(current),
        }
        return await self._envelope(
            "interactive", payload, user, channel, source=None, timeout=timeout
        )

    # what the Web API does to the workspace

    def conversation_for_post(self, channel: Any) -> FakeConversation:
        """The conversation a post goes to: a channel id, an IM id, or a user id (their IM)."""
        if isinstance(channel, str) and channel in self.users:
            return self.im(self.users[channel])
        conversation = self.conversations.get(channel) if isinstance(channel, str) else None
        if conversation is None:
            raise SlackError("channel_not_found")
        if self.bot_user.id not in conversation.members:
            raise SlackError("not_in_channel")
        return conversation

    def post_message(self, conversation: FakeConversation, args: dict[str, Any]) -> dict[str, Any]:
        message = self._bot_message(conversation, args)
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        self.messages.setdefault(conversation.id, []).append(message)
        if conversation.is_im and self._subscribed("message.im"):
            event = {**public(message), "channel": conversation.id, "event_ts": message["ts"]}
            event["channel_type"] = "im"
            self._in_background(self._event("message.im", event, 5.0))
        return message

    def post_ephemeral(
        self, conversation: FakeConversation, user_id: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        message = self._bot_message(conversation, args)
        message.update(is_ephemeral=True, for_user=user_id)
        self.ephemerals.append(message)
        return message

    def replace_message(self, message: dict[str, Any], args: dict[str, Any]) -> None:
        for key in ("text", "blocks"):
            if key in args:
                message[key] = args[key]
            elif key == "blocks":
                message.pop("blocks", None)
        message["edited"] = {"user": self.bot_user.id, "ts": self.ids.ts()}

    def respond(self, target: ResponseTarget, args: dict[str, Any]) -> None:
        """A post to a response_url: replace or delete the source, or a new message."""
        source = target.source
        if source is not None and args.get("delete_original"):
            self._delete(source)
            return
        if source is not None and args.get("replace_original"):
            self.replace_message(source, args)
            target.handle.replies.append(source)
            return
        conversation = self.conversations[target.channel_id]
        if args.get("response_type") == "in_channel":
            message = self._bot_message(conversation, args)
            self.messages.setdefault(conversation.id, []).append(message)
        else:
            message = self.post_ephemeral(conversation, target.user_id, args)
        target.handle.replies.append(message)

    def record(self, call: RecordedCall, *, unhandled: bool = False) -> None:
        self.calls.append(call)
        if unhandled:
            self.unhandled.append(call)
        self.changes.notify()

    def take_failure(self, method: str) -> SlackError | None:
        queued = self._failures.get(method)
        return queued.pop(0) if queued else None

    def on_ack(self, envelope_id: str, payload: dict[str, Any] | None) -> None:
        handle = self.envelopes.get(envelope_id)
        if handle is None:
            self.stray_acks.append({"envelope_id": envelope_id, "payload": payload})
            return
        ack = Ack(envelope_id, self.now() - handle.sent_at, payload)
        if handle.ack is not None or handle.late_ack is not None:
            self.stray_acks.append({"envelope_id": envelope_id, "payload": payload})
            return
        if ack.elapsed > self.ack_deadline:
            handle.late_ack = ack
            return
        handle.ack = ack
        if payload and handle.type == "slash_commands":
            self._reply_from_ack(handle, payload)

    # internals

    def _reply_from_ack(self, handle: EnvelopeHandle, payload: dict[str, Any]) -> None:
        """A slash command's ack may carry the reply; Slack shows it (ephemeral by default)."""
        body: dict[str, Any] = {"ok": True}
        text = payload.get("text")
        if not text and not payload.get("blocks"):
            body = {"ok": False, "error": "no_text"}
        elif isinstance(text, str) and len(text) > MAX_TEXT:
            body = {"ok": False, "error": "msg_too_long"}
        elif payload.get("blocks") is not None and block_errors(payload["blocks"]):
            body = {
                "ok": False,
                "error": "invalid_blocks",
                "errors": block_errors(payload["blocks"]),
            }
        if body["ok"]:
            token = handle.payload["response_url"].rsplit("/", 1)[-1]
            self.respond(self.response_targets[token], payload)
        self.record(RecordedCall("ack", payload, body))

    def _bot_message(self, conversation: FakeConversation, args: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user.id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.get("text") or "",
            "ts": self.ids.ts(),
            "team": self.team_id,
            "channel": conversation.id,
        }
        for key in ("blocks", "link_names", "parse"):
            if key in args:
                message[key] = args[key]
        return message

    def _delete(self, message: dict[str, Any]) -> None:
        if message.get("is_ephemeral"):
            self.ephemerals.remove(message)
        else:
            self.messages[message["channel"]].remove(message)
        self.deleted_messages.append(message)

    def _current(self, message: dict[str, Any]) -> dict[str, Any]:
        """The message as it is now (after updates); fails if it was deleted."""
        pool = (
            self.ephemerals
            if message.get("is_ephemeral")
            else self.messages.get(message.get("channel", ""), [])
        )
        for candidate in pool:
            if candidate["ts"] == message["ts"] and candidate["channel"] == message["channel"]:
                return candidate
        raise LookupError(f"message {message['ts']} is not (or no longer) in the fake")

    def _subscribed(self, event: str) -> bool:
        return self.manifest is None or event in self.manifest.bot_events

    def _require_interactivity(self) -> None:
        if self.manifest is not None and not self.manifest.interactivity:
            raise LookupError("the app's manifest does not enable interactivity")

    def _trigger_id(self) -> str:
        return f"{int(time.time())}.{self.team_id}.{uuid.uuid4().hex}"

    def _in_background(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _event(
        self, subscription: str, event: dict[str, Any], timeout: float
    ) -> EnvelopeHandle:
        if not self._subscribed(subscription):
            raise LookupError(f"the app does not subscribe to {subscription}; Slack sends nothing")
        payload = {
            "token": "fake-verification-token",
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": self.ids.next("Ev"),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user.id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{uuid.uuid4().hex[:8]}",
        }
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": payload,
        }
        return await self._send(envelope, timeout)

    async def _envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        user: FakeUser,
        channel: FakeConversation,
        *,
        source: dict[str, Any] | None,
        timeout: float,
    ) -> EnvelopeHandle:
        token = uuid.uuid4().hex
        payload["response_url"] = f"{self.url}/response/{token}"
        envelope = {
            "envelope_id": str(uuid.uuid4()),
            "type": kind,
            "accepts_response_payload": kind == "slash_commands",
            "payload": payload,
        }

        def register(handle: EnvelopeHandle) -> None:
            self.response_targets[token] = ResponseTarget(
                token, handle, user.id, channel.id, source, issued_at=handle.sent_at
            )

        return await self._send(envelope, timeout, register)

    async def _send(
        self,
        envelope: dict[str, Any],
        timeout: float,
        register: Callable[[EnvelopeHandle], None] | None = None,
    ) -> EnvelopeHandle:
        """Send on the newest open connection; the handle exists before the app can answer."""
        connection = await self.wait_until(
            lambda: self.socket_mode.live,
            timeout=timeout,
            what=f"an open Socket Mode connection ({self.socket_mode.describe()})",
        )
        handle = EnvelopeHandle(envelope, self.now(), self.changes, deadline=self.ack_deadline)
        self.envelopes[handle.envelope_id] = handle
        if register is not None:
            register(handle)
        await self.socket_mode.send_to(connection, envelope)
        self.changes.notify()
        return handle


def public(message: dict[str, Any]) -> dict[str, Any]:
    """A stored message as Slack shows it in payloads (without the fake's own bookkeeping)."""
    return {key: value for key, value in message.items() if key not in INTERNAL_KEYS}
