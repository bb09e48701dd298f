"""What the fake saw (Web API calls, acks, response_url posts) and how tests wait for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.changefeed import ChangeFeed


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call or response_url post. The token is kept out of ``args`` and repr."""

    method: str
    """``chat.postMessage``…, or ``response_url`` for a post to one."""
    args: Mapping[str, Any]
    """Query, form and JSON arguments merged, JSON-in-form values (``blocks``) decoded."""
    response: Mapping[str, Any]
    status: int = 200
    _token: str | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")

    @property
    def has_token(self) -> bool:
        return bool(self._token)

    def authorized_with(self, token: str) -> bool:
        return self._token == token

    def describe(self) -> str:
        outcome = "ok" if self.ok else f"error={self.error}"
        return f"{self.method} -> {outcome}"


@dataclass(frozen=True)
class Ack:
    """The envelope acknowledgement the app sent back over the socket."""

    envelope_id: str
    elapsed: float
    """Seconds from the envelope being sent to its ack arriving."""
    payload: dict[str, Any] | None


class EnvelopeHandle:
    """One envelope sent to the app; await its ack and what the app answered."""

    def __init__(
        self,
        envelope: dict[str, Any],
        sent_at: float,
        changes: ChangeFeed,
        *,
        deadline: float,
    ) -> None:
        self.envelope = envelope
        self.envelope_id: str = envelope["envelope_id"]
        self.type: str = envelope["type"]
        self.sent_at = sent_at
        self.deadline = deadline
        self.ack: Ack | None = None
        self.late_ack: Ack | None = None
        """An ack that arrived after Slack's deadline (Slack had already given up)."""
        self.retries: list[EnvelopeHandle] = []
        """Redeliveries Slack made because no ack came in time (events only)."""
        self.replies: list[dict[str, Any]] = []
        """Messages created or replaced through this envelope's response_url."""
        self._changes = changes

    @property
    def payload(self) -> dict[str, Any]:
        return self.envelope["payload"]

    def __repr__(self) -> str:
        payload = self.payload
        what = (
            payload.get("event", {}).get("type")
            or payload.get("command")
            or payload.get("callback_id")
            or [a.get("action_id") for a in payload.get("actions", [])]
        )
        return f"<EnvelopeHandle {self.envelope_id} {self.type} {what!r}>"

    async def acked(self, timeout: float = 5.0) -> Ack:
        """The ack; fails at once if it came after the deadline."""

        def in_time() -> Ack | None:
            if self.late_ack is not None:
                raise AssertionError(
                    f"the app acked {self!r} after {self.late_ack.elapsed:.2f}s; "
                    f"Slack gives up after {self.deadline:.0f}s"
                )
            return self.ack

        return await self._changes.wait_until(
            in_time, timeout=timeout, describe=lambda: f"waiting for the ack of {self!r}"
        )

    async def responses(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The first ``count`` messages posted or replaced through the response_url."""
        return await self._changes.wait_until(
            lambda: list(self.replies) if len(self.replies) >= count else None,
            timeout=timeout,
            describe=lambda: (
                f"waiting for {count} response_url post(s) for {self!r}, got {len(self.replies)}"
            ),
        )
