from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from watcher.sinks import FakeSink, SinkRunner, SinkStats
from watcher.types import Event, Image, Observation


class RaisingSink(FakeSink):
    def handle_event(self, event: Event, image: Image | None) -> None:
        raise RuntimeError("boom")


class BlockingSink(FakeSink):
    """Blocks on every item until `release` is set; `entered` is set when the first item arrives."""

    def __init__(self) -> None:
        super().__init__("blocking")
        self.entered = threading.Event()
        self.release = threading.Event()

    def handle_event(self, event: Event, image: Image | None) -> None:
        self.entered.set()
        self.release.wait()
        super().handle_event(event, image)

    def handle_observation(self, obs: Observation) -> None:
        self.entered.set()
        self.release.wait()
        super().handle_observation(obs)


@pytest.fixture
def blocking() -> Iterator[BlockingSink]:
    sink = BlockingSink()
    yield sink
    sink.release.set()


def test_runner_delivers_events_and_observations_in_order(
    event: Callable[..., Event], observation: Callable[..., Observation]
) -> None:
    sink = FakeSink()
    runner = SinkRunner([sink])
    for n in range(5):
        runner.submit_event(event(n))
        runner.submit_observation(observation(n))
    assert runner.close(5)
    assert [e.id for e in sink.events] == [f"ev-{n}" for n in range(5)]
    assert [o.frame_index for o in sink.observations] == list(range(5))


def test_close_flushes_then_closes_every_sink(event: Callable[..., Event]) -> None:
    sinks = [FakeSink("a"), FakeSink("b")]
    runner = SinkRunner(sinks)
    runner.submit_event(event())
    assert runner.close(5)
    assert [(len(s.events), s.closed) for s in sinks] == [(1, True), (1, True)]


def test_raising_sink_does_not_stop_the_others(
    event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    good = FakeSink("good")
    runner = SinkRunner([RaisingSink("bad"), good])
    with caplog.at_level(logging.ERROR, logger="watcher.sinks"):
        runner.submit_event(event(0))
        runner.submit_event(event(1))
        assert runner.close(5)
    assert [e.id for e in good.events] == ["ev-0", "ev-1"]
    assert runner.stats() == {"bad": SinkStats(0, 0, 2, 0), "good": SinkStats(2, 0, 0, 0)}
    assert all("sink bad failed" in r.getMessage() for r in caplog.records)


def test_slow_sink_does_not_block_submit(
    blocking: BlockingSink, event: Callable[..., Event], observation: Callable[..., Observation]
) -> None:
    runner = SinkRunner([blocking], maxsize=4)
    runner.submit_event(event(0))
    assert blocking.entered.wait(5)
    started = time.monotonic()
    for n in range(1, 20):
        runner.submit_observation(observation(n))
        runner.submit_event(event(n))
    assert time.monotonic() - started < 1.0
    blocking.release.set()
    assert runner.close(5)


def test_full_queue_drops_observations_and_counts_them(
    blocking: BlockingSink, event: Callable[..., Event], observation: Callable[..., Observation]
) -> None:
    runner = SinkRunner([blocking], maxsize=2)
    runner.submit_event(event(0))
    assert blocking.entered.wait(5)
    for n in range(5):
        runner.submit_observation(observation(n))
    blocking.release.set()
    assert runner.close(5)
    assert [o.frame_index for o in blocking.observations] == [0, 1]
    assert runner.dropped_observations == 3


def test_event_on_full_queue_evicts_oldest_observation_first(
    blocking: BlockingSink, event: Callable[..., Event], observation: Callable[..., Observation]
) -> None:
    runner = SinkRunner([blocking], maxsize=2)
    runner.submit_event(event(0))
    assert blocking.entered.wait(5)
    runner.submit_observation(observation(1))
    runner.submit_observation(observation(2))
    runner.submit_event(event(3))
    blocking.release.set()
    assert runner.close(5)
    assert [e.id for e in blocking.events] == ["ev-0", "ev-3"]
    assert [o.frame_index for o in blocking.observations] == [2]
    assert (runner.dropped_observations, runner.dropped_events) == (1, 0)


def test_event_on_queue_full_of_events_drops_the_oldest_event_with_a_warning(
    blocking: BlockingSink, event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    runner = SinkRunner([blocking], maxsize=2, event_wait_s=0.001)
    runner.submit_event(event(0))
    assert blocking.entered.wait(5)
    with caplog.at_level(logging.WARNING, logger="watcher.sinks"):
        for n in range(1, 4):
            runner.submit_event(event(n))
    blocking.release.set()
    assert runner.close(5)
    assert [e.id for e in blocking.events] == ["ev-0", "ev-2", "ev-3"]
    assert runner.stats()["blocking"] == SinkStats(3, 0, 0, 1)
    assert "dropped 0 observation(s) and 1 event(s)" in caplog.text


def test_flush_waits_until_everything_was_delivered(event: Callable[..., Event]) -> None:
    sink = FakeSink()
    runner = SinkRunner([sink])
    for n in range(10):
        runner.submit_event(event(n))
    assert runner.flush(5)
    assert len(sink.events) == 10
    runner.close(5)


def test_sink_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        SinkRunner([FakeSink("x"), FakeSink("x")])


class IdleCountingSink(FakeSink):
    """Counts its idle rounds, in order with the events it gets."""

    def __init__(self) -> None:
        super().__init__("idle")
        self.seen: list[str] = []

    def handle_event(self, event: Event, image: Image | None) -> None:
        super().handle_event(event, image)
        self.seen.append(event.id)

    def handle_idle(self) -> None:
        self.seen.append("idle")


def test_an_idle_round_reaches_idle_sinks_once_however_often_it_is_asked_while_queued(
    blocking: BlockingSink, event: Callable[..., Event]
) -> None:
    idle = IdleCountingSink()
    runner = SinkRunner([blocking, idle])
    runner.submit_event(event(0))
    assert blocking.entered.wait(5)
    for _ in range(3):  # the sinks are busy: one round waits, the others are not queued
        runner.submit_idle()
    runner.submit_event(event(1))
    blocking.release.set()
    assert runner.flush(5)
    runner.submit_idle()  # none is queued any more: a new round
    assert runner.close(5)
    assert idle.seen == ["ev-0", "idle", "ev-1", "idle"]
    assert [e.id for e in blocking.events] == ["ev-0", "ev-1"]  # a sink without idle work gets none
    assert runner.stats()["idle"] == SinkStats(2, 0, 0, 0)
