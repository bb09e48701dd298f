"""The walkthrough state machine on a small walkthrough shaped like the real one."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.knowledge import WalkthroughFile, load_knowledge
from bot.core.walkthrough import (
    Progress,
    Walkthrough,
    parse_transition_key,
    transition_key,
)

CHECKOUT_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def _step(step_id: str, *, next: str | None = None, choices=(), copy: bool = False) -> dict:
    return {
        "id": step_id,
        "title": {"ja": f"{step_id} ja", "en": f"{step_id} en"},
        "body": {"ja": "本文", "en": "body"},
        "copy_text": {"ja": "お断りします", "en": "No, thank you"} if copy else None,
        "choices": [{"label": {"ja": t, "en": t}, "next": t} for t in choices],
        "next": next,
        "sources": [{"name": "ガイド"}],
    }


def small_file() -> WalkthroughFile:
    """contract branches three ways; no-escrow loops back; decline and done are terminal."""
    return WalkthroughFile.model_validate(
        {
            "start": "contract",
            "steps": [
                _step("contract", choices=("apply", "no-escrow", "direct")),
                _step("no-escrow", next="contract"),
                _step("direct", next="decline"),
                _step("apply", next="signup", choices=("decline",)),
                _step("signup", next="done"),
                _step("decline", copy=True),
                _step("done"),
            ],
        }
    )


@pytest.fixture
def walk() -> Walkthrough:
    return Walkthrough(small_file())


def run(walk: Walkthrough, *actions: str, progress: Progress | None = None) -> Progress:
    progress = progress or walk.start()
    for action in actions:
        progress = walk.advance(progress, action)
    return progress


def test_starts_at_the_start_step_without_history(walk):
    progress = walk.start()
    assert progress == Progress("contract")
    assert walk.step(progress).id == "contract"
    assert not walk.is_finished(progress)


def test_choices_by_index_and_by_target_id_lead_to_the_same_step(walk):
    assert run(walk, "choice:0") == run(walk, "apply") == Progress("apply", ("contract",))


def test_next_follows_the_main_path_to_the_terminal_step(walk):
    progress = run(walk, "choice:0", "next", "next")
    assert progress == Progress("done", ("contract", "apply", "signup"))
    assert walk.is_finished(progress)


def test_back_retraces_the_branch_actually_taken(walk):
    via_direct = run(walk, "direct", "next")
    via_apply = run(walk, "apply", "decline")
    assert via_direct.step_id == via_apply.step_id == "decline"
    assert walk.advance(via_direct, "back").step_id == "direct"
    assert walk.advance(via_apply, "back").step_id == "apply"
    assert run(walk, "back", "back", progress=via_apply) == walk.start()


def test_restart_goes_back_to_the_start_with_empty_history(walk):
    assert run(walk, "apply", "next", "restart") == walk.start()


def test_a_loop_back_to_an_earlier_step_cuts_the_history(walk):
    progress = run(walk, "no-escrow", "next")
    assert progress == walk.start()
    assert run(walk, "no-escrow", "next", "apply") == Progress("apply", ("contract",))


@pytest.mark.parametrize(
    ("actions", "invalid"),
    [
        (("apply", "next", "next"), "next"),  # Next on the terminal step
        ((), "back"),  # Back with no history
        ((), "choice:3"),  # choice index out of range
        ((), "choice:-1"),
        ((), "choice:x"),
        ((), "choice:"),
        ((), "signup"),  # a real step, but not reachable from here
        ((), "nonsense"),
        ((), ""),
    ],
)
def test_invalid_actions_leave_the_user_where_they_are(walk, actions, invalid):
    progress = run(walk, *actions)
    assert walk.advance(progress, invalid) == progress


def test_actions_at_the_start_are_its_choices_only(walk):
    actions = walk.actions(walk.start())
    assert [a.value for a in actions] == ["choice:0", "choice:1", "choice:2"]
    assert [a.kind for a in actions] == ["choice"] * 3
    assert actions[0].label.get("ja") == "apply"


def test_actions_on_a_middle_step_with_choices_and_next(walk):
    actions = walk.actions(run(walk, "apply"))
    assert [(a.kind, a.value) for a in actions] == [
        ("choice", "choice:0"),
        ("next", "next"),
        ("back", "back"),
        ("restart", "restart"),
    ]
    assert actions[1].label.get("ja") == "次へ"
    assert actions[2].label.get("en") == "Back"


def test_actions_on_the_terminal_step_are_back_and_start_over(walk):
    actions = walk.actions(run(walk, "apply", "next", "next"))
    assert [a.kind for a in actions] == ["back", "restart"]


def test_every_listed_action_changes_the_progress(walk):
    for progress in reachable(walk):
        for action in walk.actions(progress):
            assert walk.advance(progress, action.value) != progress


def test_progress_round_trips_through_its_compact_form(walk):
    progress = run(walk, "apply", "next")
    assert progress.encode() == "contract/apply/signup"
    assert Progress.decode(progress.encode()) == progress
    assert walk.resume(progress.encode()) == progress


@pytest.mark.parametrize("raw", ["", "/", "a//b", "Contract", "a/b c", "x" * 49, "ステップ"])
def test_malformed_progress_fails_to_decode_and_resumes_at_the_start(walk, raw):
    with pytest.raises(ValueError):
        Progress.decode(raw)
    assert walk.resume(raw) == walk.start()


def test_resume_of_nothing_is_the_start(walk):
    assert walk.resume(None) == walk.start()


def test_progress_on_a_removed_step_falls_back_to_the_start():
    stored = run(Walkthrough(small_file()), "apply", "next").encode()
    reloaded = WalkthroughFile.model_validate(
        {"start": "contract", "steps": [_step("contract", choices=("done",)), _step("done")]}
    )
    walk = Walkthrough(reloaded)
    orphan = Progress.decode(stored)
    assert walk.resume(stored) == walk.start()
    assert walk.step(orphan).id == "contract"
    assert walk.advance(orphan, "next") == walk.start()
    assert walk.actions(orphan) == walk.actions(walk.start())
    assert not walk.is_finished(orphan)


def test_removed_steps_are_dropped_from_a_resumed_history(walk):
    assert walk.resume("contract/gone/apply") == Progress("apply", ("contract",))


def test_at_builds_the_shortest_path_from_the_start(walk):
    assert walk.at("decline") == Progress("decline", ("contract", "apply"))
    assert walk.at("contract") == walk.start()
    assert walk.at("gone") == walk.start()


def test_advance_at_keeps_the_stored_history_when_the_button_is_current(walk):
    stored = run(walk, "direct", "next")
    assert walk.advance_at("decline", "back", stored).step_id == "direct"
    assert walk.advance_at("decline", "back", stored.encode()).step_id == "direct"


def test_advance_at_with_a_stale_button_applies_from_the_buttons_step(walk):
    stored = run(walk, "apply", "next", "next")
    assert walk.advance_at("apply", "choice:0", stored) == Progress(
        "decline", ("contract", "apply")
    )
    assert walk.advance_at("decline", "back", None).step_id == "apply"
    assert walk.advance_at("gone", "next", "garbage") == walk.start()


def test_transition_keys_fit_a_discord_custom_id_with_a_prefix():
    longest_id = "a" * 48
    key = transition_key(longest_id, "choice:24")
    assert len(f"cws:{key}") <= 100
    assert parse_transition_key(key) == (longest_id, "choice:24")
    assert parse_transition_key("contract") == ("contract", "")


def test_reached_end_counts_the_transition_into_the_terminal_step_only(walk):
    before = run(walk, "apply", "next")
    after = walk.advance(before, "next")
    assert walk.reached_end(before, after)
    assert not walk.reached_end(after, walk.advance(after, "next"))
    assert not walk.reached_end(walk.start(), run(walk, "apply"))


def test_dangling_references_are_refused_at_construction():
    broken = small_file().model_copy(update={"start": "missing"})
    with pytest.raises(ValueError, match="missing"):
        Walkthrough(broken)
    steps = [
        s.model_copy(update={"next": "nowhere"}) if s.id == "done" else s for s in broken.steps
    ]
    with pytest.raises(ValueError, match="nowhere"):
        Walkthrough(small_file().model_copy(update={"steps": steps}))


ACTIONS = st.one_of(
    st.sampled_from(["next", "back", "restart", "choice:0", "choice:1", "choice:2", "choice:9"]),
    st.sampled_from([s.id for s in small_file().steps]),
    st.text(max_size=12),
)


@given(st.lists(ACTIONS, max_size=40))
def test_any_action_sequence_keeps_progress_valid_and_bounded(actions):
    walk = Walkthrough(small_file())
    known = {s.id for s in walk.steps}
    progress = walk.start()
    for action in actions:
        progress = walk.advance(progress, action)
        assert progress.step_id in known
        assert set(progress.history) <= known
        assert len(set(progress.history)) == len(progress.history)
        assert progress.step_id not in progress.history
        assert walk.resume(progress.encode()) == progress


def reachable(walk: Walkthrough) -> list[Progress]:
    """Every progress a user can reach by pressing listed actions (loop-free, so finite)."""
    seen = {walk.start()}
    frontier = [walk.start()]
    while frontier:
        progress = frontier.pop()
        for action in walk.actions(progress):
            following = walk.advance(progress, action.value)
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return sorted(seen, key=Progress.encode)


def assert_every_branch_reaches_the_end(walk: Walkthrough) -> None:
    """Every step is reachable, and from every reachable place Next/choices lead to an end."""
    places = reachable(walk)
    assert {p.step_id for p in places} == {s.id for s in walk.steps}
    for progress in places:
        forward = [a for a in walk.actions(progress) if a.kind in ("next", "choice")]
        assert forward or walk.is_finished(progress), progress
        assert can_finish(walk, progress), f"no way to finish from {progress.encode()}"


def can_finish(walk: Walkthrough, progress: Progress) -> bool:
    seen: set[str] = set()
    stack = [progress]
    while stack:
        current = stack.pop()
        if walk.is_finished(current):
            return True
        if current.step_id in seen:
            continue
        seen.add(current.step_id)
        stack.extend(
            walk.advance(current, a.value)
            for a in walk.actions(current)
            if a.kind in ("next", "choice")
        )
    return False


def test_click_through_every_branch_of_the_small_walkthrough(walk):
    assert_every_branch_reaches_the_end(walk)


def test_click_through_every_branch_of_the_real_walkthrough():
    walk = Walkthrough(load_knowledge(CHECKOUT_KNOWLEDGE).walkthrough)
    assert_every_branch_reaches_the_end(walk)
    for progress in reachable(walk):
        for action in walk.actions(progress):
            assert len(f"cws:{transition_key(progress.step_id, action.value)}") <= 100
            assert walk.advance_at(progress.step_id, action.value, progress) == walk.advance(
                progress, action.value
            )


def test_press_reports_the_new_state_and_whether_it_finishes(walk):
    before = run(walk, "apply", "next")
    state, finished_now = walk.press(before.encode(), "signup", "next")
    assert state.step.id == "done" and state.finished and finished_now
    assert state.progress == walk.advance(before, "next")
    assert state.actions == walk.actions(state.progress)
    _, finished_again = walk.press(state.progress, "done", "next")
    assert not finished_again, "pressing on at the end finishes nothing"
    stale, _ = walk.press(before.encode(), "contract", "apply")
    assert stale.progress == Progress("apply", ("contract",)), (
        "a stale button applies from its step"
    )


def test_state_of_stored_progress_is_the_resumed_step_and_its_actions(walk):
    stored = run(walk, "apply")
    state = walk.state(stored.encode())
    assert state.progress == stored and state.step == walk.step(stored)
    assert state.actions == walk.actions(stored) and not state.finished
    assert walk.state("garbage").progress == walk.start()
