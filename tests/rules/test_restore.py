"""`RulesEngine.restore`: an event active before a restart goes on without a phantom end/start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from watcher.config import PresenceRule
from watcher.rules import RulesEngine
from watcher.types import Event, EventType, Observation, RuleState


def _active(since: float = 5.0, value: int = 1, **fields: object) -> RuleState:
    base: dict[str, object] = {
        "rule": "presence_on_path",
        "camera": "demo",
        "kind": "presence",
        "active": True,
        "value": value,
        "since": since,
    }
    base.update(fields)
    return RuleState(**base)  # type: ignore[arg-type]


def test_restored_active_rule_sends_no_start_while_the_condition_still_holds(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(for_s=2, clear_s=3)])
    assert engine.restore([_active()]) == ["presence_on_path"]
    assert [e for t in range(10) for e in engine.process(crowd(float(t), 1))] == []
    assert engine.state("presence_on_path") == _active()


def test_restored_active_rule_ends_after_clear_s_with_its_original_start(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(for_s=2, clear_s=3)])
    engine.restore([_active(since=5.0)])
    events = [e for t in range(5) for e in engine.process(crowd(float(t), 0))]
    assert [(e.type, e.start_time, e.end_time, e.value) for e in events] == [(EventType.END, 5.0, 0.0, 0)]


def test_restored_sensor_sends_an_update_only_when_its_value_changes(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(report="sensor")])
    engine.restore([_active(value=2)])
    events = [e for t, n in enumerate([2, 2, 3]) for e in engine.process(crowd(float(t), n))]
    assert [(e.type, e.value) for e in events] == [(EventType.UPDATE, 3)]


def test_restored_idle_rule_starts_normally(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    engine.restore([_active(active=False, value=0, since=3.0)])
    assert [e.type for e in engine.process(crowd(0.0, 1))] == [EventType.START]


def test_rule_disabled_by_command_stays_disabled_after_restore(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    engine.restore([_active(active=False, enabled=False, since=None)])
    assert engine.process(crowd(0.0, 1)) == []
    assert engine.state("presence_on_path").enabled is False


def test_states_of_unknown_or_changed_rules_are_skipped(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    restored = engine.restore([_active(rule="gone"), _active(camera="porch"), _active(kind="occupancy")])
    assert restored == []
    assert [e.type for e in engine.process(crowd(0.0, 1))] == [EventType.START]


SAVED_WALL = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""Wall time of the saved state's last observation, at capture time 5000 s of the run before."""


def _saved(**fields: object) -> RuleState:
    """Active since 4000 s, last seen at 5000 s (`SAVED_WALL`): 1000 s watched before the save."""
    return _active(since=4000.0, seen_at=5000.0, seen_wall=SAVED_WALL.timestamp(), **fields)


def _end_after(
    engine: RulesEngine, crowd: Callable[..., Observation], t0: float, wall0: datetime | None
) -> Event:
    """Feed one observation with the person at `t0` (wall `wall0`), then none every second until the end."""
    events = engine.process(crowd(t0, 1), wall0)
    for t in range(1, 5):
        wall = None if wall0 is None else wall0 + timedelta(seconds=t)
        events += engine.process(crowd(t0 + t, 0), wall)
    (end,) = events
    return end


@pytest.mark.parametrize(
    ("t0", "wall0", "start"),
    [
        # A reboot after a 2 h power cut (wall 2 h 10 s after the save, uptime 10 s): 1000 s watched
        # before the save, 7210 s of downtime, counted by the wall clock.
        (10.0, SAVED_WALL + timedelta(hours=2, seconds=10), 10.0 - 1000.0 - 7210.0),
        # A host without a real-time clock, before NTP: its wall clock is behind the saved one, so
        # the downtime is unknown and counts nothing.
        (10.0, SAVED_WALL - timedelta(hours=1), 10.0 - 1000.0),
        # A replay (no wall clock): no downtime either.
        (10.0, None, 10.0 - 1000.0),
        # A restart without a reboot: the clock went on, `since` stays as saved.
        (5030.0, SAVED_WALL + timedelta(seconds=30), 4000.0),
    ],
    ids=["reboot", "wall-clock-behind", "no-wall-clock", "same-clock"],
)
def test_restored_episode_is_moved_onto_a_clock_that_started_again(
    rule: Callable[..., PresenceRule],
    crowd: Callable[..., Observation],
    t0: float,
    wall0: datetime | None,
    start: float,
) -> None:
    engine = RulesEngine([rule(clear_s=3)])
    engine.restore([_saved()])
    end = _end_after(engine, crowd, t0, wall0)
    assert (end.type, end.start_time, end.end_time) == (EventType.END, start, t0 + 1)
    assert end.start_time <= end.end_time


def test_state_shows_the_moved_since_from_the_first_observation(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule(clear_s=3)])
    engine.restore([_saved()])
    assert engine.state("presence_on_path").since == 4000.0
    engine.process(crowd(10.0, 1), SAVED_WALL + timedelta(seconds=70))
    state = engine.state("presence_on_path")
    assert (state.active, state.since, state.seen_at) == (True, 10.0 - 1000.0 - 70.0, 10.0)
    assert state.seen_wall == (SAVED_WALL + timedelta(seconds=70)).timestamp()


def test_state_stopped_before_its_first_observation_keeps_the_saved_clock(
    rule: Callable[..., PresenceRule],
) -> None:
    engine = RulesEngine([rule()])
    engine.restore([_saved()])
    state = engine.state("presence_on_path")
    assert (state.since, state.seen_at, state.seen_wall) == (4000.0, 5000.0, SAVED_WALL.timestamp())


def test_restored_rule_disabled_before_its_first_observation_ends_where_it_was_last_seen(
    rule: Callable[..., PresenceRule], crowd: Callable[..., Observation]
) -> None:
    engine = RulesEngine([rule()])
    engine.restore([_saved()])
    (end,) = engine.set_enabled("presence_on_path", False)
    assert (end.type, end.start_time, end.end_time) == (EventType.END, 4000.0, 5000.0)
    assert engine.set_enabled("presence_on_path", True) == []
    assert [e.type for e in engine.process(crowd(10.0, 1))] == [EventType.START]
