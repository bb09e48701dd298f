"""The knowledge currently served, and the engines built from it.

Adapters hold one `Service` and ask it for the current engines on every request, so a reload
swaps knowledge atomically and a failed reload keeps the last good version. Engines built and
trained are kept in `CACHE_DIR` (see snapshot.py), and served from there on the next start when
the knowledge files and the code are the same.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.gcpause import without_collection
from bot.core.knowledge import Knowledge, default_knowledge_dir, load_knowledge
from bot.core.learned import MessageModel
from bot.core.matcher import Matcher
from bot.core.safety import SafetyChecker
from bot.core.schema import KnowledgeError
from bot.core.snapshot import EngineSnapshot
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
        self.knowledge_dir = (
            Path(knowledge_dir) if knowledge_dir is not None else default_knowledge_dir()
        )
        snapshot = EngineSnapshot(self.knowledge_dir, cache_dir)
        stored = snapshot.read(Engines)
        if stored is None:
            self.engines = self._build()
        else:
            # made from the same files, maybe elsewhere: reloads read this directory
            knowledge = replace(stored.knowledge, directory=self.knowledge_dir)
            self.engines = replace(stored, knowledge=knowledge)
        self._background = threading.Thread(
            target=self._prepare,
            args=(self.engines, snapshot if stored is None else None),
            name="train-learned",
            daemon=True,
        )
        self._background.start()

    def _build(self) -> Engines:
        return Engines.build(load_knowledge(self.knowledge_dir, self.cache_dir), self.cache_dir)

    @staticmethod
    def _prepare(engines: Engines, snapshot: EngineSnapshot | None) -> None:
        """Off the event loop: train the learned parts, then write the snapshot of engines
        built afresh (`snapshot` None: they were read from one, trained)."""
        engines.train()
        if snapshot is not None:
            snapshot.write(engines)

    @property
    def prepared(self) -> bool:
        """Whether the work started with the service is done: until then the first answer or
        check trains the learned stages, or waits for them (seconds on a cold start)."""
        return not self._background.is_alive()

    def wait_prepared(self) -> None:
        """Until the work started with the service is done (the benchmark and tests wait)."""
        self._background.join()

    def reload(self) -> Engines:
        """Load again; on KnowledgeError the previous engines stay in service and it propagates.
        Runs in a worker thread, so the learned parts are trained here, before the swap; the
        new engines are then kept for the next start."""
        snapshot = EngineSnapshot(self.knowledge_dir, self.cache_dir)
        engines = self._build()
        engines.train()
        self.engines = engines
        log.info("knowledge reloaded: %d entries", len(engines.knowledge.faq))
        snapshot.write(engines)
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
