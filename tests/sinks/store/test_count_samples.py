"""Count samples: written on change, at most once per interval per camera/zone/label."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.clock import FakeClock
from watcher.sinks import EventStore, StoreSink
from watcher.sinks.store import CountSample, CountSampler
from watcher.types import Observation


def _obs(counts: dict[str, dict[str, int]], camera: str = "demo") -> Observation:
    return Observation(camera, 0, 0.0, (100, 100), (), counts)


def _series(sampler: CountSampler, steps: list[tuple[float, int]]) -> list[tuple[float, int]]:
    out = []
    for t, n in steps:
        counts = {"path": {"person": n}} if n else {}
        out += [(s.time, s.count) for s in sampler.sample(_obs(counts), t, 1000.0 + t)]
    return out


@pytest.mark.parametrize(
    ("steps", "written"),
    [
        pytest.param([(0, 1), (1, 1), (2, 1)], [(1000.0, 1)], id="unchanged_count_written_once"),
        pytest.param([(0, 1), (5, 2), (10, 2)], [(1000.0, 1), (1010.0, 2)], id="change_waits_for_interval"),
        pytest.param([(0, 1), (10, 3), (20, 3)], [(1000.0, 1), (1010.0, 3)], id="change_after_interval"),
        pytest.param([(0, 2), (10, 0)], [(1000.0, 2), (1010.0, 0)], id="emptied_zone_written_as_zero"),
        pytest.param([(0, 0), (10, 0)], [], id="never_seen_label_not_written"),
        pytest.param([(0, 1), (3, 2), (6, 1), (10, 1)], [(1000.0, 1)], id="flicker_inside_interval_ignored"),
    ],
)
def test_sampler_writes_changes_at_most_once_per_interval(
    steps: list[tuple[float, int]], written: list[tuple[float, int]]
) -> None:
    assert _series(CountSampler(interval_s=10), steps) == written


def test_sampler_keeps_zones_and_labels_apart() -> None:
    sampler = CountSampler(interval_s=60)
    samples = sampler.sample(_obs({"path": {"person": 2, "car": 1}, "*": {"person": 3}}), 0.0, 5.0)
    assert samples == [
        CountSample("demo", "*", "person", 3, 5.0),
        CountSample("demo", "path", "car", 1, 5.0),
        CountSample("demo", "path", "person", 2, 5.0),
    ]


def test_store_sink_writes_samples_from_observations(tmp_path: Path) -> None:
    clock = FakeClock()
    store = EventStore(tmp_path / "watcher.db", clock=clock)
    sink = StoreSink(store, count_sample_s=10, clock=clock)
    for n in (1, 1, 2):
        sink.handle_observation(_obs({"path": {"person": n}}))
        clock.advance(6)
    wall = clock.wall().timestamp() - 18
    assert [(s.time - wall, s.count) for s in store.counts.since(0)] == [(0.0, 1), (12.0, 2)]
    sink.close()
