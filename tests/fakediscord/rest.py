"""The REST half of the fake: the routes discord.py calls for a bot, recorded one by one."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import models
from .records import InteractionCallback, InteractionHandle, RecordedRequest

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MAX_CONTENT = 2000
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TOTAL = 6000
MAX_CHOICES = 25
MAX_CUSTOM_ID = 100

CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9

BODY = web.RequestKey("body", object)
FILES = web.RequestKey("files", tuple)
UNHANDLED = web.RequestKey("unhandled", bool)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """discord.py decodes a body only if Content-Type is exactly application/json (no charset)."""
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class DiscordError(Exception):
    """An API error, answered as Discord's JSON error body."""

    def __init__(self, status: int, message: str, code: int, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.errors = status, message, code, errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def unknown(what: str, code: int) -> DiscordError:
    return DiscordError(404, f"Unknown {what}", code)


def invalid_form(problem: str) -> DiscordError:
    return DiscordError(400, "Invalid Form Body", 50035, {"_errors": [{"message": problem}]})


class RestApi:
    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    def add_routes(self, router: web.UrlDispatcher) -> None:
        p = API_PREFIX
        router.add_get(f"{p}/users/@me", self.get_me)
        router.add_get(f"{p}/users/{{user_id}}", self.get_user)
        router.add_get(f"{p}/gateway", self.get_gateway)
        router.add_get(f"{p}/gateway/bot", self.get_gateway_bot)
        router.add_get(f"{p}/oauth2/applications/@me", self.get_application)
        router.add_post(f"{p}/users/@me/channels", self.open_dm)
        router.add_get(f"{p}/channels/{{channel_id}}", self.get_channel)
        router.add_get(f"{p}/channels/{{channel_id}}/messages", self.get_messages)
        router.add_post(f"{p}/channels/{{channel_id}}/messages", self.create_message)
        router.add_post(f"{p}/channels/{{channel_id}}/typing", self.no_content)
        message = f"{p}/channels/{{channel_id}}/messages/{{message_id}}"
        router.add_get(message, self.get_message)
        router.add_patch(message, self.edit_message)
        router.add_delete(message, self.delete_message)
        router.add_put(f"{message}/reactions/{{emoji}}/@me", self.add_reaction)
        router.add_delete(f"{message}/reactions/{{emoji}}/@me", self.no_content)
        router.add_post(f"{p}/interactions/{{interaction_id}}/{{token}}/callback", self.callback)
        webhook = f"{p}/webhooks/{{application_id}}/{{token}}"
        router.add_post(webhook, self.create_followup)
        router.add_get(f"{webhook}/messages/{{message_id}}", self.get_webhook_message)
        router.add_patch(f"{webhook}/messages/{{message_id}}", self.edit_webhook_message)
        router.add_delete(f"{webhook}/messages/{{message_id}}", self.delete_webhook_message)
        for commands in (
            f"{p}/applications/{{application_id}}/commands",
            f"{p}/applications/{{application_id}}/guilds/{{guild_id}}/commands",
        ):
            router.add_get(commands, self.get_commands)
            router.add_put(commands, self.put_commands)
        router.add_route("*", "/{tail:.*}", self.unhandled)

    # recording, auth and rate limits

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path in ("/gateway", "/gateway-resume"):
            return await handler(request)
        path = request.path.removeprefix(API_PREFIX)
        authorization = request.headers.get("Authorization")
        body, files = None, ()
        try:
            body, files = await self._read_body(request)
            request[BODY], request[FILES] = body, files
            response = self._rate_limited(request.method, path)
            if response is None:
                if self._needs_bot_auth(path) and authorization != f"Bot {self.fake.token}":
                    raise DiscordError(401, "401: Unauthorized", 0)
                response = await handler(request)
        except DiscordError as error:
            response = error.response()
        if 200 <= response.status < 300:
            response.headers.update(self._bucket_headers(request))
        recorded = RecordedRequest(
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
            status=response.status,
            files=files,
            _authorization=authorization,
        )
        self.fake.requests.append(recorded)
        if request.get(UNHANDLED):
            self.fake.unhandled.append(recorded)
        self.fake.changes.notify()
        return response

    @staticmethod
    async def _read_body(request: web.Request) -> tuple[Any, tuple[str, ...]]:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            files = tuple(v.filename for v in form.values() if isinstance(v, web.FileField))
            payload = form.get("payload_json")
            return (json.loads(payload) if isinstance(payload, str) else None), files
        raw = await request.read()
        if not raw:
            return None, ()
        try:
            return json.loads(raw), ()
        except ValueError:
            raise DiscordError(400, "400: Bad Request (body is not JSON)", 50109) from None

    @staticmethod
    def _needs_bot_auth(path: str) -> bool:
        return not path.startswith(("/interactions/", "/webhooks/"))

    def _rate_limited(self, method: str, path: str) -> web.Response | None:
        for rule in self.fake.rate_limits:
            if rule.remaining > 0 and rule.method == method and rule.path.fullmatch(path):
                rule.remaining -= 1
                scope = "global" if rule.is_global else "user"
                headers = {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, math.ceil(rule.retry_after))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + rule.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{rule.retry_after:.3f}",
                    "X-RateLimit-Bucket": _bucket(method, rule.path.pattern),
                    "X-RateLimit-Scope": scope,
                }
                if rule.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": rule.retry_after,
                    "global": rule.is_global,
                    "code": 0,
                }
                return json_response(body, status=429, headers=headers)
        return None

    @staticmethod
    def _bucket_headers(request: web.Request) -> dict[str, str]:
        route = request.match_info.route.resource
        template = route.canonical if route is not None else request.path
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": _bucket(request.method, template),
        }

    async def unhandled(self, request: web.Request) -> web.Response:
        request[UNHANDLED] = True
        return json_response({"message": "Unknown", "code": 0}, status=404)

    async def no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # identity

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(self.fake.bot_user_payload())

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.fake.users.get(request.match_info["user_id"])
        if user is None:
            raise unknown("User", 10013)
        return json_response(user.payload())

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.fake.gateway_url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return json_response(
            {"url": self.fake.gateway_url, "shards": 1, "session_start_limit": limit}
        )

    async def get_application(self, request: web.Request) -> web.Response:
        fake = self.fake
        return json_response(
            {
                "id": fake.application_id,
                "name": fake.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": fake.application_flags,
                "owner": fake.owner.payload(),
                "team": None,
                "bot": fake.bot_user.payload(),
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(fake.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    # channels and messages

    async def open_dm(self, request: web.Request) -> web.Response:
        recipient_id = str((request[BODY] or {}).get("recipient_id"))
        user = self.fake.users.get(recipient_id)
        if user is None:
            raise unknown("User", 10013)
        return json_response(self.fake.dm_channel(user).payload())

    def _channel(self, request: web.Request) -> models.FakeChannel:
        channel = self.fake.channels.get(request.match_info["channel_id"])
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    def _message(self, request: web.Request) -> dict[str, Any]:
        channel = self._channel(request)
        message_id = request.match_info["message_id"]
        for message in self.fake.messages.get(channel.id, []):
            if message["id"] == message_id:
                return message
        raise unknown("Message", 10008)

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._channel(request).payload())

    async def get_messages(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", 50))
        messages = self.fake.messages.get(self._channel(request).id, [])
        return json_response(list(reversed(messages))[:limit])

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self._message(request))

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body = request[BODY] or {}
        _validate_message(body, request[FILES], new=True)
        message = self.fake.store_message(channel, self.fake.bot_user, body, files=request[FILES])
        await self.fake.echo("MESSAGE_CREATE", message)
        return json_response(message)

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request)
        if message["author"]["id"] != self.fake.bot_user.id:
            raise DiscordError(403, "Cannot edit a message authored by another user", 50005)
        body = request[BODY] or {}
        _validate_message(body, request[FILES], new=False)
        self.fake.edit_message(message, body)
        await self.fake.echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def delete_message(self, request: web.Request) -> web.Response:
        self.fake.delete_message(self._message(request))
        return web.Response(status=204)

    async def add_reaction(self, request: web.Request) -> web.Response:
        message = self._message(request)
        emoji = request.match_info["emoji"]
        message["reactions"].append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
        self.fake.changes.notify()
        return web.Response(status=204)

    # interactions

    async def callback(self, request: web.Request) -> web.Response:
        handle = self.fake.interactions.get(request.match_info["token"])
        if handle is None or handle.id != request.match_info["interaction_id"]:
            raise unknown("interaction", 10062)
        if handle.callback is not None:
            raise DiscordError(400, "Interaction has already been acknowledged.", 40060)
        body = request[BODY] or {}
        callback_type, data = int(body.get("type", 0)), body.get("data") or {}
        elapsed = asyncio.get_running_loop().time() - handle.dispatched_at
        if elapsed > self.fake.response_deadline:
            handle.late_callback = InteractionCallback(callback_type, data, elapsed)
            self.fake.changes.notify()
            raise unknown("interaction", 10062)
        resource = await self._apply_callback(handle, callback_type, data, request[FILES])
        handle.callback = InteractionCallback(callback_type, data, elapsed)
        self.fake.changes.notify()
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        original = handle.original
        interaction: dict[str, Any] = {"id": handle.id, "type": handle.payload["type"]}
        if original is not None:
            interaction.update(
                response_message_id=original["id"],
                response_message_loading=bool(original["flags"] & LOADING),
                response_message_ephemeral=bool(original["flags"] & EPHEMERAL),
            )
        result: dict[str, Any] = {"interaction": interaction}
        if resource is not None:
            result["resource"] = {"type": callback_type, "message": resource}
        return json_response(result)

    async def _apply_callback(
        self,
        handle: InteractionHandle,
        callback_type: int,
        data: dict[str, Any],
        files: tuple[str, ...],
    ) -> dict[str, Any] | None:
        """Create or update the message behind the response; returns it for the resource field."""
        if callback_type == CHANNEL_MESSAGE:
            _validate_message(data, files, new=True)
            handle.original = self._interaction_message(handle, data, files)
            await self.fake.echo("MESSAGE_CREATE", handle.original)
            return handle.original
        if callback_type == DEFERRED_CHANNEL_MESSAGE:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            handle.original = self._interaction_message(handle, {"flags": flags}, ())
            await self.fake.echo("MESSAGE_CREATE", handle.original)
            return handle.original
        if callback_type in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if "message" not in handle.payload:
                raise DiscordError(400, "Interaction has no message to update", 50035)
            handle.original = self.fake.find_message(handle.payload["message"]["id"])
            if handle.original is None:
                raise unknown("Message", 10008)
            if callback_type == UPDATE_MESSAGE:
                _validate_message(data, files, new=False)
                self.fake.edit_message(handle.original, data)
                await self.fake.echo("MESSAGE_UPDATE", handle.original)
                return handle.original
            return None
        if callback_type == AUTOCOMPLETE_RESULT:
            if len(data.get("choices", [])) > MAX_CHOICES:
                raise invalid_form(f"autocomplete allows at most {MAX_CHOICES} choices")
            return None
        if callback_type == MODAL:
            _validate_custom_ids(data.get("components", []))
            self.fake.modals[data["custom_id"]] = data
            return None
        raise DiscordError(400, f"callback type {callback_type} not supported by the fake", 50035)

    def _interaction_message(
        self, handle: InteractionHandle, body: dict[str, Any], files: tuple[str, ...]
    ) -> dict[str, Any]:
        payload = handle.payload
        channel = self.fake.channels[payload["channel_id"]]
        command_type = payload["data"].get("type") if payload["type"] == 2 else None
        message_type = {1: 20, 2: 23, 3: 23}.get(command_type or 0, 0)
        message = self.fake.store_message(
            channel, self.fake.bot_user, body, files=files, message_type=message_type
        )
        user = payload.get("member", {}).get("user") or payload.get("user")
        message.update(
            webhook_id=self.fake.application_id,
            application_id=self.fake.application_id,
            interaction_metadata={
                "id": handle.id,
                "type": payload["type"],
                "user": user,
                "authorizing_integration_owners": payload["authorizing_integration_owners"],
            },
        )
        return message

    def _webhook_handle(self, request: web.Request) -> InteractionHandle:
        handle = self.fake.interactions.get(request.match_info["token"])
        if (
            handle is None
            or handle.callback is None
            or request.match_info["application_id"] != self.fake.application_id
        ):
            raise unknown("Webhook", 10015)
        return handle

    def _webhook_message(self, request: web.Request, handle: InteractionHandle) -> dict[str, Any]:
        message_id = request.match_info["message_id"]
        if message_id == "@original":
            if handle.original is None or handle.original in self.fake.deleted_messages:
                raise unknown("Message", 10008)
            return handle.original
        for message in handle.followup_messages:
            if message["id"] == message_id and message not in self.fake.deleted_messages:
                return message
        raise unknown("Message", 10008)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        handle = self._webhook_handle(request)
        return json_response(self._webhook_message(request, handle))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        handle = self._webhook_handle(request)
        message = self._webhook_message(request, handle)
        body = request[BODY] or {}
        _validate_message(body, request[FILES], new=False)
        self.fake.edit_message(message, body)
        if message is handle.original:
            handle.original_edits += 1
        self.fake.changes.notify()
        await self.fake.echo("MESSAGE_UPDATE", message)
        return json_response(message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        handle = self._webhook_handle(request)
        self.fake.delete_message(self._webhook_message(request, handle))
        return web.Response(status=204)

    async def create_followup(self, request: web.Request) -> web.Response:
        """A followup; the first one after a deferred response replaces the "thinking…" message."""
        handle = self._webhook_handle(request)
        body = request[BODY] or {}
        _validate_message(body, request[FILES], new=True)
        original = handle.original
        if (
            handle.callback is not None
            and handle.callback.type == DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original["flags"] & LOADING
        ):
            message = self.fake.edit_message(original, body)
            handle.original_edits += 1
            await self.fake.echo("MESSAGE_UPDATE", message)
        else:
            message = self._interaction_message(handle, body, request[FILES])
            await self.fake.echo("MESSAGE_CREATE", message)
        handle.followup_messages.append(message)
        self.fake.changes.notify()
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    # application commands

    def _command_scope(self, request: web.Request) -> str | None:
        if request.match_info["application_id"] != self.fake.application_id:
            raise unknown("Application", 10002)
        guild_id = request.match_info.get("guild_id")
        if guild_id is not None and guild_id not in self.fake.guilds:
            raise DiscordError(403, "Missing Access", 50001)
        return guild_id

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.fake.commands.get(self._command_scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite; like Discord, a command keeps its id while its name and type stay."""
        guild_id = self._command_scope(request)
        body = request[BODY]
        if not isinstance(body, list):
            raise invalid_form("expected a list of commands")
        existing = {
            (c["name"], c.get("type", 1)): c["id"] for c in self.fake.commands.get(guild_id, [])
        }
        stored = []
        for command in body:
            _validate_command(command)
            key = (command["name"], command.get("type", 1))
            entry = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                "integration_types": [0],
                "contexts": None,
                "name_localizations": None,
                "description_localizations": None,
                **command,
                "id": existing.get(key) or self.fake.snowflakes.next(),
                "application_id": self.fake.application_id,
                "version": self.fake.snowflakes.next(),
            }
            if guild_id is not None:
                entry["guild_id"] = guild_id
            stored.append(entry)
        self.fake.commands[guild_id] = stored
        self.fake.changes.notify()
        return json_response(stored)


def _bucket(method: str, template: str) -> str:
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]


def _validate_message(body: dict[str, Any], files: tuple[str, ...], *, new: bool) -> None:
    """The limits in DESIGN.md: 2000 chars, 4096 per description, 6000 across embeds, ids ≤ 100."""
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    if len(content) > MAX_CONTENT:
        raise invalid_form(f"content is {len(content)} characters, limit {MAX_CONTENT}")
    if len(embeds) > 10:
        raise invalid_form("at most 10 embeds")
    total = 0
    for embed in embeds:
        description = embed.get("description") or ""
        if len(description) > MAX_EMBED_DESCRIPTION:
            raise invalid_form(f"embed description is {len(description)} characters")
        total += len(embed.get("title") or "") + len(description)
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
        total += sum(
            len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", [])
        )
    if total > MAX_EMBED_TOTAL:
        raise invalid_form(f"embeds total {total} characters, limit {MAX_EMBED_TOTAL}")
    _validate_custom_ids(body.get("components") or [])
    if new and not (content or embeds or body.get("components") or files or body.get("poll")):
        raise DiscordError(400, "Cannot send an empty message", 50006)


def _validate_custom_ids(components: list[dict[str, Any]]) -> None:
    for component in models.walk_components(components):
        custom_id = component.get("custom_id")
        if custom_id is not None and len(custom_id) > MAX_CUSTOM_ID:
            raise invalid_form(f"custom_id {custom_id[:20]!r}… is longer than {MAX_CUSTOM_ID}")


def _validate_command(command: dict[str, Any]) -> None:
    name = command.get("name") or ""
    if not 1 <= len(name) <= 32:
        raise invalid_form(f"command name {name!r} must be 1-32 characters")
    if command.get("type", 1) == 1 and not 1 <= len(command.get("description") or "") <= 100:
        raise invalid_form(f"command {name!r} needs a description of 1-100 characters")
    if len(command.get("options") or []) > 25:
        raise invalid_form(f"command {name!r} has more than 25 options")
