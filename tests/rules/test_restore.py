"""`RulesEngine.restore`: an event active before a restart goes on without a phantom end/start."""

from __future__ import annotations

from collections.abc import Callable

from watcher.config import PresenceRule
from watcher.rules import RulesEngine
from watcher.types import EventType, Observation, RuleState


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
