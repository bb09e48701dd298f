"""Building the engines without the cyclic garbage collector running.

Loading the knowledge and building the engines allocate about a million objects that all stay
alive; each allocation burst makes the collector walk every live object again, which took a
fifth of the start-up, and found nothing to free.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def collection_paused() -> Iterator[None]:
    """The collector off inside, and back as it was after: on only if it was on before, so a
    caller that turned it off (or a build in another thread) keeps it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def without_collection(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run inside `collection_paused()`."""

    @wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with collection_paused():
            return function(*args, **kwargs)

    return paused
