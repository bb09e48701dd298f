"""The workspace of the fake: ids, users, conversations and message timestamps in Slack's shape."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

BROADCAST = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
BARE_BROADCAST = re.compile(r"(?<![\w<!])@(channel|here|everyone)\b")


class Ids:
    """Slack-looking ids (``U0000000002``) and strictly increasing message timestamps."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last_ts = 0.0

    def next(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):010d}"

    def ts(self) -> str:
        """A message ts: seconds with six decimals, unique within the workspace like Slack's."""
        self._last_ts = max(round(time.time(), 6), round(self._last_ts + 0.000001, 6))
        return f"{self._last_ts:.6f}"


@dataclass
class FakeUser:
    id: str
    name: str
    team_id: str
    locale: str = "ja-JP"
    is_bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        """The ``user`` object of interaction payloads."""
        return {"id": self.id, "username": self.name, "name": self.name, "team_id": self.team_id}


@dataclass
class FakeConversation:
    """A channel (``C…``) or the IM (``D…``) between the bot and one user."""

    id: str
    name: str
    members: set[str] = field(default_factory=set)
    is_im: bool = False

    @property
    def channel_type(self) -> str:
        return "im" if self.is_im else "channel"

    def payload(self) -> dict[str, Any]:
        """The ``channel`` object of interaction payloads (IMs are named ``directmessage``)."""
        return {"id": self.id, "name": "directmessage" if self.is_im else self.name}


def pings(message: dict[str, Any]) -> list[str]:
    """Who a posted message notifies: ``channel``/``here``/``everyone`` and user ids.

    Slack turns ``<!here>`` and ``<@U…>`` into notifications in ``text`` and in every mrkdwn
    text object of the blocks; bare ``@here`` only when the message was posted with
    ``link_names`` (or ``parse=full``).
    """
    link_names = message.get("link_names") in (True, 1, "1", "true") or message.get("parse") == (
        "full"
    )
    found: list[str] = []
    for text in [message.get("text") or "", *mrkdwn_texts(message.get("blocks") or [])]:
        found += BROADCAST.findall(text) + USER_MENTION.findall(text)
        if link_names:
            found += BARE_BROADCAST.findall(text)
    return list(dict.fromkeys(found))


def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn ``text`` in a block tree (plain_text is never parsed for mentions)."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = (
        [node["text"]] if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str) else []
    )
    return own + [text for value in node.values() for text in mrkdwn_texts(value)]


def all_texts(node: Any) -> list[str]:
    """Every text object's ``text`` in a block tree, plain_text included (what a user reads)."""
    if isinstance(node, list):
        return [text for item in node for text in all_texts(item)]
    if not isinstance(node, dict):
        return []
    own = (
        [node["text"]]
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str)
        else []
    )
    return own + [text for value in node.values() for text in all_texts(value)]


def interactive_elements(blocks: list[dict[str, Any]]) -> list[tuple[str | None, dict[str, Any]]]:
    """``(block_id, element)`` for every element of ``actions`` blocks and section accessories."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    for block in blocks:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        if block.get("type") == "section" and block.get("accessory"):
            elements.append(block["accessory"])
        found += [(block.get("block_id"), element) for element in elements]
    return found
