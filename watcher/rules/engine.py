"""`RulesEngine`: rule specs + observations in time order -> events. Pure; time is capture time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from watcher.errors import ConfigError
from watcher.rules.ids import IdMaker, random_ids
from watcher.rules.kinds import EventValue, Reading, RuleKind, build_kind
from watcher.rules.spec import RuleConfig
from watcher.rules.timers import HoldTimer, Transition
from watcher.types import Event, EventObject, EventType, Observation, RuleState


@dataclass(slots=True)
class _Rule:
    """One rule's private running state."""

    config: RuleConfig
    kind: RuleKind
    timer: HoldTimer
    enabled: bool
    value: EventValue
    since: float | None = None
    last_time: float | None = None
    last_objects: tuple[EventObject, ...] = field(default_factory=tuple)


def _timer(rule: RuleConfig) -> HoldTimer:
    # A miss shorter than clear_s is not an absence, before the start as after it, so a
    # detection that flickers for a frame neither ends an event nor restarts its for_s.
    return HoldTimer(rule.for_s, rule.clear_s, rule.cooldown_s, pending_gap_s=rule.clear_s)


class RulesEngine:
    """Evaluates every rule of an observation's camera and returns the events it causes.

    Observations of one camera must come in capture-time order. A sensor (`report = "sensor"`)
    gets an `update` whenever its value changes on an observation where the condition holds;
    gaps shorter than `clear_s` send no update.
    """

    def __init__(self, rules: Sequence[RuleConfig], *, ids: IdMaker | None = None) -> None:
        self._ids = ids or random_ids
        self._rules: dict[str, _Rule] = {}
        self._by_camera: dict[str, list[_Rule]] = {}
        for i, config in enumerate(rules):
            if config.name in self._rules:
                raise ConfigError(f"duplicate name {config.name!r}", key=f"rules[{i}].name")
            kind = build_kind(config)
            rule = _Rule(config, kind, _timer(config), config.enabled, kind.idle_value)
            self._rules[config.name] = rule
            self._by_camera.setdefault(config.camera, []).append(rule)

    def process(self, obs: Observation) -> list[Event]:
        """Feed one observation to the enabled rules of its camera, in config order."""
        events: list[Event] = []
        for rule in self._by_camera.get(obs.camera, ()):
            if rule.enabled:
                event = self._step(rule, obs)
                if event is not None:
                    events.append(event)
        return events

    def states(self) -> list[RuleState]:
        """Every rule's state, in config order."""
        return [self._state(rule) for rule in self._rules.values()]

    def state(self, rule: str) -> RuleState:
        """The state of the rule called `rule`; `KeyError` if there is none."""
        return self._state(self._rules[rule])

    def set_enabled(self, rule: str, enabled: bool) -> list[Event]:
        """Enable or disable a rule; disabling an active rule ends it at its last observation time."""
        running = self._rules[rule]
        if running.enabled == enabled:
            return []
        running.enabled = enabled
        if enabled:
            return []
        stop_at = running.last_time if running.last_time is not None else 0.0
        ended = running.timer.stop(stop_at)
        running.timer = _timer(running.config)
        return [] if ended is None else [self._end(running, ended)]

    def _step(self, rule: _Rule, obs: Observation) -> Event | None:
        reading = rule.kind.read(obs)
        rule.last_time = obs.time
        if reading.holds:
            rule.last_objects = reading.objects
        transition = rule.timer.feed(obs.time, reading.holds)
        if transition is not None and transition.type is EventType.START:
            rule.value = reading.value
            rule.since = transition.start_time
            return self._event(rule, EventType.START, transition.start_time, None, reading)
        if transition is not None:
            return self._end(rule, transition)
        if (
            rule.timer.active
            and rule.config.report == "sensor"
            and reading.holds
            and reading.value != rule.value
        ):
            rule.value = reading.value
            return self._event(rule, EventType.UPDATE, rule.since or 0.0, None, reading)
        return None

    def _end(self, rule: _Rule, transition: Transition) -> Event:
        rule.value = rule.kind.idle_value
        rule.since = transition.end_time
        last = Reading(holds=False, value=rule.value, objects=rule.last_objects)
        return self._event(rule, EventType.END, transition.start_time, transition.end_time, last)

    def _event(
        self, rule: _Rule, type_: EventType, start: float, end: float | None, reading: Reading
    ) -> Event:
        config = rule.config
        return Event(
            id=self._ids(),
            type=type_,
            rule=config.name,
            kind=config.kind,
            camera=config.camera,
            zone=config.zone,
            start_time=start,
            end_time=end,
            value=reading.value,
            objects=reading.objects,
        )

    def _state(self, rule: _Rule) -> RuleState:
        config = rule.config
        return RuleState(
            rule=config.name,
            camera=config.camera,
            kind=config.kind,
            active=rule.timer.active,
            value=rule.value,
            since=rule.since,
            enabled=rule.enabled,
        )
