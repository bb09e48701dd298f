"""The `/chatwork-safe` walkthrough as a pure state machine over `knowledge/walkthrough.yaml`.

Adapters render a `Step` and the `actions` available at it, then feed the pressed action back
to `advance`. Nothing here raises on user input: progress comes from the store and actions from
button custom_ids written before a restart or a knowledge reload, so an invalid action leaves
the user where they are (the adapter re-renders the current step, which is the honest answer to
a stale button), and progress on a step that no longer exists starts over.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from dataclasses import dataclass
from typing import Literal

from bot.core.catalog import localized
from bot.core.knowledge import Step, WalkthroughFile
from bot.core.schema import Localized

log = logging.getLogger(__name__)

_STEP_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_SEPARATOR = "/"
_KEY_SEPARATOR = ":"

NEXT = "next"
BACK = "back"
RESTART = "restart"
CHOICE_PREFIX = "choice:"

ActionKind = Literal["choice", "next", "back", "restart"]

_NEXT_LABEL = localized("walk_next")
_BACK_LABEL = localized("walk_back")
_RESTART_LABEL = localized("walk_restart")


@dataclass(frozen=True)
class Progress:
    """Where a user is, and the loop-free path they took to get there (so Back retraces it)."""

    step_id: str
    history: tuple[str, ...] = ()

    def encode(self) -> str:
        """Compact form for the store: visited step ids then the current one, `/`-separated."""
        return _SEPARATOR.join((*self.history, self.step_id))

    @classmethod
    def decode(cls, raw: str) -> Progress:
        """Inverse of `encode`; raises ValueError on malformed text (use `Walkthrough.resume`)."""
        ids = raw.strip().split(_SEPARATOR)
        bad = [step_id for step_id in ids if not _STEP_ID.match(step_id)]
        if bad:
            raise ValueError(f"malformed walkthrough progress {raw!r}")
        return cls(step_id=ids[-1], history=tuple(ids[:-1]))


@dataclass(frozen=True)
class Action:
    """One button / numbered option: `value` is what `advance` takes back."""

    kind: ActionKind
    value: str
    label: Localized


@dataclass(frozen=True)
class Position:
    """Where stored progress puts a user: the step, its actions in order, whether it is the end."""

    progress: Progress
    step: Step
    actions: tuple[Action, ...]
    finished: bool

    @property
    def offers_reminder(self) -> bool:
        return self.step.offers_reminder


def transition_key(step_id: str, action: str) -> str:
    """`step:action`, short enough for a Discord custom_id (≤ 48 + 1 + 10 chars).

    Carries the step the button was rendered for instead of the whole history, which does not
    fit in 100 characters; `Walkthrough.advance_at` rebuilds the rest from the store.
    """
    return f"{step_id}{_KEY_SEPARATOR}{action}"


def parse_transition_key(key: str) -> tuple[str, str]:
    """Inverse of `transition_key`; a key without a separator becomes an empty action."""
    step_id, _, action = key.partition(_KEY_SEPARATOR)
    return step_id, action


class Walkthrough:
    """Transitions over one loaded walkthrough file; build a new one after a knowledge reload."""

    def __init__(self, walkthrough_file: WalkthroughFile):
        self._file = walkthrough_file
        self._steps = {step.id: step for step in walkthrough_file.steps}
        dangling = sorted(
            {target for step in walkthrough_file.steps for target in _targets(step)}
            - self._steps.keys()
        )
        if walkthrough_file.start not in self._steps or dangling:
            raise ValueError(f"walkthrough refers to unknown steps: {dangling or [self.start_id]}")
        self._paths = self._shortest_paths()

    @property
    def start_id(self) -> str:
        return self._file.start

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(self._file.steps)

    def start(self) -> Progress:
        return Progress(self.start_id)

    def resume(self, raw: str | Progress | None) -> Progress:
        """Stored progress made valid for this walkthrough; the start when it cannot be.

        Steps removed by a knowledge reload are dropped from the history; if the current step
        itself is gone there is no sensible place to put the user but the beginning.
        """
        if raw is None:
            return self.start()
        try:
            progress = raw if isinstance(raw, Progress) else Progress.decode(raw)
        except ValueError:
            log.warning("discarding malformed walkthrough progress %r", raw)
            return self.start()
        if progress.step_id not in self._steps:
            log.info("walkthrough step %r no longer exists; starting over", progress.step_id)
            return self.start()
        history = tuple(step_id for step_id in progress.history if step_id in self._steps)
        return Progress(progress.step_id, _without_loops(history, progress.step_id))

    def at(self, step_id: str) -> Progress:
        """Progress on `step_id` reached the shortest way from the start (the start if unknown).

        Used when only the step is known (a button on an old message): Back still works.
        """
        path = self._paths.get(step_id)
        if path is None:
            return self.start()
        return Progress(step_id, path)

    def step(self, progress: Progress) -> Step:
        """The step to show; the start step when progress points at a removed step."""
        return self._steps.get(progress.step_id) or self._steps[self.start_id]

    def is_finished(self, progress: Progress) -> bool:
        """True on a terminal step (no next, no choices): the summary checklist."""
        step = self._steps.get(progress.step_id)
        return step is not None and step.next is None and not step.choices

    def state(self, stored: str | Progress | None) -> Position:
        """Where stored progress puts the user and what to show there, checking it once."""
        return self._state(self.resume(stored))

    def press(
        self, stored: str | Progress | None, step_id: str, action: str
    ) -> tuple[Position, bool]:
        """`advance_at`, checking the stored progress once; True when this press finishes."""
        before = self._before(stored, step_id)
        after = self._advance(before, action)
        return self._state(after), self.reached_end(before, after)

    def actions(self, progress: Progress) -> tuple[Action, ...]:
        """What to render at this step, in display order: choices, Next, Back, Start over."""
        return self._actions(self.resume(progress))

    def _state(self, progress: Progress) -> Position:
        return Position(
            progress=progress,
            step=self.step(progress),
            actions=self._actions(progress),
            finished=self.is_finished(progress),
        )

    def _actions(self, progress: Progress) -> tuple[Action, ...]:
        step = self.step(progress)
        actions = [
            Action("choice", f"{CHOICE_PREFIX}{index}", choice.label)
            for index, choice in enumerate(step.choices)
        ]
        if step.next is not None:
            actions.append(Action("next", NEXT, _NEXT_LABEL))
        if progress.history:
            actions.append(Action("back", BACK, _BACK_LABEL))
        if progress.step_id != self.start_id:
            actions.append(Action("restart", RESTART, _RESTART_LABEL))
        return tuple(actions)

    def advance(self, progress: Progress, action: str) -> Progress:
        """Apply `next`, `back`, `restart`, `choice:<index>` or a target step id.

        An action that does not apply here returns the progress unchanged; progress on a step
        that no longer exists returns the start, since the action was meant for a step now gone.
        """
        if progress.step_id not in self._steps:
            return self.start()
        return self._advance(self.resume(progress), action)

    def _advance(self, progress: Progress, action: str) -> Progress:
        if action == RESTART:
            return self.start()
        if action == BACK:
            if not progress.history:
                return progress
            return Progress(progress.history[-1], progress.history[:-1])
        target = self._target(self.step(progress), action)
        if target is None:
            log.debug("ignoring action %r at step %r", action, progress.step_id)
            return progress
        return self._move(progress, target)

    def advance_at(self, step_id: str, action: str, stored: Progress | str | None) -> Progress:
        """Apply an action addressed by `(step id, action)`, as carried in a button.

        The stored progress is used when it is on that step (full history kept); otherwise the
        button is older than the user's latest move, and the action applies from that step.
        """
        return self._advance(self._before(stored, step_id), action)

    def _before(self, stored: Progress | str | None, step_id: str) -> Progress:
        resumed = self.resume(stored)
        return resumed if resumed.step_id == step_id else self.at(step_id)

    def reached_end(self, before: Progress, after: Progress) -> bool:
        """True when a transition finishes the walkthrough: when to count a completion."""
        return not self.is_finished(before) and self.is_finished(after)

    def _target(self, step: Step, action: str) -> str | None:
        if action == NEXT:
            return step.next
        if action.startswith(CHOICE_PREFIX):
            index = action.removeprefix(CHOICE_PREFIX)
            if index.isdecimal() and int(index) < len(step.choices):
                return step.choices[int(index)].next
            return None
        return action if action in _targets(step) else None

    def _move(self, progress: Progress, target: str) -> Progress:
        history = _without_loops((*progress.history, progress.step_id), target)
        return Progress(target, history)

    def _shortest_paths(self) -> dict[str, tuple[str, ...]]:
        paths: dict[str, tuple[str, ...]] = {self.start_id: ()}
        queue = deque([self.start_id])
        while queue:
            step_id = queue.popleft()
            for target in _targets(self._steps[step_id]):
                if target not in paths:
                    paths[target] = (*paths[step_id], step_id)
                    queue.append(target)
        return paths


def _targets(step: Step) -> tuple[str, ...]:
    nexts = (step.next,) if step.next is not None else ()
    return (*(choice.next for choice in step.choices), *nexts)


def _without_loops(history: tuple[str, ...], current: str) -> tuple[str, ...]:
    """Cut the path at an earlier visit of `current`, so Back never replays a loop.

    Also bounds the history by the number of steps, which keeps stored progress small.
    """
    if current in history:
        history = history[: history.index(current)]
    deduplicated: list[str] = []
    for step_id in history:
        if step_id in deduplicated:
            del deduplicated[deduplicated.index(step_id) :]
        deduplicated.append(step_id)
    return tuple(deduplicated)
