"""Rule-state snapshots through the `SinkRunner`: to state sinks only, in order, once per version."""

from __future__ import annotations

from tests.sinks.conftest import make_event, snapshot_of
from watcher.sinks import FakeSink, LogSink, SinkRunner
from watcher.types import EventType, RulesSnapshot


class _Order:
    """A state sink that records what it got, in order."""

    name = "order"

    def __init__(self) -> None:
        self.got: list[str] = []

    def handle_event(self, event: object, image: object) -> None:
        self.got.append(f"event {getattr(event, 'id', '?')}")

    def handle_observation(self, obs: object) -> None:
        self.got.append("observation")

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        self.got.append(f"states #{snapshot.version}")

    def close(self) -> None:
        return None


def test_a_snapshot_reaches_state_sinks_before_the_events_submitted_after_it() -> None:
    order, fake = _Order(), FakeSink()
    runner = SinkRunner([LogSink(), order, fake])
    start = make_event(0)
    runner.submit_states(snapshot_of(start))
    runner.submit_event(start)
    assert runner.close(5)
    assert order.got == ["states #1", "event ev-0"]
    assert [s.states[0].active for s in fake.snapshots] == [True]


def test_a_snapshot_of_a_version_already_submitted_is_not_queued_again() -> None:
    sink = FakeSink()
    runner = SinkRunner([sink])
    first = snapshot_of(make_event(0))
    ended = RulesSnapshot(snapshot_of(make_event(1, EventType.END)).states, version=2)
    for snapshot in (first, first, ended, ended):
        runner.submit_states(snapshot)
    assert runner.close(5)
    assert [(s.version, s.states[0].active) for s in sink.snapshots] == [(1, True), (2, False)]
