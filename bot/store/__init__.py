"""Implementations of the core's `Store` port; `open_store` picks one from a URL or a path."""

from __future__ import annotations

import os
from pathlib import Path

from bot.core.ports import Store, StoreError
from bot.store.sqlite import MEMORY, SqliteStore

__all__ = ["DEFAULT_FILENAME", "open_store", "sqlite_path"]

DEFAULT_FILENAME = "chatwork-safe-bot.sqlite3"
_SQLITE_PREFIX = "sqlite://"
_FILE_SUFFIXES = {".db", ".sqlite", ".sqlite3"}


def sqlite_path(url_or_path: str | os.PathLike[str]) -> Path | str:
    """The SQLite file for a `sqlite:///` URL, a file path or a data directory.

    URLs follow the SQLAlchemy convention people already paste into `DATABASE_URL`:
    `sqlite:///data/bot.db` is relative, `sqlite:////data/bot.db` absolute, `sqlite://` or
    `sqlite:///:memory:` in memory. A path is a file when it is an existing file or ends in
    .db/.sqlite/.sqlite3, otherwise a data directory that gets `DEFAULT_FILENAME` inside it
    (the default `./data` need not exist yet).
    """
    text = os.fspath(url_or_path)
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme != "sqlite":
            raise StoreError(f"unsupported store URL scheme {scheme!r}: only sqlite:/// for now")
        rest = text[len(_SQLITE_PREFIX) :]
        if rest and not rest.startswith("/"):
            raise StoreError(
                f"invalid store URL {text!r}: write sqlite:///relative/file.db or "
                "sqlite:////absolute/file.db (three or four slashes)"
            )
        text = rest.removeprefix("/")
        if text in ("", MEMORY):
            return MEMORY
    elif text == MEMORY:
        return MEMORY
    path = Path(text).expanduser()
    if path.is_file() or (not path.is_dir() and path.suffix.lower() in _FILE_SUFFIXES):
        return path
    return path / DEFAULT_FILENAME


async def open_store(url_or_path: str | os.PathLike[str], *, read_only: bool = False) -> Store:
    """Open the store; raises StoreError with one line.

    A data directory is created when missing (the default `./data` need not exist), but the
    directory of a file named by URL must exist: a typo there should not start an empty store.
    `read_only` callers (`report`, `health`) never create anything: a store that does not
    exist yet reads as an empty one.
    """
    path = sqlite_path(url_or_path)
    if path != MEMORY and "://" in os.fspath(url_or_path) and not Path(path).parent.is_dir():
        raise StoreError(
            f"the directory of the store file {path} does not exist: create it or fix DATABASE_URL"
        )
    if read_only and path != MEMORY and not Path(path).is_file():
        path = MEMORY
    return await SqliteStore.open(path)
