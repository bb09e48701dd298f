"""Pytest fixture and a start/stop helper for slack-bolt apps under test.

Import what you need in a test module::

    from tests.fakeslack.fixtures import fake_slack_fixture, running_app  # noqa: F401

and ask for ``fake_slack`` in a test's parameters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from .server import FakeSlack


@pytest.fixture(name="fake_slack")
async def fake_slack_fixture() -> AsyncIterator[FakeSlack]:
    """A started fake with no manifest (the app may do anything a Slack app can)."""
    async with FakeSlack() as fake:
        yield fake


@asynccontextmanager
async def running_app(
    app: AsyncApp, fake: FakeSlack, *, timeout: float = 5.0
) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect ``app`` over Socket Mode (its client's ``base_url`` must be ``fake.api_base``).

    Returns once the fake has a live connection; closes the handler on exit.
    """
    handler = AsyncSocketModeHandler(app, fake.app_token)
    connections_before = len(fake.socket_mode.connections)
    try:
        await handler.connect_async()
        await fake.wait_for_connection(connections_before + 1, timeout=timeout)
        yield handler
    finally:
        await handler.close_async()
