import builtins
import logging
import os
import pickle
from collections.abc import Callable

import pytest

from bot.core.service import Engines, Service
from bot.core.snapshot import EngineSnapshot, restricted_loads, snapshot_key
from bot.core.words import write_checked


class Call:
    """Pickles as a call of `function` with `args`: what a forged file would hold."""

    def __init__(self, function: Callable[..., object], *args: object):
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Callable[..., object], tuple[object, ...]]:
        return self.function, self.args


@pytest.mark.parametrize(
    "forged",
    [
        lambda marker: Call(os.system, f"touch {marker}"),
        lambda marker: Call(builtins.eval, f"open({str(marker)!r}, 'w')"),
        lambda marker: Call(builtins.__import__, "subprocess"),
        lambda marker: Call(write_checked, marker, b"", "none"),
        lambda marker: Call(Service, None, marker),
    ],
    ids=["os.system", "eval", "__import__", "a function of ours", "a class of ours"],
)
def test_the_unpickler_refuses_anything_but_what_engines_are_made_of(tmp_path, forged):
    marker = tmp_path / "ran"
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        restricted_loads(pickle.dumps(forged(marker)))
    assert not marker.exists()


def test_a_snapshot_that_names_anything_else_is_ignored_with_one_warning(tmp_path, caplog):
    snapshot = EngineSnapshot(tmp_path / "knowledge", tmp_path / "cache")
    assert snapshot.path is not None
    marker = tmp_path / "ran"
    forged = pickle.dumps(
        (snapshot_key(tmp_path / "knowledge"), Call(os.system, f"touch {marker}"))
    )
    write_checked(snapshot.path, forged, "engines-*")
    with caplog.at_level(logging.WARNING):
        assert snapshot.read(Engines) is None
    assert "refusing posix.system" in caplog.text and len(caplog.records) == 1
    assert not marker.exists()


@pytest.mark.parametrize(
    "stored",
    [lambda key, engines: ("another key", engines), lambda key, engines: (key, ["not engines"])],
    ids=["another key", "not engines"],
)
def test_a_snapshot_of_something_else_is_ignored_with_one_warning(
    fresh_service, tmp_path, caplog, stored
):
    snapshot = EngineSnapshot(fresh_service.knowledge_dir, tmp_path)
    assert snapshot.path is not None
    key = snapshot_key(fresh_service.knowledge_dir)
    write_checked(snapshot.path, pickle.dumps(stored(key, fresh_service.engines)), "engines-*")
    with caplog.at_level(logging.WARNING):
        assert snapshot.read(Engines) is None
    assert "made by another version" in caplog.text and len(caplog.records) == 1


def test_an_unwritable_cache_directory_costs_one_warning(fresh_service, tmp_path, caplog):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    snapshot = EngineSnapshot(fresh_service.knowledge_dir, blocked / "cache")
    with caplog.at_level(logging.WARNING):
        snapshot.write(fresh_service.engines)
        assert snapshot.read(Engines) is None
    assert "cannot write the engine snapshot" in caplog.text and len(caplog.records) == 1


def test_without_a_cache_directory_nothing_is_read_or_written(fresh_service):
    snapshot = EngineSnapshot(fresh_service.knowledge_dir, None)
    snapshot.write(fresh_service.engines)
    assert snapshot.path is None and snapshot.read(Engines) is None


def test_the_key_is_made_of_every_knowledge_files_name_and_bytes(tmp_path):
    (tmp_path / "faq.yaml").write_text("entries: []\n")
    first = snapshot_key(tmp_path)
    (tmp_path / "faq.yaml").write_text("entries: [] \n")
    edited = snapshot_key(tmp_path)
    (tmp_path / "faq.yaml").rename(tmp_path / "other.yaml")
    renamed = snapshot_key(tmp_path)
    assert len({first, edited, renamed}) == 3
    assert snapshot_key(tmp_path) == renamed
