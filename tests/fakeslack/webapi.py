"""The Web API half of the fake (``/api/{method}``) and the response_url endpoint.

Slack answers almost everything with HTTP 200 and ``{"ok": false, "error": "..."}``; the fake
does the same, with the errors Slack gives for the mistakes a bot makes: a missing or wrong
token, the wrong kind of token, an unknown channel, no text, too long a text, invalid blocks,
an ephemeral message given to ``chat.update``, a response_url used too often.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .blocks import block_errors
from .records import RecordedCall

if TYPE_CHECKING:
    from .server import FakeSlack, ResponseTarget

MAX_TEXT = 40_000
RESPONSE_URL_USES = 5
JSON_ARGUMENTS = ("blocks", "attachments", "metadata")
BOT_METHODS = ("auth.test", "chat.postMessage", "chat.postEphemeral", "chat.update")
APP_METHODS = ("apps.connections.open",)
SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
}


class SlackError(Exception):
    """A Web API error, answered as ``{"ok": false, "error": code, ...extra}``."""

    def __init__(self, code: str, status: int = 200, **extra: Any) -> None:
        super().__init__(code)
        self.code, self.status, self.extra = code, status, extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


def invalid_blocks(errors: list[str]) -> SlackError:
    return SlackError(
        "invalid_blocks",
        errors=errors,
        response_metadata={"messages": [f"[ERROR] {error}" for error in errors]},
    )


def json_response(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        charset="utf-8",
        headers={"X-Slack-Req-Id": "fake"},
    )


async def read_arguments(request: web.Request) -> dict[str, Any]:
    """Query, form and JSON arguments in one dict; JSON strings in form fields decoded."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        args.update({key: value for key, value in (await request.post()).items()})
    elif request.can_read_body:
        raw = await request.read()
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
    for key in JSON_ARGUMENTS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                raise SlackError(f"invalid_{key}") from None
    return args


def check_content(args: dict[str, Any]) -> None:
    """The text/blocks rules shared by chat.postMessage, postEphemeral, update and response_url."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        raise SlackError("no_text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    if blocks is not None:
        errors = block_errors(blocks)
        if errors:
            raise invalid_blocks(errors)


class WebApi:
    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/api/{method}", self.call)
        router.add_post("/response/{token}", self.response_url)

    async def call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token: str | None = None
        args: dict[str, Any] = {}
        try:
            args = await read_arguments(request)
            token = self._token(request, args)
            self._authorize(method, token)
            handler = getattr(self, "_" + method.replace(".", "_"), None)
            if handler is None:
                raise SlackError("unknown_method", status=404)
            injected = self.fake.take_failure(method)
            if injected is not None:
                raise injected
            body = handler(args)
            status = 200
        except SlackError as error:
            body, status = error.body(), error.status
        call = RecordedCall(method, args, body, status, _token=token)
        self.fake.record(call, unhandled=body.get("error") == "unknown_method")
        response = json_response(body, status)
        if body.get("error") == "ratelimited":
            response.headers["Retry-After"] = "1"
        return response

    @staticmethod
    def _token(request: web.Request, args: dict[str, Any]) -> str | None:
        token = args.pop("token", None)
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            token = authorization.removeprefix("Bearer ")
        return token

    def _authorize(self, method: str, token: str | None) -> None:
        if not token:
            raise SlackError("not_authed")
        if token not in (self.fake.bot_token, self.fake.app_token):
            raise SlackError("invalid_auth")
        if (method in APP_METHODS and token != self.fake.app_token) or (
            method in BOT_METHODS and token != self.fake.bot_token
        ):
            raise SlackError("not_allowed_token_type")
        needed = SCOPES.get(method)
        scopes = self.fake.bot_scopes
        if needed and scopes is not None and needed not in scopes:
            raise SlackError("missing_scope", needed=needed, provided=",".join(sorted(scopes)))

    # methods

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        fake = self.fake
        return {
            "ok": True,
            "url": f"https://{fake.team_domain}.slack.com/",
            "team": fake.team_name,
            "user": fake.bot_user.name,
            "team_id": fake.team_id,
            "user_id": fake.bot_user.id,
            "bot_id": fake.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.fake.socket_mode.issue_url()}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        conversation = self.fake.conversation_for_post(args.get("channel"))
        check_content(args)
        message = self.fake.post_message(conversation, args)
        return {"ok": True, "channel": conversation.id, "ts": message["ts"], "message": message}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        conversation = self.fake.conversation_for_post(args.get("channel"))
        user_id = args.get("user")
        if not user_id:
            raise SlackError("user_not_found")
        if user_id not in conversation.members:
            raise SlackError("user_not_in_channel")
        check_content(args)
        message = self.fake.post_ephemeral(conversation, user_id, args)
        return {"ok": True, "message_ts": message["ts"]}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        conversation = self.fake.conversations.get(args.get("channel") or "")
        if conversation is None:
            raise SlackError("channel_not_found")
        message = self.fake.find_message(conversation.id, args.get("ts") or "")
        if message is None:
            raise SlackError("message_not_found")
        if message.get("bot_id") != self.fake.bot_id:
            raise SlackError("cant_update_message")
        check_content(args)
        self.fake.replace_message(message, args)
        return {
            "ok": True,
            "channel": conversation.id,
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": message,
        }

    # response_url

    async def response_url(self, request: web.Request) -> web.Response:
        target = self.fake.response_targets.get(request.match_info["token"])
        args: dict[str, Any] = {}
        try:
            args = await read_arguments(request)
            if target is None:
                raise SlackError("invalid_url", status=404)
            self._use(target)
            if not args.get("delete_original"):
                check_content(args)
            self.fake.respond(target, args)
            body, status = {"ok": True}, 200
        except SlackError as error:
            body, status = error.body(), (error.status if error.status != 200 else 400)
        self.fake.record(RecordedCall("response_url", args, body, status))
        return json_response(body, status)

    def _use(self, target: ResponseTarget) -> None:
        if self.fake.now() - target.issued_at > self.fake.response_url_lifetime:
            raise SlackError("expired_url", status=404)
        if target.uses >= RESPONSE_URL_USES:
            raise SlackError("used_url", status=404)
        target.uses += 1
