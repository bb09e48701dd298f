"""Stopping background jobs: a lost cancellation is repeated, a job that will not stop is named."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.adapters import background
from bot.adapters.background import stop_background_jobs


async def test_a_job_that_lost_its_cancellation_is_cancelled_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lost = asyncio.Event()

    async def heartbeat() -> None:
        """As a job whose store call ended with the cancellation, under `asyncio.wait_for`."""
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            lost.set()
        await asyncio.sleep(3600)

    job = asyncio.create_task(heartbeat(), name="heartbeat")
    await asyncio.sleep(0)

    await stop_background_jobs([job])

    assert lost.is_set() and job.cancelled()
    assert "left behind" not in caplog.text


async def test_a_job_that_will_not_stop_is_named_and_left_behind(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(background, "STOP_WITHIN_SECONDS", 0.3)
    released = asyncio.Event()

    async def stubborn() -> None:
        while not released.is_set():
            try:
                await released.wait()
            except asyncio.CancelledError:
                continue

    job = asyncio.create_task(stubborn(), name="stubborn job")
    quick = asyncio.create_task(asyncio.sleep(3600), name="quick job")
    await asyncio.sleep(0)

    with caplog.at_level(logging.ERROR, logger=background.__name__):
        await stop_background_jobs([job, quick])

    assert quick.cancelled() and not job.done()
    [record] = caplog.records
    assert "stubborn job" in record.getMessage() and "quick job" not in record.getMessage()
    released.set()
    await job
