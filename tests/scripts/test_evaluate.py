"""`make eval` passes or fails by the shares over all sets, not by a single miss."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "evaluate.py"
spec = importlib.util.spec_from_file_location("evaluate", SCRIPT)
assert spec is not None and spec.loader is not None
evaluate = importlib.util.module_from_spec(spec)
sys.modules["evaluate"] = evaluate  # dataclasses look their module up there
spec.loader.exec_module(evaluate)


def tallies(hits_per_hundred: int) -> dict:
    result = {name: evaluate.Tally() for name in evaluate.THRESHOLDS}
    for tally in result.values():
        tally.add(hits_per_hundred, 100)
    return result


def test_one_miss_is_reported_but_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.summarise("regression sets", tallies(99), True) is True
    out = capsys.readouterr().out
    assert "summary" in out and out.count("99/100 (99.0%, needs 95%)") == len(evaluate.THRESHOLDS)


def test_a_share_under_its_threshold_fails(capsys: pytest.CaptureFixture[str]) -> None:
    below = tallies(99)
    below["ordinary messages left alone"] = evaluate.Tally(90, 100)
    assert evaluate.summarise("regression sets", below, True) is False
    assert "FAIL ordinary messages left alone: 90/100" in capsys.readouterr().out


def test_groups_not_held_to_thresholds_print_figures_without_a_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    evaluate.summarise("held-out set", tallies(50), False)
    out = capsys.readouterr().out
    assert "== summary: held-out set" in out and "50/100 (50.0%)" in out
    assert "FAIL" not in out and "needs" not in out


def test_cases_with_line_breaks_are_checked_whole_and_in_order() -> None:
    texts = [
        "LINE交換しましょう",
        "募集要項\n・連絡はLINEでお願いします\n・報酬は1本3,000円",
        "締め切りは金曜です",
    ]
    replies = evaluate._run_batch("check", texts)
    assert [reply["text"] for reply in replies] == texts
    assert [reply["risk"] != "none" for reply in replies] == [True, True, False]
