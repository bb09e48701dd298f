"""What the fake saw, and how tests wait for it without sleeping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.changefeed import ChangeFeed


@dataclass(frozen=True)
class RecordedRequest:
    """One REST call. The Authorization header is kept out of ``headers`` and out of repr."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    headers: Mapping[str, str]
    status: int
    files: tuple[str, ...] = ()
    _authorization: str | None = field(default=None, repr=False)

    @property
    def has_authorization(self) -> bool:
        return bool(self._authorization)

    def authorized_with(self, token: str) -> bool:
        return self._authorization == f"Bot {token}"

    def describe(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


@dataclass(frozen=True)
class InteractionCallback:
    """The body the bot POSTed to /interactions/{id}/{token}/callback."""

    type: int
    data: dict[str, Any]
    elapsed: float
    """Seconds from the INTERACTION_CREATE being sent to the callback arriving."""

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.data.get("choices", [])

    @property
    def ephemeral(self) -> bool:
        return bool(self.data.get("flags", 0) & 64)


class InteractionHandle:
    """One interaction sent to the bot; await what the bot answered."""

    def __init__(
        self,
        payload: dict[str, Any],
        dispatched_at: float,
        changes: ChangeFeed,
    ) -> None:
        self.payload = payload
        self.id: str = payload["id"]
        self.token: str = payload["token"]
        self.dispatched_at = dispatched_at
        self.callback: InteractionCallback | None = None
        self.late_callback: InteractionCallback | None = None
        """A callback that arrived after the deadline and was refused with 10062."""
        self.original: dict[str, Any] | None = None
        self.followup_messages: list[dict[str, Any]] = []
        self.original_edits = 0
        self._changes = changes

    def __repr__(self) -> str:
        kind = self.payload.get("data", {}).get("name") or self.payload.get("data", {}).get(
            "custom_id"
        )
        return f"<InteractionHandle id={self.id} type={self.payload['type']} {kind!r}>"

    async def response(self, timeout: float = 5.0) -> InteractionCallback:
        """The accepted callback; fails at once if the bot answered after the deadline."""

        def accepted() -> InteractionCallback | None:
            if self.late_callback is not None:
                raise AssertionError(
                    f"the bot answered {self!r} after {self.late_callback.elapsed:.2f}s; "
                    "Discord refuses late callbacks with 10062 Unknown interaction"
                )
            return self.callback

        return await self._changes.wait_until(
            accepted,
            timeout=timeout,
            describe=lambda: f"waiting for the callback to {self!r}",
        )

    async def followups(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        return await self._changes.wait_until(
            lambda: list(self.followup_messages) if len(self.followup_messages) >= count else None,
            timeout=timeout,
            describe=lambda: (
                f"waiting for {count} followup(s) to {self!r}, got {len(self.followup_messages)}"
            ),
        )

    async def final_message(self, timeout: float = 5.0) -> dict[str, Any]:
        """The original response once it is no longer a deferred "thinking…" placeholder."""

        def settled() -> dict[str, Any] | None:
            if self.callback is None or self.original is None:
                return None
            if self.callback.type in (5, 6) and self.original_edits == 0:
                return None
            return self.original

        return await self._changes.wait_until(
            settled,
            timeout=timeout,
            describe=lambda: f"waiting for the final message of {self!r}",
        )
