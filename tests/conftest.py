"""Every test runs in an empty working directory of its own.

The CLI reads `./.env` and keeps its store in `./data` by default: a developer's own `.env`
(with a real token) must never reach a test, and no test may leave files in the checkout.
"""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def empty_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
