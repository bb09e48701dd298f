"""The engines, built and trained, kept in `CACHE_DIR` between runs.

A warm start used to parse and validate the knowledge (0.6 s), build the engines from it (1.3 s)
and train the learned parts (0.2 s before the first answer); reading them back from one file of
about 19 MB takes 0.45 s, 0.27 s of which compile the safety rules' regexes again (a compiled
pattern is pickled as its text). The file holds the validated knowledge and the trained engines,
pickled: they are a graph of our own classes, pydantic models, numpy arrays and regexes, which
pickle writes and reads as they are, with no new dependency and no file format of our own to
keep in step with every class.

Pickle runs code named by the file when it reads it. This file is the bot's own: written by the
bot, atomically, into the user's own cache directory, behind a SHA-256 digest checked before
anything is unpickled (`write_checked`), like the stored analyses (marshal) and the stored
regression. As defence in depth the reader resolves only the classes the engines are made of
and the few reconstructors pickle needs for containers, numpy arrays, regexes and paths, and
refuses any other name (`os.system`, `builtins.eval`, any function of ours).

The file's name carries its key: the core's code, the analyser (see `stored_analyses_key`), the
versions of the libraries whose objects it holds, and every knowledge file's name and bytes.
Any change is a miss, and the engines are built as without a file, then written once trained.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
from pathlib import Path
from typing import TypeVar

import numpy as np
import pydantic

from bot.core.gcpause import collection_paused
from bot.core.schema import Strict
from bot.core.words import checked_payload, core_code_digest, stored_analyses_key, write_checked

log = logging.getLogger(__name__)

_PREFIX = "engines-"
_SUFFIX = ".pickle"
_PROTOCOL = 5

T = TypeVar("T")

_ENGINE_CLASSES = {
    "bot.core.service": frozenset({"Engines"}),
    "bot.core.knowledge": frozenset({"Knowledge"}),
    "bot.core.matcher": frozenset({"Matcher", "_Terms"}),
    "bot.core.words": frozenset({"Analysis", "KanaSpeller", "Lexicon", "SwappedLetters", "Word"}),
    "bot.core.learned": frozenset({"MessageModel", "NaiveBayes", "SoftmaxRegression", "_Trained"}),
    "bot.core.safety": frozenset({"SafetyChecker", "_CompiledRule", "_CompiledTemplate"}),
    "bot.core.walkthrough": frozenset({"Walkthrough"}),
}
"""Our classes in a snapshot besides the knowledge files' schema (any `Strict` model)."""
_RECONSTRUCTORS = {
    "builtins": frozenset({"list"}),
    "collections": frozenset({"defaultdict"}),
    "numpy": frozenset({"dtype", "ndarray"}),
    "numpy._core.multiarray": frozenset({"_reconstruct", "scalar"}),
    "numpy._core.numeric": frozenset({"_frombuffer"}),
    "pathlib": frozenset({"PosixPath", "WindowsPath"}),
    "re": frozenset({"_compile"}),
}
"""What pickle names to rebuild the rest: the matcher's defaultdicts (of lists), numpy's
reconstructors of arrays and scalars, compiled regexes (compiled again) and paths. Other
containers have opcodes of their own."""


class _EngineUnpickler(pickle.Unpickler):
    """Resolves only the names above (see the module's docstring for why it is pickle)."""

    def find_class(self, module: str, name: str) -> object:
        if name in _RECONSTRUCTORS.get(module, ()) or name in _ENGINE_CLASSES.get(module, ()):
            return super().find_class(module, name)
        if module.startswith("bot.core.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and issubclass(found, Strict):
                return found
        raise pickle.UnpicklingError(f"refusing {module}.{name}: not part of the engines")


def restricted_loads(data: bytes) -> object:
    """`pickle.loads`, resolving only what the engines are made of."""
    return _EngineUnpickler(io.BytesIO(data)).load()


def snapshot_key(knowledge_dir: Path) -> str | None:
    """Everything the engines are made from (see the module's docstring); None when a
    knowledge file cannot be read (loading it then says why)."""
    digest = hashlib.sha256(core_code_digest())
    for part in (stored_analyses_key(), np.__version__, pydantic.VERSION, str(_PROTOCOL)):
        digest.update(part.encode() + b"\0")
    try:
        for path in sorted(knowledge_dir.glob("*.yaml")):
            data = path.read_bytes()
            digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    except OSError:
        return None
    return digest.hexdigest()[:32]


class EngineSnapshot:
    """The snapshot for one version of a knowledge directory, in `cache_dir`. Its key is read
    from the files before they are loaded, and again before the engines made from them are
    written: a file saved in between is not stored under the older bytes' key. A file that
    cannot be read, is corrupt or cannot be written costs one warning; without a directory,
    nothing is read or written."""

    def __init__(self, knowledge_dir: Path, cache_dir: Path | None):
        self._knowledge_dir = knowledge_dir
        self._warned = False
        self._key = snapshot_key(knowledge_dir) if cache_dir is not None else None
        self.path = (
            cache_dir / f"{_PREFIX}{self._key}{_SUFFIX}"
            if cache_dir is not None and self._key is not None
            else None
        )

    def read(self, kind: type[T]) -> T | None:
        """The stored `kind`, or None: no file (a first start, or a change), or an unusable one."""
        if self.path is None:
            return None
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._warn("cannot read the engine snapshot %s (%s); building afresh", self.path, exc)
            return None
        try:
            with collection_paused():
                stored = restricted_loads(checked_payload(data))
        # Unpickling runs the classes' own code: whatever it raises, the file is unusable, and
        # the bot starts as without it.
        except Exception as exc:
            self._warn("ignoring the engine snapshot %s (%s); building afresh", self.path, exc)
            return None
        match stored:
            case (self._key, kind() as engines):
                return engines
        self._warn("ignoring the engine snapshot %s (made by another version)", self.path)
        return None

    def write(self, engines: object) -> None:
        """Store trained engines, unless the knowledge files changed since the key was read;
        older snapshots are removed."""
        if self.path is None or snapshot_key(self._knowledge_dir) != self._key:
            return
        payload = pickle.dumps((self._key, engines), protocol=_PROTOCOL)
        try:
            write_checked(self.path, payload, f"{_PREFIX}*{_SUFFIX}")
        except OSError as exc:
            self._warn(
                "cannot write the engine snapshot in %s (%s); every start will build the engines",
                self.path.parent,
                exc,
            )

    def _warn(self, message: str, *args: object) -> None:
        """One warning per snapshot: a directory that cannot be read cannot be written either."""
        if not self._warned:
            self._warned = True
            log.warning(message, *args)
