from __future__ import annotations

import pytest

from tests.rules.kinds.helpers import at, car, rule_of, run
from watcher.rules.kinds import LineCount, build_kind
from watcher.rules.kinds.line_count import Crossings, crossing
from watcher.types import Box, Observation

# A vertical line down the middle, drawn top to bottom: its left side on screen is x > 50.
LINE = [[0.5, 0.0], [0.5, 1.0]]


def person(track_id: int, x: float, label: str = "person") -> object:
    box: Box = (x - 5.0, 40.0, x + 5.0, 60.0)
    return car(track_id, label=label, box=box, zones=(), since=None)


def walk(*xs: float, track_id: int = 1, label: str = "person") -> list[Observation]:
    return [at(float(t), person(track_id, x, label)) for t, x in enumerate(xs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "after", "step"),
    [
        pytest.param((40.0, 50.0), (60.0, 50.0), 1, id="right_to_left_is_in"),
        pytest.param((60.0, 50.0), (40.0, 50.0), -1, id="left_to_right_is_out"),
        pytest.param((40.0, 50.0), (45.0, 50.0), 0, id="same_side"),
        pytest.param((40.0, 150.0), (60.0, 150.0), 0, id="past_the_segment_end"),
        pytest.param((40.0, 50.0), (50.0, 50.0), 0, id="onto_the_line_is_not_across"),
        pytest.param((50.0, 50.0), (60.0, 50.0), 1, id="off_the_line_to_the_left"),
    ],
)
def test_crossing_direction(before: tuple[float, float], after: tuple[float, float], step: int) -> None:
    assert crossing((50.0, 0.0), (50.0, 100.0), before, after) == step


@pytest.mark.parametrize(
    ("xs", "values"),
    [
        pytest.param([30, 45, 55, 70], [("start", 2.0, None, 1)], id="one_in"),
        pytest.param([70, 55, 45], [("start", 2.0, None, -1)], id="one_out"),
        pytest.param([30, 60, 40], [("start", 1.0, None, 1), ("update", 1.0, None, 0)], id="in_and_back"),
        pytest.param([30, 40, 45, 40], [], id="never_across"),
    ],
)
def test_line_count_events_follow_the_net_count(xs: list[float], values: list[object]) -> None:
    assert run(rule_of("line_count", zone=None, line=LINE), walk(*xs)) == values


def test_line_count_keeps_in_and_out_per_class() -> None:
    kind = LineCount(rule_of("line_count", zone=None, line=LINE, classes=["person", "bicycle"]))  # type: ignore[arg-type]
    stream = walk(30, 70, track_id=1) + walk(70, 30, track_id=2, label="bicycle") + walk(30, 70, track_id=3)
    for obs in stream:
        kind.read(obs)
    assert dict(kind.counts) == {"person": Crossings(2, 0), "bicycle": Crossings(0, 1)}


def test_line_count_ignores_other_classes() -> None:
    assert run(rule_of("line_count", zone=None, line=LINE), walk(30, 70, label="dog")) == []


def test_a_track_missed_for_a_frame_still_counts_its_crossing() -> None:
    stream = [at(0.0, person(1, 30.0)), at(1.0), at(2.0, person(1, 70.0))]  # type: ignore[arg-type]
    assert run(rule_of("line_count", zone=None, line=LINE), stream) == [("start", 2.0, None, 1)]


def test_a_track_unseen_past_the_forget_time_starts_afresh() -> None:
    stream = [at(0.0, person(1, 30.0)), at(20.0, person(1, 70.0))]  # type: ignore[arg-type]
    assert run(rule_of("line_count", zone=None, line=LINE), stream) == []


def test_line_count_is_registered_under_its_kind() -> None:
    assert isinstance(build_kind(rule_of("line_count", line=LINE)), LineCount)
