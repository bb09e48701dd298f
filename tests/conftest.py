"""Every test runs in an empty working directory of its own.

The CLI reads `./.env` and keeps its store in `./data` by default: a developer's own `.env`
(with a real token) must never reach a test, and no test may leave files in the checkout.
Nor in the user's home: `CACHE_DIR` points at one directory for the whole run (the knowledge's
stored analyses, written by the first command that builds the engines and read by the others).
"""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def empty_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_cache_dir: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CACHE_DIR", str(session_cache_dir))
