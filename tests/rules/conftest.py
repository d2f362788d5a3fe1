"""Hand-built observations, tracks and rules for rule tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from watcher.config import PresenceRule
from watcher.types import Box, Observation, Track

FRAME = (100, 100)


def make_track(
    track_id: int = 1,
    label: str = "person",
    score: float = 0.9,
    box: Box = (10.0, 10.0, 30.0, 50.0),
    zones: tuple[str, ...] = ("path",),
) -> Track:
    """A track; the default box is 20x40 px (8% of the 100x100 frame), inside zone `path`."""
    return Track(track_id=track_id, label=label, score=score, box=box, zones=zones)


def make_obs(t: float, *tracks: Track, camera: str = "demo", frame_index: int | None = None) -> Observation:
    """An observation at capture time `t` on a 100x100 frame."""
    index = round(t * 10) if frame_index is None else frame_index
    return Observation(camera=camera, frame_index=index, time=t, frame_size=FRAME, tracks=tracks, counts={})


def make_rule(**overrides: Any) -> PresenceRule:
    """A presence rule `presence_on_path` on camera `demo`, zone `path`, with overrides."""
    fields: dict[str, Any] = {
        "name": "presence_on_path",
        "kind": "presence",
        "camera": "demo",
        "zone": "path",
    }
    fields.update(overrides)
    return PresenceRule.model_validate(fields)


def people(t: float, count: int, camera: str = "demo") -> Observation:
    """An observation with `count` persons (track ids 1..count) in zone `path`."""
    return make_obs(t, *(make_track(i) for i in range(1, count + 1)), camera=camera)


@pytest.fixture
def track() -> Callable[..., Track]:
    return make_track


@pytest.fixture
def obs() -> Callable[..., Observation]:
    return make_obs


@pytest.fixture
def rule() -> Callable[..., PresenceRule]:
    return make_rule


@pytest.fixture
def crowd() -> Callable[..., Observation]:
    return people
