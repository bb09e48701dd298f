"""`make eval`: score the bot through the same command-line path users and tools call.

Three groups, reported apart:
- regression sets in tests/fixtures/ (each validation set was written by someone who had not seen
  the knowledge, then tuned on) and the development sets in ../shared/eval/ when that folder
  exists (a user's clone has none): `make eval` passes or fails on these, by thresholds;
- first-pass sets in tests/firstpass/: newer unseen sets whose first-pass figures are in their
  headers, not yet held to the regression thresholds;
- the held-out set in tests/heldout/: frozen, never tuned on; the honest figure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = Path(os.environ.get("EVAL_DIR", ROOT.parent / "shared" / "eval"))
FIXTURES = ROOT / "tests" / "fixtures"
FIRST_PASS = ROOT / "tests" / "firstpass"
HELD_OUT = ROOT / "tests" / "heldout"
BOT = [sys.executable, "-m", "bot"]


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _run(arguments: list[str], stdin: str | None = None) -> list[dict]:
    result = subprocess.run(
        [*BOT, *arguments], input=stdin, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if result.returncode != 0:
        raise SystemExit(f"`{' '.join(arguments[:3])}` failed:\n{result.stderr}")
    return [json.loads(line) for line in result.stdout.splitlines()]


def _run_batch(command: str, texts: list[str]) -> list[dict]:
    """One subprocess for all one-line cases (the `--json --batch -` contract, line for line);
    a case with line breaks (a job post, a list) is passed whole, in a process of its own."""
    single = [text for text in texts if "\n" not in text]
    replies = iter(_run([command, "--json", "--batch", "-"], "\n".join(single) + "\n"))
    return [
        next(replies) if "\n" not in text else _run([command, "--json", text])[0] for text in texts
    ]


THRESHOLDS = {
    "in-scope questions answered with the required facts": 0.95,
    "out-of-scope questions not answered": 0.95,
    "risky messages flagged with the expected advice": 0.95,
    "ordinary messages left alone": 0.95,
}
"""Shares over all sets that `make eval` needs to pass: a single miss is printed, not fatal."""


@dataclass
class Tally:
    hits: int = 0
    total: int = 0

    def add(self, hits: int, total: int) -> None:
        self.hits += hits
        self.total += total

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 1.0


def score_questions(path: Path, tallies: dict[str, Tally], show_misses: bool = True) -> None:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    replies = _run_batch("ask", [case["q"] for case in cases])
    in_scope = [(c, r) for c, r in zip(cases, replies, strict=True) if not c.get("none")]
    out_scope = [(c, r) for c, r in zip(cases, replies, strict=True) if c.get("none")]
    misses = []
    answered = 0
    for case, reply in in_scope:
        text = _normalise(reply["answer"])
        if reply["matched"] and all(re.search(p, text) for p in case["expect"]):
            answered += 1
        else:
            misses.append((case, reply))
    rejected = 0
    for case, reply in out_scope:
        if reply["matched"]:
            misses.append((case, reply))
        else:
            rejected += 1
    print(f"\n== {path}")
    print(
        f"in-scope answered with the required facts: {answered}/{len(in_scope)}"
        f" ({100 * answered / max(1, len(in_scope)):.1f}%)"
    )
    print(
        f"out-of-scope not answered:                 {rejected}/{len(out_scope)}"
        f" ({100 * rejected / max(1, len(out_scope)):.1f}%)"
    )
    for case, reply in misses if show_misses else ():
        expected = "no answer" if case.get("none") else " & ".join(case["expect"])
        print(
            f"  MISS {case['q']!r}: got {reply['entry_id']} (score {reply['score']}, "
            f"suggestions {reply['suggestions']}), expected {expected}"
        )
    tallies["in-scope questions answered with the required facts"].add(answered, len(in_scope))
    tallies["out-of-scope questions not answered"].add(rejected, len(out_scope))


def score_messages(path: Path, tallies: dict[str, Tally], show_misses: bool = True) -> None:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    reports = _run_batch("check", [case["text"] for case in cases])
    misses = []
    flagged = quiet = 0
    risky = [(c, r) for c, r in zip(cases, reports, strict=True) if c["risky"]]
    ordinary = [(c, r) for c, r in zip(cases, reports, strict=True) if not c["risky"]]
    for case, report in risky:
        advice = _normalise(" ".join(f["advice"] for f in report["findings"]))
        if report["risk"] != "none" and all(re.search(p, advice) for p in case.get("expect", [])):
            flagged += 1
        else:
            misses.append((case, report))
    for case, report in ordinary:
        if report["risk"] == "none":
            quiet += 1
        else:
            misses.append((case, report))
    print(f"\n== {path}")
    print(
        f"risky messages flagged with the expected advice: {flagged}/{len(risky)}"
        f" ({100 * flagged / max(1, len(risky)):.1f}%)"
    )
    print(
        f"ordinary messages left alone:                   {quiet}/{len(ordinary)}"
        f" ({100 * quiet / max(1, len(ordinary)):.1f}%)"
    )
    for case, report in misses if show_misses else ():
        kinds = [f["kind"] for f in report["findings"]]
        print(
            f"  MISS {case['text']!r}: risk {report['risk']} {kinds}, "
            f"expected {'risk with ' + ' & '.join(case.get('expect', [])) if case['risky'] else 'none'}"
        )
    tallies["risky messages flagged with the expected advice"].add(flagged, len(risky))
    tallies["ordinary messages left alone"].add(quiet, len(ordinary))


def summarise(group: str, tallies: dict[str, Tally], held_to_thresholds: bool) -> bool:
    """One line per measure over a group's sets; True when all meet their thresholds."""
    print(f"\n== summary: {group}")
    passed = True
    for name, tally in tallies.items():
        if not tally.total:
            continue
        ok = tally.share >= THRESHOLDS[name]
        passed = passed and ok
        verdict = ("ok  " if ok else "FAIL") if held_to_thresholds else "    "
        print(
            f"{verdict} {name}: {tally.hits}/{tally.total} ({100 * tally.share:.1f}%"
            + (f", needs {100 * THRESHOLDS[name]:.0f}%)" if held_to_thresholds else ")")
        )
    return passed


def score_group(
    questions: list[Path], messages: list[Path], show_misses: bool = True
) -> dict[str, Tally]:
    tallies = {name: Tally() for name in THRESHOLDS}
    for path in questions:
        if path.is_file():
            score_questions(path, tallies, show_misses)
    for path in messages:
        if path.is_file():
            score_messages(path, tallies, show_misses)
    return tallies


def main() -> int:
    questions = sorted(FIXTURES.glob("*questions.yaml"))
    messages = sorted(FIXTURES.glob("*client_messages.yaml"))
    if SHARED_EVAL.is_dir():
        questions.append(SHARED_EVAL / "dev_questions.yaml")
        messages.append(SHARED_EVAL / "dev_client_messages.yaml")
    else:
        print(f"({SHARED_EVAL} not found: scoring the project's own sets only)")
    regression = score_group(questions, messages)
    first_pass = score_group(
        sorted(FIRST_PASS.glob("*questions.yaml")), sorted(FIRST_PASS.glob("*messages.yaml"))
    )
    # figures only: printing the held-out misses would invite tuning on them
    held_out = score_group(
        [HELD_OUT / "questions.yaml"], [HELD_OUT / "client_messages.yaml"], show_misses=False
    )
    passed = summarise("regression sets (tuned on) and dev sets", regression, True)
    summarise("first-pass sets (tests/firstpass, not yet held to thresholds)", first_pass, False)
    summarise("held-out set (tests/heldout, frozen, never tuned on)", held_out, False)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
