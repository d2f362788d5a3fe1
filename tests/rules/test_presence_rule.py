from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from watcher.config import PresenceRule
from watcher.rules.kinds import Presence, build_kind
from watcher.types import Box, EventObject, Observation, Track

SMALL: Box = (0.0, 0.0, 10.0, 10.0)  # 100 px², 1% of the frame
LARGE: Box = (0.0, 0.0, 30.0, 30.0)  # 900 px², 9% of the frame


@pytest.mark.parametrize(
    ("rule_fields", "track_fields", "counted"),
    [
        pytest.param({}, {}, True, id="person_in_zone"),
        pytest.param({}, {"label": "car"}, False, id="other_class"),
        pytest.param({"classes": ["car", "person"]}, {"label": "car"}, True, id="one_of_classes"),
        pytest.param({"min_score": 0.5}, {"score": 0.49}, False, id="below_min_score"),
        pytest.param({"min_score": 0.5}, {"score": 0.5}, True, id="at_min_score"),
        pytest.param({"min_area": 0.05}, {"box": SMALL}, False, id="below_min_area"),
        pytest.param({"min_area": 0.05}, {"box": LARGE}, True, id="above_min_area"),
        pytest.param({}, {"zones": ()}, False, id="outside_zone"),
        pytest.param({}, {"zones": ("street", "path")}, True, id="in_zone_and_another"),
        pytest.param({"zone": None}, {"zones": ()}, True, id="whole_frame_counts_outside_zones"),
    ],
)
def test_presence_counts_only_matching_tracks(
    rule: Callable[..., PresenceRule],
    track: Callable[..., Track],
    obs: Callable[..., Observation],
    rule_fields: dict[str, Any],
    track_fields: dict[str, Any],
    counted: bool,
) -> None:
    reading = Presence(rule(**rule_fields)).read(obs(0, track(**track_fields)))
    assert (reading.value, reading.holds) == ((1, True) if counted else (0, False))


@pytest.mark.parametrize(("count", "holds"), [(1, False), (2, True), (3, True)])
def test_presence_holds_at_min_count(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation], count: int, holds: bool
) -> None:
    reading = Presence(rule(min_count=2)).read(crowd(0, count))
    assert (reading.holds, reading.value) == (holds, count)


def test_presence_objects_are_matching_tracks_by_track_id(
    rule: Callable[..., PresenceRule], track: Callable[..., Track], obs: Callable[..., Observation]
) -> None:
    reading = Presence(rule()).read(obs(0, track(7), track(3, label="car"), track(2, score=0.4)))
    assert reading.objects == (
        EventObject(2, "person", 0.4, (10.0, 10.0, 30.0, 50.0)),
        EventObject(7, "person", 0.9, (10.0, 10.0, 30.0, 50.0)),
    )


def test_presence_is_registered_under_its_kind(rule: Callable[..., PresenceRule]) -> None:
    assert isinstance(build_kind(rule()), Presence)
