"""Fixtures shared by the core's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.service import Service


@pytest.fixture(scope="session")
def fresh_service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The shipped knowledge's service built afresh in an empty cache directory, its engines
    trained and kept there (`cache_dir` holds the snapshot). Tests copy the directory
    (`cache_copy`) rather than change it."""
    service = Service(cache_dir=tmp_path_factory.mktemp("snapshot"))
    service.wait_prepared()
    return service


def cache_copy(service: Service, destination: Path) -> Path:
    """A copy of the service's cache directory: its snapshot, analyses and regression."""
    assert service.cache_dir is not None
    return Path(shutil.copytree(service.cache_dir, destination))
