"""The gateway half of the fake: HELLO, heartbeats, IDENTIFY/READY, RESUME and dispatches.

discord.py asks for ``compress=zlib-stream`` (or zstd-stream) in the query string but decodes
text frames as plain JSON, so the fake sends text frames and ignores the compression request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeDiscord

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT, INVALID_SESSION, HELLO, HEARTBEAT_ACK = (
    0,
    1,
    2,
    6,
    7,
    9,
    10,
    11,
)

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_DISALLOWED_INTENTS = 4014
CLOSE_UNKNOWN_ERROR = 4000


@dataclass
class GatewayConnection:
    """One websocket the client opened (a reconnect opens a new one)."""

    path: str
    query: dict[str, str]
    ws: web.WebSocketResponse = field(repr=False)
    session: GatewaySession | None = None
    heartbeats: int = 0
    other_ops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.ws.closed


@dataclass
class GatewaySession:
    """A session survives reconnects; events sent while disconnected are replayed on RESUME."""

    session_id: str
    intents: int
    shard: list[int] | None
    sequence: int = 0
    events: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.open

    def has_intent(self, intent: int) -> bool:
        return bool(self.intents & intent)

    async def send(self, event: str, data: dict[str, Any]) -> int:
        async with self.lock:
            self.sequence += 1
            self.events.append((self.sequence, event, data))
            if self.connected:
                assert self.connection is not None
                await _send_json(
                    self.connection.ws, {"op": DISPATCH, "t": event, "s": self.sequence, "d": data}
                )
            return self.sequence

    async def replay_after(self, sequence: int) -> None:
        assert self.connection is not None
        for seq, event, data in [entry for entry in self.events if entry[0] > sequence]:
            await _send_json(self.connection.ws, {"op": DISPATCH, "t": event, "s": seq, "d": data})


async def _send_json(ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
    # If the client went away mid-send it will RESUME and get the event replayed.
    with contextlib.suppress(ConnectionResetError):
        await ws.send_str(json.dumps(payload, ensure_ascii=False))


class FakeGateway:
    """Gateway state and the websocket handler; the test-side API lives on FakeDiscord."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval_ms: int) -> None:
        self._fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.connections: list[GatewayConnection] = []
        self.sessions: list[GatewaySession] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.dropped_events: list[tuple[str, dict[str, Any]]] = []
        self.privileged_intents_allowed = False

    @property
    def current_session(self) -> GatewaySession | None:
        return self.sessions[-1] if self.sessions else None

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = GatewayConnection(path=request.path, query=dict(request.query), ws=ws)
        self.connections.append(connection)
        self._fake.changes.notify()
        try:
            await _send_json(
                ws,
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                },
            )
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._on_payload(connection, json.loads(message.data))
        finally:
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            self._fake.changes.notify()
        return ws

    async def _on_payload(self, connection: GatewayConnection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            connection.heartbeats += 1
            await _send_json(connection.ws, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(connection, data)
        elif op == RESUME:
            await self._resume(connection, data)
        else:
            connection.other_ops.append(payload)
        self._fake.changes.notify()

    async def _identify(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        self.identifies.append({key: value for key, value in data.items() if key != "token"})
        if data.get("token") != self._fake.token:
            await connection.ws.close(
                code=CLOSE_AUTHENTICATION_FAILED, message=b"Authentication failed."
            )
            return
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED_INTENTS and not self.privileged_intents_allowed:
            await connection.ws.close(
                code=CLOSE_DISALLOWED_INTENTS, message=b"Disallowed intent(s)."
            )
            return
        session = GatewaySession(
            session_id=f"fake-session-{len(self.sessions) + 1}",
            intents=intents,
            shard=data.get("shard"),
        )
        self.sessions.append(session)
        connection.session = session
        session.connection = connection
        await session.send("READY", self._fake.ready_payload(session))
        for guild in self._fake.guilds.values():
            await session.send("GUILD_CREATE", guild.payload())

    async def _resume(self, connection: GatewayConnection, data: dict[str, Any]) -> None:
        self.resumes.append({key: value for key, value in data.items() if key != "token"})
        session = next(
            (s for s in self.sessions if s.session_id == data.get("session_id")),
            None,
        )
        if session is None or data.get("token") != self._fake.token:
            await _send_json(
                connection.ws, {"op": INVALID_SESSION, "d": False, "s": None, "t": None}
            )
            return
        connection.session = session
        session.connection = connection
        async with session.lock:
            await session.replay_after(int(data.get("seq") or 0))
        await session.send("RESUMED", {})

    async def send_op(self, op: int, data: Any) -> None:
        connection = self._live_connection()
        await _send_json(connection.ws, {"op": op, "d": data, "s": None, "t": None})

    async def close_current(self, code: int) -> None:
        await self._live_connection().ws.close(code=code, message=b"fake discord closed it")

    def _live_connection(self) -> GatewayConnection:
        session = self.current_session
        if session is None or session.connection is None or not session.connection.open:
            raise RuntimeError("fake discord: no client is connected to the gateway")
        return session.connection

    async def close_all(self) -> None:
        open_connections = [c for c in self.connections if c.open]
        await asyncio.gather(
            *(
                c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake discord stopping")
                for c in open_connections
            ),
            return_exceptions=True,
        )

    def describe(self) -> str:
        lines = [f"{len(self.connections)} gateway connection(s)"]
        for session in self.sessions:
            lines.append(
                f"session {session.session_id}: intents={session.intents} "
                f"seq={session.sequence} connected={session.connected}"
            )
        return "; ".join(lines)
