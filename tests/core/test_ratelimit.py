"""The per-user sliding-window rate limiter, on an injected clock."""

from __future__ import annotations

import pytest

from bot.core.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_allows_up_to_the_limit_then_refuses_with_retry_after(clock: Clock) -> None:
    limiter = RateLimiter(2, 30.0, clock=clock)
    assert limiter.hit("u").allowed
    clock.now += 10
    assert limiter.hit("u").allowed
    clock.now += 5
    refused = limiter.hit("u")
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(15.0), "until the oldest hit leaves the window"


def test_window_slides_one_hit_at_a_time(clock: Clock) -> None:
    limiter = RateLimiter(2, 30.0, clock=clock)
    limiter.hit("u")
    clock.now += 10
    limiter.hit("u")
    clock.now += 20  # the first hit is exactly one window old: it no longer counts
    assert limiter.hit("u").allowed
    assert not limiter.hit("u").allowed
    clock.now += 9.9
    assert not limiter.hit("u").allowed
    clock.now += 0.1
    assert limiter.hit("u").allowed


def test_refused_hits_are_not_counted(clock: Clock) -> None:
    limiter = RateLimiter(1, 10.0, clock=clock)
    assert limiter.hit("u").allowed
    for _ in range(50):
        clock.now += 0.1
        assert not limiter.hit("u").allowed
    clock.now = 1010.0
    assert limiter.hit("u").allowed, "hammering while limited does not extend the wait"


def test_keys_are_independent(clock: Clock) -> None:
    limiter = RateLimiter(1, 10.0, clock=clock)
    assert limiter.hit("alice").allowed
    assert not limiter.hit("alice").allowed
    assert limiter.hit("bob").allowed


def test_idle_keys_are_forgotten(clock: Clock) -> None:
    limiter = RateLimiter(1, 10.0, clock=clock)
    for n in range(1100):
        limiter.hit(str(n))
    clock.now += 10
    limiter.hit("fresh")
    assert len(limiter._hits) <= 2


@pytest.mark.parametrize(("limit", "window"), [(0, 10.0), (1, 0.0), (1, -1.0)])
def test_rejects_meaningless_limits(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit, window)


def test_uses_a_monotonic_clock_by_default() -> None:
    limiter = RateLimiter(1, 3600.0)
    assert limiter.hit("u").allowed
    refused = limiter.hit("u")
    assert not refused.allowed and 3590 < refused.retry_after <= 3600


def test_only_the_first_refusal_of_a_flood_is_to_be_told(clock: Clock) -> None:
    limiter = RateLimiter(5, 30.0, clock=clock)
    decisions = [limiter.hit("u") for _ in range(100)]
    assert sum(d.allowed for d in decisions) == 5
    assert [d.first_refusal for d in decisions[5:]] == [True] + [False] * 94
    assert limiter.hit("other").allowed, "another user is not affected"
    clock.now += 30
    assert limiter.hit("u").allowed, "the window reset"
    for _ in range(4):
        limiter.hit("u")
    again = limiter.hit("u")
    assert not again.allowed and again.first_refusal, "a new flood is told once again"
