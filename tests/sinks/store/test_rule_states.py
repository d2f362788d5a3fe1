"""Rule states in the store, and the restart round trip engine -> store -> engine."""

from __future__ import annotations

from pathlib import Path

from watcher.config import PresenceRule
from watcher.rules import RulesEngine
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.sinks.store.recovery import load_states, save_states
from watcher.types import Event, EventType, Observation, RuleState, Track

RULE = PresenceRule(name="presence_on_path", kind="presence", camera="demo", zone="path", clear_s=2)


def _obs(t: float, people: int) -> Observation:
    tracks = tuple(Track(i, "person", 0.9, (10, 10, 30, 50), zones=("path",)) for i in range(people))
    return Observation("demo", int(t * 10), t, (100, 100), tracks, {})


def _run(engine: RulesEngine, store_path: Path, stream: list[tuple[float, int]]) -> list[Event]:
    """Feed the engine and write its events through a real StoreSink, as the daemon does: the
    engine's snapshot first, then the events of the same observation."""
    runner = SinkRunner([StoreSink(EventStore(store_path))])
    events: list[Event] = []
    for t, n in stream:
        fired = engine.process(_obs(t, n))
        runner.submit_states(engine.snapshot())
        for event in fired:
            runner.submit_event(event)
        events.extend(fired)
    assert runner.close(10)
    return events


def test_states_round_trip_through_the_store(tmp_path: Path) -> None:
    states = [
        RuleState("a", "demo", "presence", True, 2, 4.5),
        RuleState("b", "demo", "occupancy", False, 0.25, None, enabled=False),
    ]
    save_states(tmp_path / "watcher.db", states, 1000.0)
    assert load_states(tmp_path / "watcher.db") == states


def test_saving_a_rule_again_replaces_its_state(tmp_path: Path) -> None:
    path = tmp_path / "watcher.db"
    save_states(path, [RuleState("a", "demo", "presence", True, 2, 4.5)], 1.0)
    save_states(path, [RuleState("a", "demo", "presence", False, 0, 9.0)], 2.0)
    assert load_states(path) == [RuleState("a", "demo", "presence", False, 0, 9.0)]


def test_the_state_stored_with_an_event_is_the_engines_state_after_it(tmp_path: Path) -> None:
    path = tmp_path / "watcher.db"
    engine = RulesEngine([RULE])
    _run(engine, path, [(0.0, 2)])
    assert load_states(path) == [RuleState("presence_on_path", "demo", "presence", True, 2, 0.0)]
    _run(engine, path, [(1.0, 0), (3.5, 0)])
    assert load_states(path) == [RuleState("presence_on_path", "demo", "presence", False, 0, 1.0)]


def test_events_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "watcher.db"
    events = _run(RulesEngine([RULE]), path, [(0.0, 1), (1.0, 0), (3.0, 0)])
    store = EventStore(path)
    assert store.events() == events
    assert [e.type for e in events] == [EventType.START, EventType.END]
    store.close()


def test_active_rule_restored_after_a_restart_sends_no_phantom_end_or_start(tmp_path: Path) -> None:
    path = tmp_path / "watcher.db"
    before = _run(RulesEngine([RULE]), path, [(0.0, 1), (1.0, 1)])
    # Restart: a new engine takes the states the store sink saved as events went by.
    engine = RulesEngine([RULE])
    assert engine.restore(load_states(path)) == ["presence_on_path"]
    after = _run(engine, path, [(1.5, 1), (2.0, 1), (3.0, 0), (4.0, 0), (5.0, 0)])
    assert [e.type for e in before] == [EventType.START]
    assert [(e.type, e.start_time, e.end_time) for e in after] == [(EventType.END, 0.0, 3.0)]
    assert load_states(path)[0].active is False


def test_missing_store_folder_that_cannot_be_made_gives_no_states(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert load_states(blocker / "watcher.db") == []
