"""Point discord.py's REST base and default gateway at another Discord (the fake, a proxy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def api_base_for(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/api/v10"


def gateway_url_for(base_url: str) -> str:
    url = yarl.URL(base_url)
    scheme = "wss" if url.scheme == "https" else "ws"
    return str(url.with_scheme(scheme).with_path("/gateway"))


@contextmanager
def point_discord_at(base_url: str) -> Iterator[None]:
    """Send every discord.py client in this process to ``base_url`` (e.g. ``fake.url``).

    ``Route.BASE`` is read each time a route is built and ``DEFAULT_GATEWAY`` each time a
    non-sharded client connects (``Client.connect`` never asks ``GET /gateway``), so both are
    process-wide class attributes; they are restored on exit.
    """
    previous = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_base_for(base_url)
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url_for(base_url))
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous
