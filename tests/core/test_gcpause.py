import gc

import pytest

from bot.core.gcpause import collection_paused, without_collection


@pytest.fixture(autouse=True)
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after():
    gc.enable()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_on_again_after_an_exception():
    gc.enable()
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    with collection_paused():
        pass
    assert not gc.isenabled()


def test_nested_pauses_turn_it_on_only_at_the_outermost():
    gc.enable()
    with collection_paused():
        with collection_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_decorated_function_runs_paused_and_returns_its_result():
    @without_collection
    def build(value: int) -> tuple[int, bool]:
        return value * 2, gc.isenabled()

    gc.enable()
    assert build(21) == (42, False)
    assert gc.isenabled()
    assert build.__name__ == "build"
