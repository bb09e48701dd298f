"""FakeDiscord: the state of the fake, its lifecycle, and the test-side API."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.changefeed import ChangeFeed

from . import models
from .gateway import (
    CLOSE_UNKNOWN_ERROR,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    INVALID_SESSION,
    RECONNECT,
    FakeGateway,
    GatewaySession,
)
from .models import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Snowflakes,
    walk_components,
)
from .records import InteractionHandle, RecordedRequest
from .rest import RestApi

EPHEMERAL = 1 << 6
LOADING = 1 << 7
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHAT_INPUT, MESSAGE_COMMAND = 1, 3
CONTEXT_GUILD, CONTEXT_BOT_DM = 0, 1
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


@dataclass
class RateLimitRule:
    method: str
    path: re.Pattern[str]
    remaining: int
    retry_after: float
    is_global: bool


class FakeDiscord:
    """A loopback Discord (REST + gateway) for end-to-end tests of discord.py clients.

    Configure users, guilds and channels before the client connects: GUILD_CREATE is sent once,
    right after READY.
    """

    def __init__(
        self,
        *,
        token: str = "fake-bot-token",
        bot_name: str = "chatwork-safe-bot",
        heartbeat_interval_ms: int = 41_250,
        response_deadline: float = 3.0,
        snowflake_start_ms: int | None = None,
        application_flags: int = 0,
    ) -> None:
        self.token = token
        self.response_deadline = response_deadline
        self.application_flags = application_flags
        self.snowflakes = Snowflakes(snowflake_start_ms)
        self.changes = ChangeFeed("fake discord")
        self.gateway = FakeGateway(self, heartbeat_interval_ms=heartbeat_interval_ms)
        self.rest = RestApi(self)

        self.users: dict[str, FakeUser] = {}
        self.guilds: dict[str, FakeGuild] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.deleted_messages: list[dict[str, Any]] = []
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, InteractionHandle] = {}
        self.modals: dict[str, dict[str, Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.rate_limits: list[RateLimitRule] = []

        self.bot_user = self.add_user(bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner = self.add_user("guild-owner", global_name="オーナー")
        self.user = self.add_user("taro", global_name="太郎")
        self.guild = self.add_guild("フリーランス交流会", members=[self.user])
        self.channel = self.guild.channels[0]

        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self.rest.middleware])
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        self.rest.add_routes(app.router)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        _host, self._port = self._runner.addresses[0][:2]
        return self

    async def stop(self) -> None:
        if self._runner is None:
            return
        await self.gateway.close_all()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("fake discord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` (and the bot's DISCORD_API_BASE) should be."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` (and DISCORD_GATEWAY_URL) should be."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/gateway-resume"

    # world setup

    def add_user(
        self, username: str, *, global_name: str | None = None, bot: bool = False
    ) -> FakeUser:
        user = FakeUser(self.snowflakes.next(), username, global_name, bot)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, *, locale: str = "ja", members: list[FakeUser] | tuple[FakeUser, ...] = ()
    ) -> FakeGuild:
        """A guild with @everyone, the bot's managed role, a #general channel, bot and owner."""
        guild_id = self.snowflakes.next()
        guild = FakeGuild(id=guild_id, name=name, owner_id=self.owner.id, locale=locale)
        guild.roles.append(FakeRole(guild_id, "@everyone", models.MEMBER_PERMISSIONS))
        bot_role = FakeRole(
            self.snowflakes.next(),
            self.bot_user.username,
            models.MEMBER_PERMISSIONS,
            position=1,
            bot_id=self.bot_user.id,
        )
        guild.roles.append(bot_role)
        self.guilds[guild_id] = guild
        self.add_text_channel(guild, "general")
        self.add_member(guild, self.bot_user, roles=[bot_role])
        self.add_member(guild, self.owner)
        for user in members:
            self.add_member(guild, user)
        return guild

    def add_text_channel(self, guild: FakeGuild, name: str) -> FakeChannel:
        channel = FakeChannel(
            self.snowflakes.next(),
            models.GUILD_TEXT,
            name=name,
            guild_id=guild.id,
            position=len(guild.channels),
        )
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_role(self, guild: FakeGuild, name: str, permissions: int) -> FakeRole:
        role = FakeRole(self.snowflakes.next(), name, permissions, position=len(guild.roles))
        guild.roles.append(role)
        return role

    def add_member(
        self, guild: FakeGuild, user: FakeUser, *, roles: list[FakeRole] | tuple[FakeRole, ...] = ()
    ) -> FakeMember:
        member = FakeMember(user, [role.id for role in roles])
        guild.members[user.id] = member
        return member

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between the bot and ``user`` (created on first use, like Discord)."""
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient is user:
                return channel
        channel = FakeChannel(self.snowflakes.next(), models.DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def allow_privileged_intents(self, allowed: bool = True) -> None:
        """Flip the developer-portal toggles; by default privileged intents close with 4014."""
        self.gateway.privileged_intents_allowed = allowed

    # inspection

    def messages_in(self, channel: FakeChannel | str) -> list[dict[str, Any]]:
        """Messages of a channel, oldest first, ephemeral ones included (check ``flags``)."""
        channel_id = channel if isinstance(channel, str) else channel.id
        return list(self.messages.get(channel_id, []))

    def find_message(self, message_id: str) -> dict[str, Any] | None:
        for messages in self.messages.values():
            for message in messages:
                if message["id"] == message_id:
                    return message
        return None

    @property
    def intents(self) -> int | None:
        """Intents of the latest IDENTIFY, exactly as the client sent them."""
        if not self.gateway.identifies:
            return None
        return int(self.gateway.identifies[-1].get("intents", 0))

    def mark(self) -> int:
        """A position in ``requests``; pass it as ``after=`` to wait only for later requests."""
        return len(self.requests)

    async def wait_until(
        self, check: Any, *, timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait (event-driven) until ``check()`` returns something truthy, and return it."""
        return await self.changes.wait_until(check, timeout=timeout, describe=lambda: f"for {what}")

    async def wait_for_request(
        self,
        method: str,
        path_regex: str,
        predicate: Any = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> RecordedRequest:
        """The first recorded request (from index ``after``) matching method, path and predicate."""
        pattern = re.compile(path_regex)

        def find() -> RecordedRequest | None:
            for request in self.requests[after:]:
                if (
                    request.method == method.upper()
                    and pattern.fullmatch(request.path)
                    and (predicate is None or predicate(request))
                ):
                    return request
            return None

        return await self.changes.wait_until(
            find,
            timeout=timeout,
            describe=lambda: (
                f"for {method} {path_regex}; seen: "
                + (", ".join(r.describe() for r in self.requests[after:]) or "nothing")
            ),
        )

    async def wait_for_identify(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        return await self.wait_until(
            lambda: (
                self.gateway.identifies[count - 1]
                if len(self.gateway.identifies) >= count
                else None
            ),
            timeout=timeout,
            what=f"IDENTIFY #{count} ({self.gateway.describe()})",
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 5.0) -> dict[str, Any]:
        return await self.wait_until(
            lambda: self.gateway.resumes[count - 1] if len(self.gateway.resumes) >= count else None,
            timeout=timeout,
            what=f"RESUME #{count} ({self.gateway.describe()})",
        )

    def rate_limit(
        self,
        method: str,
        path_regex: str,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """Answer the next ``times`` matching REST calls with a retryable 429 (with ``Via``)."""
        self.rate_limits.append(
            RateLimitRule(method.upper(), re.compile(path_regex), times, retry_after, is_global)
        )

    # gateway control

    async def dispatch(self, event: str, data: dict[str, Any], *, timeout: float = 5.0) -> int:
        """Send a DISPATCH to the client's session (waits for IDENTIFY); returns its sequence."""
        session = await self._session(timeout)
        return await session.send(event, data)

    async def drop_connection(self, code: int = CLOSE_UNKNOWN_ERROR) -> None:
        """Close the client's websocket with ``code``; discord.py reconnects and RESUMEs."""
        await self.gateway.close_current(code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before moving a session."""
        await self.gateway.send_op(RECONNECT, None)

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the client must IDENTIFY again."""
        await self.gateway.send_op(INVALID_SESSION, resumable)

    async def _session(self, timeout: float) -> GatewaySession:
        return await self.wait_until(
            lambda: self.gateway.current_session,
            timeout=timeout,
            what=f"a client to IDENTIFY ({self.gateway.describe()})",
        )

    def ready_payload(self, session: GatewaySession) -> dict[str, Any]:
        data: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user_payload(),
            "guilds": [{"id": guild_id, "unavailable": True} for guild_id in self.guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": self.application_id, "flags": self.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "session_type": "normal",
            "auth": {},
            "_trace": ["fake-discord"],
        }
        if session.shard is not None:
            data["shard"] = session.shard
        return data

    def bot_user_payload(self) -> dict[str, Any]:
        return {
            **self.bot_user.payload(),
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "ja",
        }

    # messages from users

    async def send_dm(
        self, user: FakeUser, content: str, *, timeout: float = 5.0
    ) -> dict[str, Any]:
        """A user writes to the bot in DM; returns the MESSAGE_CREATE payload."""
        channel = self.dm_channel(user)
        message = self.store_message(channel, user, {"content": content})
        await self._deliver_user_message(message, INTENT_DIRECT_MESSAGES, timeout)
        return message

    async def send_guild_message(
        self,
        channel: FakeChannel,
        user: FakeUser,
        content: str,
        *,
        mentions: list[FakeUser] | None = None,
        mention_everyone: bool | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """A member posts in a guild channel. ``mentions`` defaults to the ``<@id>`` in content.

        Without the Message Content intent, Discord blanks content, embeds, attachments and
        components unless the message mentions the bot; so does the fake.
        """
        message = self.store_message(channel, user, {"content": content})
        if mentions is not None:
            message["mentions"] = [self._mention_payload(channel, u) for u in mentions]
        if mention_everyone is not None:
            message["mention_everyone"] = mention_everyone
        session = await self._session(timeout)
        delivered = dict(message)
        bot_mentioned = any(m["id"] == self.bot_user.id for m in message["mentions"])
        if not session.has_intent(INTENT_MESSAGE_CONTENT) and not bot_mentioned:
            delivered.update(content="", embeds=[], attachments=[], components=[])
        await self._deliver_user_message(delivered, INTENT_GUILD_MESSAGES, timeout)
        return message

    async def _deliver_user_message(
        self, message: dict[str, Any], intent: int, timeout: float
    ) -> None:
        session = await self._session(timeout)
        if session.has_intent(intent):
            await session.send("MESSAGE_CREATE", message)
        else:
            self.gateway.dropped_events.append(("MESSAGE_CREATE", message))

    # messages in the store (also used by the REST handlers)

    def store_message(
        self,
        channel: FakeChannel,
        author: FakeUser,
        body: dict[str, Any],
        *,
        files: tuple[str, ...] = (),
        message_type: int = 0,
    ) -> dict[str, Any]:
        message_id = self.snowflakes.next()
        message: dict[str, Any] = {
            "id": message_id,
            "channel_id": channel.id,
            "type": message_type,
            "author": author.payload(),
            "content": body.get("content") or "",
            "timestamp": models.snowflake_time(message_id),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "pinned": False,
            "flags": int(body.get("flags") or 0),
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "attachments": [self._attachment(name) for name in files],
            "reactions": [],
        }
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        if channel.guild_id is not None:
            message["guild_id"] = channel.guild_id
            guild = self.guilds[channel.guild_id]
            if author.id in guild.members:
                message["member"] = guild.members[author.id].payload(with_user=False)
        self._apply_mentions(message, channel, body.get("allowed_mentions"))
        reference = body.get("message_reference")
        if reference:
            referenced = self.find_message(str(reference.get("message_id")))
            message["type"] = 19
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference.get("message_id")),
                "channel_id": str(reference.get("channel_id") or channel.id),
                **({"guild_id": channel.guild_id} if channel.guild_id else {}),
            }
            message["referenced_message"] = referenced
        self.messages.setdefault(channel.id, []).append(message)
        channel.last_message_id = message_id
        self.changes.notify()
        return message

    def edit_message(self, message: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        for key in ("content", "embeds", "components"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if "flags" in body and body["flags"] is not None:
            message["flags"] = int(body["flags"]) | (message["flags"] & EPHEMERAL)
        message["flags"] &= ~LOADING
        message["edited_timestamp"] = models.now_iso()
        if "content" in body:
            channel = self.channels[message["channel_id"]]
            self._apply_mentions(message, channel, body.get("allowed_mentions"))
        self.changes.notify()
        return message

    def delete_message(self, message: dict[str, Any]) -> None:
        self.messages[message["channel_id"]].remove(message)
        self.deleted_messages.append(message)
        self.changes.notify()

    async def echo(self, event: str, message: dict[str, Any]) -> None:
        """Tell the gateway about the bot's own message, as Discord does (bots must ignore it)."""
        session = self.gateway.current_session
        if session is None or message["flags"] & EPHEMERAL:
            return
        intent = INTENT_GUILD_MESSAGES if "guild_id" in message else INTENT_DIRECT_MESSAGES
        if session.has_intent(intent):
            await session.send(event, message)

    def _attachment(self, filename: str) -> dict[str, Any]:
        attachment_id = self.snowflakes.next()
        url = f"{self.url}/attachments/{attachment_id}/{filename}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": 0,
            "url": url,
            "proxy_url": url,
            "content_type": None,
        }

    def _mention_payload(self, channel: FakeChannel, user: FakeUser) -> dict[str, Any]:
        data = user.payload()
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            if user.id in guild.members:
                data["member"] = guild.members[user.id].payload(with_user=False)
        return data

    def _apply_mentions(
        self, message: dict[str, Any], channel: FakeChannel, allowed: dict[str, Any] | None
    ) -> None:
        """Resolve mentions in content the way Discord does, honouring ``allowed_mentions``."""
        content = message["content"]
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse", []))
        allowed_users = set() if allowed is None else {str(u) for u in allowed.get("users", [])}
        allowed_roles = set() if allowed is None else {str(r) for r in allowed.get("roles", [])}
        users = [
            self.users[user_id]
            for user_id in dict.fromkeys(USER_MENTION.findall(content))
            if user_id in self.users and ("users" in parse or user_id in allowed_users)
        ]
        message["mentions"] = [self._mention_payload(channel, user) for user in users]
        message["mention_roles"] = [
            role_id
            for role_id in dict.fromkeys(ROLE_MENTION.findall(content))
            if "roles" in parse or role_id in allowed_roles
        ]
        message["mention_everyone"] = "everyone" in parse and (
            "@everyone" in content or "@here" in content
        )

    # interactions

    async def slash_command(
        self,
        name: str,
        options: dict[str, Any] | list[dict[str, Any]] | None = None,
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Invoke a registered chat-input command. ``options`` as {name: value} or raw list."""
        user, channel = user or self.user, channel or self.channel
        command = self._registered_command(name, CHAT_INPUT, channel)
        option_list, resolved = self._options(command, options or {}, channel)
        data = self._chat_input_data(command, option_list, resolved)
        payload = self._interaction(APPLICATION_COMMAND, data, user, channel, locale)
        return await self._send_interaction(payload, timeout)

    @staticmethod
    def _chat_input_data(
        command: dict[str, Any],
        options: list[dict[str, Any]],
        resolved: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The `data` of a chat-input interaction, as Discord sends it for command and autocomplete."""
        data: dict[str, Any] = {
            "id": command["id"],
            "name": command["name"],
            "type": CHAT_INPUT,
            "options": options,
        }
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return data

    async def autocomplete(
        self,
        name: str,
        options: dict[str, Any],
        *,
        focused: str,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Autocomplete for ``focused`` while the user has typed ``options`` so far."""
        user, channel = user or self.user, channel or self.channel
        command = self._registered_command(name, CHAT_INPUT, channel)
        typed = {focused: "", **options}
        option_list, _resolved = self._options(command, typed, channel)
        for option in option_list:
            if option["name"] == focused:
                option["focused"] = True
                option["value"] = str(typed[focused])
        data = self._chat_input_data(command, option_list)
        payload = self._interaction(AUTOCOMPLETE, data, user, channel, locale)
        return await self._send_interaction(payload, timeout)

    async def context_menu_message(
        self,
        name: str,
        target_message: dict[str, Any],
        *,
        user: FakeUser | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Run a message context-menu command on ``target_message`` (type 2, command type 3)."""
        user = user or self.user
        channel = self.channels[target_message["channel_id"]]
        command = self._registered_command(name, MESSAGE_COMMAND, channel)
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": MESSAGE_COMMAND,
            "target_id": target_message["id"],
            "resolved": {"messages": {target_message["id"]: target_message}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._interaction(APPLICATION_COMMAND, data, user, channel, locale)
        return await self._send_interaction(payload, timeout)

    async def click_button(
        self,
        message: dict[str, Any],
        custom_id: str,
        *,
        user: FakeUser | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Click a button the bot sent; fails fast if the message has no such enabled button."""
        current = self._current(message)
        self._component(current, custom_id, component_type=2)
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._component_interaction(current, data, user, locale, timeout)

    async def select_option(
        self,
        message: dict[str, Any],
        custom_id: str,
        values: list[str],
        *,
        user: FakeUser | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Pick ``values`` in a string select the bot sent."""
        current = self._current(message)
        select = self._component(current, custom_id, component_type=3)
        offered = {option["value"] for option in select.get("options", [])}
        if not set(values) <= offered:
            raise ValueError(f"values {values} not among the select's options {sorted(offered)}")
        data = {"custom_id": custom_id, "component_type": 3, "values": list(values)}
        return await self._component_interaction(current, data, user, locale, timeout)

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user: FakeUser | None = None,
        channel: FakeChannel | None = None,
        message: dict[str, Any] | None = None,
        locale: str = "ja",
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Submit a modal the bot opened, with {text input custom_id: value}."""
        user = user or self.user
        if message is not None:
            channel = self.channels[message["channel_id"]]
        channel = channel or self.channel
        modal = self.modals.get(custom_id)
        if modal is None:
            raise LookupError(
                f"the bot never opened a modal {custom_id!r}; opened: {list(self.modals)}"
            )
        components = _modal_submission(modal["components"], values)
        data = {"custom_id": custom_id, "components": components}
        payload = self._interaction(MODAL_SUBMIT, data, user, channel, locale, message=message)
        return await self._send_interaction(payload, timeout)

    async def _component_interaction(
        self,
        message: dict[str, Any],
        data: dict[str, Any],
        user: FakeUser | None,
        locale: str,
        timeout: float,
    ) -> InteractionHandle:
        channel = self.channels[message["channel_id"]]
        payload = self._interaction(
            COMPONENT, data, user or self.user, channel, locale, message=message
        )
        return await self._send_interaction(payload, timeout)

    def _current(self, message: dict[str, Any]) -> dict[str, Any]:
        stored = self.find_message(message["id"])
        if stored is None:
            raise LookupError(f"message {message['id']} is not (or no longer) in the fake")
        return stored

    @staticmethod
    def _component(
        message: dict[str, Any], custom_id: str, *, component_type: int
    ) -> dict[str, Any]:
        found = [
            c
            for c in walk_components(message.get("components", []))
            if c.get("custom_id") == custom_id
        ]
        if not found or found[0]["type"] != component_type:
            ids = [c.get("custom_id") for c in walk_components(message.get("components", []))]
            raise LookupError(
                f"no component type {component_type} {custom_id!r} in message; has {ids}"
            )
        if found[0].get("disabled"):
            raise ValueError(
                f"component {custom_id!r} is disabled; Discord would not send the click"
            )
        return found[0]

    def _registered_command(
        self, name: str, command_type: int, channel: FakeChannel
    ) -> dict[str, Any]:
        scopes = [channel.guild_id, None] if channel.guild_id else [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command.get("type", 1) == command_type:
                    contexts = command.get("contexts")
                    if channel.is_dm and (
                        command.get("dm_permission") is False
                        or (contexts is not None and CONTEXT_BOT_DM not in contexts)
                    ):
                        raise LookupError(f"command {name!r} is not available in DMs")
                    return command
        registered = {scope: [c["name"] for c in cmds] for scope, cmds in self.commands.items()}
        raise LookupError(
            f"command {name!r} (type {command_type}) is not registered; sync the tree first. "
            f"Registered: {registered}"
        )

    def _options(
        self,
        command: dict[str, Any],
        options: dict[str, Any] | list[dict[str, Any]],
        channel: FakeChannel,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        if isinstance(options, list):
            return options, {}
        declared = {option["name"]: option for option in command.get("options", [])}
        resolved: dict[str, dict[str, Any]] = {}
        option_list = []
        for name, value in options.items():
            if name not in declared:
                raise LookupError(
                    f"command {command['name']!r} has no option {name!r}; has {list(declared)}"
                )
            option_type = declared[name]["type"]
            if isinstance(value, FakeUser):
                resolved.setdefault("users", {})[value.id] = value.payload()
                if channel.guild_id and value.id in self.guilds[channel.guild_id].members:
                    member = self.guilds[channel.guild_id].members[value.id]
                    resolved.setdefault("members", {})[value.id] = member.payload(with_user=False)
                value = value.id
            elif isinstance(value, FakeChannel):
                resolved.setdefault("channels", {})[value.id] = value.payload()
                value = value.id
            elif isinstance(value, FakeRole):
                resolved.setdefault("roles", {})[value.id] = value.payload()
                value = value.id
            option_list.append({"name": name, "type": option_type, "value": value})
        return option_list, resolved

    def _interaction(
        self,
        interaction_type: int,
        data: dict[str, Any],
        user: FakeUser,
        channel: FakeChannel,
        locale: str,
        *,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Everything discord.py 2.7's Interaction reads, shaped like a real INTERACTION_CREATE."""
        interaction_id = self.snowflakes.next()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": interaction_type,
            "data": data,
            "token": f"fake-interaction-token-{interaction_id}",
            "version": 1,
            "channel_id": channel.id,
            "channel": channel.payload(),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if channel.guild_id is not None:
            guild = self.guilds[channel.guild_id]
            member = guild.member(user).payload()
            member["permissions"] = str(guild.permissions_of(user))
            payload["channel"]["permissions"] = member["permissions"]
            payload.update(
                guild_id=guild.id,
                guild={"id": guild.id, "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                member=member,
                app_permissions=str(guild.permissions_of(self.bot_user)),
                authorizing_integration_owners={"0": guild.id},
                context=CONTEXT_GUILD,
            )
        else:
            payload.update(
                user=user.payload(),
                app_permissions=str(models.MEMBER_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=CONTEXT_BOT_DM,
            )
        if message is not None:
            payload["message"] = message
        return payload

    async def _send_interaction(self, payload: dict[str, Any], timeout: float) -> InteractionHandle:
        session = await self._session(timeout)
        loop = asyncio.get_running_loop()
        handle = InteractionHandle(payload, loop.time(), self.changes)
        self.interactions[handle.token] = handle
        await session.send("INTERACTION_CREATE", payload)
        return handle


def _modal_submission(layout: list[dict[str, Any]], values: dict[str, str]) -> list[dict[str, Any]]:
    """Mirror the modal's layout (action rows or labels) with the submitted values."""
    inputs = {c["custom_id"] for c in walk_components(layout) if c.get("type") == 4}
    unknown = set(values) - inputs
    if unknown:
        raise LookupError(f"modal has no text input(s) {sorted(unknown)}; has {sorted(inputs)}")

    def submitted(component: dict[str, Any]) -> dict[str, Any]:
        if component["type"] == 1:
            return {"type": 1, "components": [submitted(c) for c in component["components"]]}
        if component["type"] == 18:
            return {"type": 18, "component": submitted(component["component"])}
        if component["type"] == 4:
            return {
                "type": 4,
                "custom_id": component["custom_id"],
                "value": values.get(component["custom_id"], ""),
            }
        return {
            key: value for key, value in component.items() if key in ("type", "id", "custom_id")
        }

    return [submitted(component) for component in layout]
