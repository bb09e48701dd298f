"""The Socket Mode half of the fake: URLs from apps.connections.open, ``hello``, envelopes, acks.

A connection opens on the URL the Web API issued (``ws://127.0.0.1:…/link/?ticket=…``); the
fake greets it with ``hello`` and then sends envelopes to the newest open connection, as Slack
spreads them over an app's connections. Whatever the app sends back with an ``envelope_id`` is
its ack. ``disconnect`` (``refresh_requested``) asks the app to fetch a new URL and reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSCloseCode, WSMsgType, web

if TYPE_CHECKING:
    from .server import FakeSlack


@dataclass
class SocketConnection:
    """One websocket the app opened (a reconnect opens a new one)."""

    ticket: str
    ws: web.WebSocketResponse = field(repr=False)
    received: list[dict[str, Any]] = field(default_factory=list)
    """Every JSON frame the app sent (acks, and anything else it should not have sent)."""

    @property
    def open(self) -> bool:
        return not self.ws.closed


class SocketModeServer:
    def __init__(self, fake: FakeSlack) -> None:
        self._fake = fake
        self.tickets: set[str] = set()
        self.connections: list[SocketConnection] = []

    def issue_url(self) -> str:
        ticket = str(uuid.uuid4())
        self.tickets.add(ticket)
        return f"{self._fake.ws_url}/link/?ticket={ticket}&app_id={self._fake.app_id}"

    @property
    def live(self) -> SocketConnection | None:
        open_connections = [c for c in self.connections if c.open]
        return open_connections[-1] if open_connections else None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = SocketConnection(ticket, ws)
        self.connections.append(connection)
        try:
            await self.send_to(connection, self._hello())
            self._fake.changes.notify()
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    self._on_frame(connection, frame.data)
        finally:
            self._fake.changes.notify()
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": sum(1 for c in self.connections if c.open),
            "debug_info": {
                "host": "applink-fake",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self._fake.app_id},
        }

    def _on_frame(self, connection: SocketConnection, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            frame = {"unparsed": data}
        connection.received.append(frame)
        if isinstance(frame, dict) and "envelope_id" in frame:
            self._fake.on_ack(frame["envelope_id"], frame.get("payload"))
        self._fake.changes.notify()

    @staticmethod
    async def send_to(connection: SocketConnection, message: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionResetError):
            await connection.ws.send_str(json.dumps(message, ensure_ascii=False))

    async def request_reconnect(self) -> None:
        """Send ``disconnect`` (refresh_requested) on the live connection, as Slack does hourly."""
        connection = self.live
        if connection is None:
            raise RuntimeError("fake slack: no app is connected over Socket Mode")
        await self.send_to(
            connection,
            {
                "type": "disconnect",
                "reason": "refresh_requested",
                "debug_info": {"host": "applink-fake"},
            },
        )

    async def drop(self) -> None:
        """Close the live connection without warning, as a network failure would."""
        connection = self.live
        if connection is None:
            raise RuntimeError("fake slack: no app is connected over Socket Mode")
        await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake slack dropped it")

    async def close_all(self) -> None:
        await asyncio.gather(
            *(
                c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"fake slack stopping")
                for c in self.connections
                if c.open
            ),
            return_exceptions=True,
        )

    def describe(self) -> str:
        opened = sum(1 for c in self.connections if c.open)
        return f"{len(self.connections)} socket connection(s), {opened} open"
