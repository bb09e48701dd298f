"""Stopping an adapter's background jobs (heartbeat, reminder delivery, pruning, knowledge watch).

One cancellation is not enough to stop them: it can be lost (Python 3.11's `asyncio.wait_for`
returns the result instead when both arrive together, and libraries still use it), and the job
then sleeps and loops on. Waiting for it once is how `chatwork-safe-bot run` hung for ever after
Discord refused the Message Content intent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

STOP_WITHIN_SECONDS = 5.0
"""How long stopping waits for the jobs before it reports them and lets the adapter close."""
CANCEL_AGAIN_SECONDS = 0.1
"""A job still running this long after its cancellation is cancelled again."""


async def stop_background_jobs(jobs: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the jobs until they end, for at most STOP_WITHIN_SECONDS; report any left behind.

    Only for jobs with nothing to clean up: a repeated cancellation interrupts clean-up.
    """
    pending = set(jobs)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_WITHIN_SECONDS
    while pending and loop.time() < deadline:
        for job in pending:
            job.cancel()
        _, pending = await asyncio.wait(
            pending, timeout=min(CANCEL_AGAIN_SECONDS, deadline - loop.time())
        )
    if pending:
        log.error(
            "background job(s) still running %.0f s after they were stopped, left behind: %s",
            STOP_WITHIN_SECONDS,
            ", ".join(sorted(job.get_name() for job in pending)),
        )
