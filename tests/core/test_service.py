from bot.core.service import Service


def test_the_service_and_its_reloads_keep_analyses_in_the_cache_dir(tmp_path):
    service = Service(cache_dir=tmp_path)
    (stored,) = tmp_path.glob("analyses-*.marshal")
    stored.unlink()
    engines = service.reload()
    assert list(tmp_path.glob("analyses-*.marshal")) == [stored]
    assert engines.matcher.answer("チャットワークは無料ですか").matched


def test_without_a_cache_dir_the_service_keeps_nothing(tmp_path, monkeypatch):
    """The core reads no setting itself: CACHE_DIR is the command's to pass."""
    for name in ("CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    Service()
    assert list(tmp_path.iterdir()) == []
