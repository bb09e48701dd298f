"""The knowledge currently served, and the engines built from it.

Adapters hold one `Service` and ask it for the current engines on every request, so a reload
swaps knowledge atomically and a failed reload keeps the last good version.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.matcher import Matcher
from bot.core.walkthrough import Walkthrough

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engines:
    knowledge: Knowledge
    matcher: Matcher
    walkthrough: Walkthrough

    @classmethod
    def build(cls, knowledge: Knowledge) -> Engines:
        return cls(
            knowledge=knowledge,
            matcher=Matcher.from_knowledge(knowledge),
            walkthrough=Walkthrough(knowledge.walkthrough),
        )


class Service:
    def __init__(self, knowledge_dir: Path | None = None):
        self.knowledge_dir = knowledge_dir
        self.engines = Engines.build(load_knowledge(knowledge_dir))

    def reload(self) -> Engines:
        """Load again; on KnowledgeError the previous engines stay in service and it propagates."""
        engines = Engines.build(load_knowledge(self.knowledge_dir))
        self.engines = engines
        log.info("knowledge reloaded: %d entries", len(engines.knowledge.faq))
        return engines
