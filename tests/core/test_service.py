import logging
import shutil
from pathlib import Path

import pytest
import yaml

import bot.core.service as service_module
from bot.core.knowledge import default_knowledge_dir
from bot.core.learned import NaiveBayes, SoftmaxRegression
from bot.core.service import Engines, Service
from bot.core.snapshot import EngineSnapshot
from tests.core.conftest import cache_copy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def cases(name: str, field: str) -> list[str]:
    return [case[field] for case in yaml.safe_load((FIXTURES / name).read_bytes())["cases"]]


QUESTIONS = [
    *cases("eval_questions.yaml", "q"),
    "のうひん",
    "ちゃとわのつうちがこない",
    "@bot チャットワークは無料ですか",
    "how do I get paid before the escrow?",
    "打ち間違えたまま送っちゃった。あとから直せますか",
    "ポケモンで一番強いのってどれ",
    "",
    "前はUpworkで仕事をしていました。チャットワークの無料プランでビデオ通話はできますか？" * 3,
]
"""Varied on purpose: kana only, addressed to the bot, English, plain words, off topic, empty,
and a long post past MAX_QUESTION_CHARS."""
MESSAGES = [*cases("eval_client_messages.yaml", "text"), "", "c h a t w o r k で連絡しましょう"]
EDITED_PHRASING = "ペンギンの飼育当番表はどこで共有しますか"


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
    Service().wait_prepared()
    assert list(tmp_path.iterdir()) == []


# -- the engine snapshot ------------------------------------------------------------------------


def forbid_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the knowledge, building the engines and training fail the test: a service
    started from its snapshot does none of them."""

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("built or trained instead of read from the snapshot")

    monkeypatch.setattr(service_module, "load_knowledge", not_here)
    monkeypatch.setattr(Engines, "build", not_here)
    monkeypatch.setattr(NaiveBayes, "__init__", not_here)
    monkeypatch.setattr(SoftmaxRegression, "trained", not_here)
    monkeypatch.setattr(SoftmaxRegression, "load", not_here)


def snapshots(cache: Path) -> list[Path]:
    return sorted(cache.glob("engines-*.pickle"))


def edited_knowledge(destination: Path) -> Path:
    """A copy of the shipped knowledge with one phrasing changed."""
    knowledge = Path(shutil.copytree(default_knowledge_dir(), destination))
    faq = knowledge / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    assert text.count('"仕事用のLINEみたいなやつ"') == 1
    faq.write_text(text.replace('"仕事用のLINEみたいなやつ"', f'"{EDITED_PHRASING}"'), "utf-8")
    return knowledge


def test_a_service_started_from_the_snapshot_answers_and_checks_as_the_fresh_one(
    fresh_service, tmp_path, monkeypatch
):
    cache = cache_copy(fresh_service, tmp_path / "cache")
    (snapshot,) = snapshots(cache)
    written = snapshot.stat().st_mtime_ns
    forbid_building(monkeypatch)
    served = Service(cache_dir=cache)
    fresh, warm = fresh_service.engines, served.engines
    assert warm.knowledge == fresh.knowledge
    for question in QUESTIONS:
        assert (
            warm.matcher.answer(question, explain=True).as_dict()
            == fresh.matcher.answer(question, explain=True).as_dict()
        )
        assert warm.matcher.rank(question, limit=25) == fresh.matcher.rank(question, limit=25)
    for message in MESSAGES:
        assert (
            warm.safety.check(message, explain=True).as_dict()
            == fresh.safety.check(message, explain=True).as_dict()
        )
    assert warm.walkthrough.steps == fresh.walkthrough.steps
    served.wait_prepared()
    assert snapshots(cache) == [snapshot] and snapshot.stat().st_mtime_ns == written


def test_the_same_files_elsewhere_are_served_with_their_own_directory(
    fresh_service, tmp_path, monkeypatch
):
    """Reloads and KNOWLEDGE_WATCH read the served knowledge's directory."""
    knowledge = Path(shutil.copytree(default_knowledge_dir(), tmp_path / "knowledge"))
    forbid_building(monkeypatch)
    served = Service(knowledge, cache_copy(fresh_service, tmp_path / "cache"))
    assert served.knowledge_dir == served.engines.knowledge.directory == knowledge


def test_an_edited_knowledge_file_is_built_afresh_then_kept(fresh_service, tmp_path, monkeypatch):
    cache = cache_copy(fresh_service, tmp_path / "cache")
    (before,) = snapshots(cache)
    edited = Service(edited_knowledge(tmp_path / "knowledge"), cache)
    assert edited.engines.matcher.answer(EDITED_PHRASING).entry.id == "what-is-chatwork"
    assert not fresh_service.engines.matcher.answer(EDITED_PHRASING).matched
    edited.wait_prepared()
    (after,) = snapshots(cache)
    assert after != before
    forbid_building(monkeypatch)
    again = Service(edited.knowledge_dir, cache)
    assert again.engines.matcher.answer(EDITED_PHRASING).entry.id == "what-is-chatwork"


def test_a_reload_builds_afresh_then_keeps_the_new_engines(fresh_service, tmp_path, monkeypatch):
    knowledge = Path(shutil.copytree(default_knowledge_dir(), tmp_path / "knowledge"))
    cache = cache_copy(fresh_service, tmp_path / "cache")
    (before,) = snapshots(cache)
    service = Service(knowledge, cache)
    edited_knowledge(tmp_path / "edited")
    shutil.copy(tmp_path / "edited" / "faq.yaml", knowledge / "faq.yaml")
    engines = service.reload()
    assert service.engines is engines
    assert engines.matcher.answer(EDITED_PHRASING).entry.id == "what-is-chatwork"
    (after,) = snapshots(cache)
    assert after != before
    forbid_building(monkeypatch)
    again = Service(knowledge, cache)
    assert again.engines.matcher.answer(EDITED_PHRASING).entry.id == "what-is-chatwork"


def test_a_corrupt_snapshot_is_ignored_with_one_warning(fresh_service, tmp_path, caplog):
    cache = cache_copy(fresh_service, tmp_path / "cache")
    (snapshot,) = snapshots(cache)
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snapshot.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING):
        service = Service(cache_dir=cache)
        service.wait_prepared()
    warnings = [r for r in caplog.records if r.name == "bot.core.snapshot"]
    assert len(warnings) == 1 and "ignoring the engine snapshot" in warnings[0].getMessage()
    for question in QUESTIONS[:10]:
        assert (
            service.engines.matcher.answer(question).as_dict()
            == fresh_service.engines.matcher.answer(question).as_dict()
        )
    assert isinstance(EngineSnapshot(service.knowledge_dir, cache).read(Engines), Engines)
