"""The knowledge currently served, and the engines built from it.

Adapters hold one `Service` and ask it for the current engines on every request, so a reload
swaps knowledge atomically and a failed reload keeps the last good version.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.core.gcpause import without_collection
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.learned import MessageModel
from bot.core.matcher import Matcher
from bot.core.safety import SafetyChecker
from bot.core.schema import KnowledgeError
from bot.core.walkthrough import Walkthrough

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engines:
    knowledge: Knowledge
    matcher: Matcher
    walkthrough: Walkthrough
    safety: SafetyChecker

    @classmethod
    @without_collection
    def build(cls, knowledge: Knowledge, cache_dir: Path | None = None) -> Engines:
        """`cache_dir`: where what is worth keeping between runs is kept (see `StoredAnalyses`);
        None keeps nothing."""
        return cls(
            knowledge=knowledge,
            matcher=Matcher.from_knowledge(knowledge, cache_dir=cache_dir),
            walkthrough=Walkthrough(knowledge.walkthrough),
            safety=SafetyChecker(
                knowledge.safety, MessageModel(knowledge.messages, knowledge.safety.learned)
            ),
        )

    def train(self) -> None:
        """Train the learned parts (the matcher's ranker, the safety check's model) now."""
        self.matcher.train()
        self.safety.train()


class Service:
    def __init__(self, knowledge_dir: Path | None = None, cache_dir: Path | None = None):
        self.cache_dir = cache_dir
        self.engines = Engines.build(load_knowledge(knowledge_dir, cache_dir), cache_dir)
        self.knowledge_dir = self.engines.knowledge.directory
        threading.Thread(target=self.engines.train, name="train-learned", daemon=True).start()

    def reload(self) -> Engines:
        """Load again; on KnowledgeError the previous engines stay in service and it propagates.
        Runs in a worker thread, so the learned parts are trained here, before the swap."""
        engines = Engines.build(load_knowledge(self.knowledge_dir, self.cache_dir), self.cache_dir)
        engines.train()
        self.engines = engines
        log.info("knowledge reloaded: %d entries", len(engines.knowledge.faq))
        return engines


def knowledge_fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of each knowledge file: cheap to poll, changes on every save."""
    try:
        files = sorted(directory.glob("*.yaml"))
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError:
        return ()


async def watch_knowledge(service: Service, interval: float = 2.0) -> None:
    """`KNOWLEDGE_WATCH=1`: reload when a file changes; a broken save keeps the last good one.

    Polling instead of inotify: no extra dependency, and it works on bind mounts in containers.
    """
    directory = service.engines.knowledge.directory
    seen = knowledge_fingerprint(directory)
    while True:
        await asyncio.sleep(interval)
        current = knowledge_fingerprint(directory)
        if current == seen:
            continue
        seen = current
        try:
            await asyncio.to_thread(service.reload)
        except KnowledgeError as exc:
            log.error("knowledge change rejected, still serving the last good version:\n%s", exc)
