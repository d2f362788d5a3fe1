from __future__ import annotations

from collections.abc import Sequence

import pytest

from watcher.rules import HoldTimer, Transition
from watcher.types import EventType

T, F = True, False
Emitted = tuple[float, str, float, float | None]


def run(timer: HoldTimer, stream: Sequence[tuple[float, bool]]) -> list[Emitted]:
    out: list[Emitted] = []
    for t, holds in stream:
        transition = timer.feed(t, holds)
        if transition is not None:
            out.append((t, str(transition.type), transition.start_time, transition.end_time))
    return out


@pytest.mark.parametrize(
    ("for_s", "stream", "expected"),
    [
        pytest.param(0, [(0, T)], [(0, "start", 0, None)], id="for_s_0_starts_on_same_observation"),
        pytest.param(2, [(0, T), (1, T), (2, T)], [(2, "start", 0, None)], id="starts_for_s_after_begin"),
        pytest.param(2, [(0, T), (1, T), (1.5, F)], [], id="shorter_than_for_s_never_starts"),
        pytest.param(
            0.2, [(0.1, T), (0.2, T), (0.3, T)], [(0.3, "start", 0.1, None)], id="float_frame_times"
        ),
    ],
)
def test_start_is_emitted_once_condition_held_for_s(
    for_s: float, stream: list[tuple[float, bool]], expected: list[Emitted]
) -> None:
    assert run(HoldTimer(for_s=for_s), stream) == expected


def test_missed_frame_while_pending_resets_the_start_by_default() -> None:
    stream = [(0, T), (1, F), (2, T), (3, T), (4, T)]
    assert run(HoldTimer(for_s=2), stream) == [(4, "start", 2, None)]


def test_gap_shorter_than_pending_gap_s_keeps_the_pending_start() -> None:
    stream = [(0, T), (1, F), (2, T)]
    assert run(HoldTimer(for_s=2, pending_gap_s=1.5), stream) == [(2, "start", 0, None)]


def test_gap_of_pending_gap_s_resets_the_pending_start() -> None:
    stream = [(0, T), (1, F), (2, F), (3, T), (5, T)]
    assert run(HoldTimer(for_s=2, pending_gap_s=1), stream) == [(5, "start", 3, None)]


def test_no_start_is_emitted_during_a_pending_gap() -> None:
    stream = [(0, T), (1, F), (2.5, F)]
    assert run(HoldTimer(for_s=2, pending_gap_s=5), stream) == []


@pytest.mark.parametrize(
    ("clear_s", "stream", "expected"),
    [
        pytest.param(
            0, [(0, T), (1, F)], [(0, "start", 0, None), (1, "end", 0, 1)], id="clear_s_0_ends_on_first_miss"
        ),
        pytest.param(
            2,
            [(0, T), (1, F), (2, F), (3, F)],
            [(0, "start", 0, None), (3, "end", 0, 1)],
            id="end_emitted_clear_s_after_end_time",
        ),
        pytest.param(
            2,
            [(0, T), (1, F), (2, T), (3, F), (4, F), (5, F)],
            [(0, "start", 0, None), (5, "end", 0, 3)],
            id="return_before_clear_forgets_end_time",
        ),
    ],
)
def test_end_is_emitted_clear_s_after_condition_stopped(
    clear_s: float, stream: list[tuple[float, bool]], expected: list[Emitted]
) -> None:
    assert run(HoldTimer(clear_s=clear_s), stream) == expected


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param([(0, T), (0.2, F), (0.4, T), (0.6, T)], id="one_missed_frame"),
        pytest.param([(0, T), (1, F), (1.5, T), (2, F), (2.5, T)], id="repeated_flicker"),
    ],
)
def test_gap_shorter_than_clear_s_does_not_end_event(stream: list[tuple[float, bool]]) -> None:
    assert run(HoldTimer(clear_s=1), stream) == [(0, "start", 0, None)]


def test_no_new_start_during_cooldown() -> None:
    stream = [(0, T), (1, F), (2, T), (5, F)]
    assert run(HoldTimer(cooldown_s=10), stream) == [(0, "start", 0, None), (1, "end", 0, 1)]


def test_condition_holding_through_cooldown_starts_when_it_ends_with_true_start_time() -> None:
    stream = [(0, T), (1, F), (5, T), (8, T), (11, T), (12, T)]
    assert run(HoldTimer(cooldown_s=10), stream) == [
        (0, "start", 0, None),
        (1, "end", 0, 1),
        (11, "start", 5, None),
    ]


def test_cooldown_is_measured_from_end_emission() -> None:
    stream = [(0, T), (1, F), (3, F), (4, T), (5, T), (6, T)]
    assert run(HoldTimer(clear_s=2, cooldown_s=3), stream) == [
        (0, "start", 0, None),
        (3, "end", 0, 1),
        (6, "start", 4, None),
    ]


def test_start_after_cooldown_still_needs_for_s() -> None:
    stream = [(0, T), (2, T), (3, F), (3.5, T), (4.5, T), (5.5, T)]
    assert run(HoldTimer(for_s=2, cooldown_s=1), stream) == [
        (2, "start", 0, None),
        (3, "end", 0, 3),
        (5.5, "start", 3.5, None),
    ]


def test_stop_ends_an_active_event_at_the_given_time() -> None:
    timer = HoldTimer(clear_s=5)
    timer.feed(0, True)
    assert timer.stop(2) == Transition(EventType.END, 0, 2)
    assert not timer.active


def test_stop_during_a_gap_ends_when_the_condition_stopped() -> None:
    timer = HoldTimer(clear_s=5)
    run(timer, [(0, T), (1, F), (2, F)])
    assert timer.stop(2) == Transition(EventType.END, 0, 1)


def test_stop_when_idle_returns_nothing() -> None:
    timer = HoldTimer(for_s=5)
    timer.feed(0, True)
    assert timer.stop(1) is None
    assert timer.start_time is None


def test_stop_forgets_the_cooldown() -> None:
    timer = HoldTimer(cooldown_s=100)
    run(timer, [(0, T), (1, F)])
    timer.stop(1)
    assert run(timer, [(2, T)]) == [(2, "start", 2, None)]
