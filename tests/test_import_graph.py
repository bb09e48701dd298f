"""The package's shape, read from its import statements: one core, stores and adapters around it.

Imports are parsed with `ast` (nothing is executed), including those under `TYPE_CHECKING`:
a circle that only type checkers follow still ties the modules together.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import bot

PACKAGE_ROOT = Path(bot.__file__).parent
CORE = "bot.core"
ADAPTERS = "bot.adapters"
STORE = "bot.store"
PLATFORM_LIBRARIES = ("discord", "slack_bolt", "slack_sdk", "aiosqlite", "sqlite3", "asyncpg")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


def imported_names(name: str) -> set[str]:
    """Every module `name` imports, absolute; `from a import b` counts `a.b` if it is a module."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def internal_imports(name: str) -> set[str]:
    return {imported for imported in imported_names(name) if imported in modules()} - {name}


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import circles in `graph` (module → modules it imports), found by a depth-first search."""
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph.get(name, ())):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_the_graph_sees_the_package() -> None:
    assert "bot.core.assistant" in modules()
    assert "bot.core.ports" in internal_imports("bot.core.assistant")
    assert "bot.store.sqlite" in internal_imports("bot.store")


def test_the_core_imports_no_adapter_and_no_store_implementation() -> None:
    offending = {
        name: sorted(
            imported
            for imported in internal_imports(name)
            if within(imported, ADAPTERS) or within(imported, STORE)
        )
        for name in modules()
        if within(name, CORE)
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_core_imports_no_platform_or_database_library() -> None:
    offending = {
        name: sorted(
            imported
            for imported in imported_names(name)
            if imported.split(".")[0] in PLATFORM_LIBRARIES
        )
        for name in modules()
        if within(name, CORE)
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_importing_the_assistant_loads_no_store_implementation() -> None:
    probe = (
        "import sys, bot.core.assistant; "
        "print(sorted(m for m in sys.modules if m == 'aiosqlite' or m.startswith('bot.store') "
        "or m.split('.')[0] == 'discord'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_no_import_circle_among_the_adapters_modules() -> None:
    adapters = {name for name in modules() if within(name, ADAPTERS)}
    assert "bot.adapters.discord_bot.answers" in adapters
    graph = {name: internal_imports(name) & adapters for name in adapters}
    assert cycles(graph) == []


def test_no_feature_imports_the_discord_client() -> None:
    """The client wires the features together; a feature reaching back would make a circle."""
    importers = {
        name for name in modules() if "bot.adapters.discord_bot.client" in internal_imports(name)
    }
    assert importers == {"bot.adapters.discord_bot.runner"}


def test_the_cycle_finder_finds_circles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"c"}}) == [["a", "b", "a"], ["c", "c"]]


def test_no_adapter_reaches_past_the_assistant() -> None:
    """Adapters use the assistant's methods, never its store, service or engines."""
    private = re.compile(r"assistant\.(_?store|_?service|_?engines)\b")
    offending = {
        name: private.findall(path.read_text(encoding="utf-8"))
        for name, path in modules().items()
        if within(name, ADAPTERS)
    }
    assert {name: found for name, found in offending.items() if found} == {}
