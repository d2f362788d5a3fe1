"""Events, observations and a small real disk for sink tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.support import tmpfs
from watcher.types import Event, EventObject, EventType, Observation, RulesSnapshot, RuleState


def make_event(n: int = 0, type_: EventType = EventType.START, rule: str = "presence_on_path") -> Event:
    """A presence event with id `ev-<n>`; `end` events carry an end time."""
    return Event(
        id=f"ev-{n}",
        type=type_,
        rule=rule,
        kind="presence",
        camera="demo",
        zone="path",
        start_time=12.3 + n,
        end_time=15.5 + n if type_ is EventType.END else None,
        value=0 if type_ is EventType.END else 2,
        objects=(
            EventObject(3, "person", 0.91, (1.0, 2.0, 30.5, 60.25)),
            EventObject(7, "person", 0.5, (40.0, 2.0, 70.0, 80.0)),
        ),
    )


def snapshot_of(event: Event) -> RulesSnapshot:
    """The engine's snapshot right after `event` (its rule alone), as the daemon hands it to sinks."""
    ended = event.type is EventType.END
    since = event.end_time if ended else event.start_time
    state = RuleState(event.rule, event.camera, event.kind, not ended, event.value, since)
    return RulesSnapshot((state,), version=1)


def make_obs(n: int = 0) -> Observation:
    return Observation(camera="demo", frame_index=n, time=n / 10, frame_size=(100, 100), tracks=(), counts={})


@pytest.fixture
def event() -> Callable[..., Event]:
    return make_event


@pytest.fixture
def observation() -> Callable[..., Observation]:
    return make_obs


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB tmpfs (fill it with `fill_disk`), unmounted after the test."""
    with tmpfs(tmp_path / "disk", "size=256k") as folder:
        yield folder
