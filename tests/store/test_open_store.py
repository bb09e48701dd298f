"""`open_store`: what it creates, what it refuses, and read-only opening for reports."""

from pathlib import Path

import pytest

from bot.core.ports import StoreError
from bot.store import DEFAULT_FILENAME, open_store


async def test_a_data_directory_is_created(tmp_path: Path) -> None:
    async with await open_store(tmp_path / "new" / "data"):
        pass
    assert (tmp_path / "new" / "data" / DEFAULT_FILENAME).is_file()


async def test_a_url_into_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        await open_store(f"sqlite:///{tmp_path}/missing/bot.db")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("url", ["sqlite://x", "sqlite://data/bot.db"])
async def test_a_url_with_a_host_part_is_invalid(url: str) -> None:
    with pytest.raises(StoreError, match="three or four slashes"):
        await open_store(url)


async def test_read_only_open_of_a_missing_store_creates_nothing(tmp_path: Path) -> None:
    async with await open_store(tmp_path / "data", read_only=True) as store:
        assert await store.last_beat() is None
        assert await store.questions() == []
    assert list(tmp_path.iterdir()) == []


async def test_read_only_open_reads_an_existing_store(tmp_path: Path) -> None:
    async with await open_store(tmp_path) as store:
        store.record_question("大阪の観光地は", "none", "ja")
    async with await open_store(tmp_path, read_only=True) as store:
        assert [q.text for q in await store.questions()] == ["大阪の観光地は"]
