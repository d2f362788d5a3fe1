"""`RulesEngine`: rule specs + observations in time order -> events. Pure; time is capture time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from watcher.clock import Clock
from watcher.errors import ConfigError, RuleError
from watcher.rules.ids import IdMaker, random_ids
from watcher.rules.kinds import EventValue, Reading, RuleKind, build_kind
from watcher.rules.kinds.base import PerTrackKind
from watcher.rules.schedule import Schedule
from watcher.rules.spec import RuleConfig
from watcher.rules.timers import HoldTimer, Transition
from watcher.types import Event, EventObject, EventType, Observation, OpenEpisode, RulesSnapshot, RuleState

_EPS = 1e-9
WHOLE_RULE = -1
"""Episode key of a rule judged as a whole; per-track kinds key episodes by track id."""


@dataclass(slots=True)
class _Episode:
    """One timed condition: the whole rule, or one track of a per-track kind."""

    timer: HoldTimer
    value: EventValue
    since: float | None = None
    sent_at: float | None = None
    """Capture time of the last start or update: a sensor's `min_interval_s` counts from it."""
    last_objects: tuple[EventObject, ...] = field(default_factory=tuple)
    shown: tuple[EventObject, ...] = field(default_factory=tuple)
    """The objects of the episode's last event: what its state shows."""


@dataclass(slots=True)
class _Rule:
    """One rule's private running state."""

    config: RuleConfig
    kind: RuleKind
    enabled: bool
    schedule: Schedule
    index: int
    """Position in config order: where the rule's state sits in a snapshot."""
    episodes: dict[int, _Episode] = field(default_factory=dict)
    last_time: float | None = None
    last_wall: float | None = None
    """Wall-clock epoch seconds of the observation at `last_time` (None: unknown)."""
    resumed: bool = False
    """An episode restored from a saved state, on the saved run's clock until the next observation."""
    last_event: str | None = None
    status: str | None = None
    # A runtime Protocol check costs ~0.1 ms: done once here, not twice per frame.
    each: PerTrackKind | None = field(init=False)

    def __post_init__(self) -> None:
        self.each = self.kind if isinstance(self.kind, PerTrackKind) else None

    @property
    def per_track(self) -> bool:
        return self.each is not None

    def episode(self, key: int) -> _Episode:
        if key not in self.episodes:
            self.episodes[key] = _Episode(_timer(self.config), self.kind.idle_value)
        return self.episodes[key]

    def readings(self, obs: Observation) -> dict[int, Reading]:
        """This observation's readings by episode key; known episodes missing from it do not hold."""
        if self.each is not None:
            found = dict(self.each.read_each(obs))
            idle = Reading(holds=False, value=self.kind.idle_value)
            return {key: found.get(key, idle) for key in sorted(set(found) | set(self.episodes))}
        return {WHOLE_RULE: self.kind.read(obs)}


PENDING_GAP_S = 1.0
"""Longest miss that does not restart a pending `for_s` (docs/rules.md): a lost frame or two at 5 fps."""


def _timer(rule: RuleConfig) -> HoldTimer:
    # A lost frame or two neither ends an event (clear_s) nor restarts its for_s; a longer miss
    # before the start does, so blips (two people together for a frame) never add up to a start.
    gap = min(rule.clear_s, PENDING_GAP_S)
    return HoldTimer(rule.for_s, rule.clear_s, rule.cooldown_s, pending_gap_s=gap)


def _worth_an_update(config: RuleConfig, episode: _Episode, t: float, value: EventValue) -> bool:
    """A sensor's new value is sent: `min_interval_s` after the last one, and moved `min_change`."""
    if value == episode.value:
        return False
    if episode.sent_at is not None and t - episode.sent_at < config.min_interval_s - _EPS:
        return False
    old = episode.value
    if _number(value) and _number(old):
        return abs(value - old) >= config.min_change - _EPS
    return True  # a label (state) or a value appearing: any change is news


def _number(value: EventValue) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _carry_over(rule: _Rule, t: float, wall: float | None) -> None:
    """Move a restored episode onto the clock of this run, at its camera's first observation `t`
    (wall-clock epoch `wall`, None when unknown).

    Capture times go on across a restart of the daemon, but start again after a reboot (the
    monotonic clock) or with a file camera: then `t` is before the saved `seen_at`, and `since`
    keeps its distance to it (the time watched before the save) plus the downtime by the wall
    clock, so the end's `start_time` is before its `end_time` and the span is the real one. A wall
    clock behind the saved one (a host without a real-time clock, before NTP) counts no downtime.
    """
    rule.resumed = False
    episode = rule.episodes[WHOLE_RULE]
    seen, since = rule.last_time, episode.since
    if seen is None or since is None or t >= seen - _EPS:
        return  # the same clock (a restart without a reboot), or no saved time to translate from
    down = 0.0
    if wall is not None and rule.last_wall is not None:
        down = max(0.0, wall - rule.last_wall)
    episode.since = t - (seen - since) - down
    episode.timer.resume(episode.since)


class RulesEngine:
    """Evaluates every rule of an observation's camera and returns the events it causes.

    Observations of one camera must come in capture-time order. A sensor (`report = "sensor"`)
    gets an `update` whenever its value changes on an observation where the condition holds;
    gaps shorter than `clear_s` send no update.

    The engine alone holds rule state and belongs to one thread (the worker). Other threads read
    `snapshot()`: an immutable `RulesSnapshot`, swapped in whole after every change.
    """

    def __init__(
        self,
        rules: Sequence[RuleConfig],
        *,
        ids: IdMaker | None = None,
        timezone: str = "UTC",
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock
        self._ids = ids or random_ids
        self._rules: dict[str, _Rule] = {}
        self._by_camera: dict[str, list[_Rule]] = {}
        for i, config in enumerate(rules):
            if config.name in self._rules:
                raise ConfigError(f"duplicate name {config.name!r}", key=f"rules[{i}].name")
            kind = build_kind(config)
            schedule = Schedule(config.schedule, timezone)
            rule = _Rule(config, kind, config.enabled, schedule, i)
            rule.episode(WHOLE_RULE)
            self._rules[config.name] = rule
            self._by_camera.setdefault(config.camera, []).append(rule)
        self._snapshot = RulesSnapshot(tuple(self._state(rule) for rule in self._rules.values()))

    def process(self, obs: Observation, wall: datetime | None = None) -> list[Event]:
        """Feed one observation to the enabled rules of its camera, in config order.

        A rule whose reading raises is skipped for this observation; the others go on, and then
        `RuleError` (naming the first such rule, with the others' events) is raised.

        `wall` is the wall-clock time of the observation for `schedule` windows (default: the
        engine's clock; with neither, as in a replay of a recording, schedules are not applied).
        Outside its windows a rule is idle: an active event ends at the first observation past it.
        """
        if wall is None and self._clock is not None:
            wall = self._clock.wall()
        wall_s = None if wall is None else wall.timestamp()
        events: list[Event] = []
        failed: tuple[str, Exception] | None = None
        for rule in self._by_camera.get(obs.camera, ()):
            if not rule.enabled:
                continue
            if rule.resumed:
                _carry_over(rule, obs.time, wall_s)
            rule.last_wall = wall_s
            in_window = wall is None or rule.schedule.contains(wall)
            try:
                events.extend(self._step(rule, obs) if in_window else self._off_schedule(rule, obs))
            except Exception as exc:  # one rule's bug must not cost the camera's other rules their events
                failed = failed or (rule.config.name, exc)
        self._publish(self._by_camera.get(obs.camera, ()))
        if failed is not None:
            name, cause = failed
            raise RuleError(name, f"{type(cause).__name__}: {cause}", events) from cause
        return events

    def snapshot(self) -> RulesSnapshot:
        """Every rule's state after the last change; safe to call from any thread."""
        # One attribute read: the worker replaces the whole snapshot, never changes one in place.
        return self._snapshot

    def states(self) -> list[RuleState]:
        """Every rule's state, in config order."""
        return list(self.snapshot().states)

    def state(self, rule: str) -> RuleState:
        """The state of the rule called `rule`; `KeyError` if there is none."""
        found = self.snapshot().get(rule)
        if found is None:
            raise KeyError(rule)
        return found

    def _publish(self, rules: Iterable[_Rule] | None = None) -> None:
        """Swap in a new snapshot when the state of any of `rules` (default: all) changed; the old
        one stays whole for whoever still reads it."""
        states = list(self._snapshot.states)
        changed = False
        for rule in self._rules.values() if rules is None else rules:
            state = self._state(rule)
            if state.details() != states[rule.index].details():
                states[rule.index] = state
                changed = True
        if changed:
            self._snapshot = RulesSnapshot(tuple(states), self._snapshot.version + 1)

    def restore(self, states: Iterable[RuleState]) -> list[str]:
        """Take saved states back before the first observation; the names of the rules restored.

        An active rule goes on where it was (its timer resumes at `since`), so a restart sends
        no second start, and an end only when the condition clears. If the first observation of
        its camera is earlier than the one the state was saved at (the host rebooted, a file
        camera started again), `since` is moved onto the new clock (`_carry_over`). A state
        whose rule is gone or changed camera or kind is skipped. `enabled` is restored (a rule
        switched off by a command stays off); a rule disabled in the config stays disabled.
        """
        restored: list[str] = []
        for state in states:
            rule = self._rules.get(state.rule)
            if rule is None or (rule.config.camera, rule.config.kind) != (state.camera, state.kind):
                continue
            rule.enabled = rule.config.enabled and state.enabled
            # Track ids do not survive a restart, so per-track episodes start afresh.
            if state.active and rule.enabled and state.since is not None and not rule.per_track:
                episode = rule.episode(WHOLE_RULE)
                episode.timer.resume(state.since)
                episode.value = state.value
                episode.since = state.since
                episode.shown = state.objects
                rule.last_time, rule.last_wall = state.seen_at, state.seen_wall
                rule.resumed = True
            restored.append(state.rule)
        self._publish()
        return restored

    def set_enabled(self, rule: str, enabled: bool) -> list[Event]:
        """Enable or disable a rule; disabling an active rule ends it at its last observation time."""
        running = self._rules[rule]
        if running.enabled == enabled:
            return []
        running.enabled = enabled
        # Before its first observation a restored rule ends where it was last seen, on the saved clock.
        running.resumed = False
        events = [] if enabled else self._stop_all(running, running.last_time or 0.0)
        self._publish([running])
        return events

    def _off_schedule(self, rule: _Rule, obs: Observation) -> list[Event]:
        rule.last_time = obs.time
        return self._stop_all(rule, obs.time)

    def _stop_all(self, rule: _Rule, t: float) -> list[Event]:
        """End every running episode at `t` and forget them (disable, schedule window closed)."""
        events = []
        for key in sorted(rule.episodes):
            episode = rule.episodes[key]
            ended = episode.timer.stop(t)
            episode.timer = _timer(rule.config)
            if ended is not None:
                events.append(self._end(rule, episode, ended))
        self._prune(rule)
        return events

    def _step(self, rule: _Rule, obs: Observation) -> list[Event]:
        rule.last_time = obs.time
        events = []
        for key, reading in rule.readings(obs).items():
            if key == WHOLE_RULE:
                rule.status = reading.status
            event = self._step_episode(rule, rule.episode(key), obs.time, reading)
            if event is not None:
                events.append(event)
        self._prune(rule)
        return events

    def _step_episode(self, rule: _Rule, episode: _Episode, t: float, reading: Reading) -> Event | None:
        if reading.holds:
            episode.last_objects = reading.objects
        transition = episode.timer.feed(t, reading.holds)
        if transition is not None and transition.type is EventType.START:
            episode.value = reading.value
            episode.since = transition.start_time
            episode.sent_at = t
            episode.shown = reading.objects
            return self._event(rule, EventType.START, transition.start_time, None, reading)
        if transition is not None:
            return self._end(rule, episode, transition)
        sensor = episode.timer.active and rule.config.report == "sensor" and reading.holds
        if sensor and _worth_an_update(rule.config, episode, t, reading.value):
            episode.value = reading.value
            episode.sent_at = t
            episode.shown = reading.objects
            return self._event(rule, EventType.UPDATE, episode.since or 0.0, None, reading)
        return None

    @staticmethod
    def _prune(rule: _Rule) -> None:
        """Forget per-track episodes that are neither active nor pending, so memory stays bounded."""
        if rule.per_track and rule.last_time is not None:
            t = rule.last_time
            for key in [k for k, e in rule.episodes.items() if k != WHOLE_RULE and e.timer.idle_at(t)]:
                del rule.episodes[key]

    def _end(self, rule: _Rule, episode: _Episode, transition: Transition) -> Event:
        episode.value = rule.kind.idle_value
        episode.since = transition.end_time
        episode.shown = episode.last_objects
        last = Reading(holds=False, value=episode.value, objects=episode.last_objects)
        return self._event(rule, EventType.END, transition.start_time, transition.end_time, last)

    def _event(
        self, rule: _Rule, type_: EventType, start: float, end: float | None, reading: Reading
    ) -> Event:
        config = rule.config
        rule.last_event = self._ids()
        return Event(
            id=rule.last_event,
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
        if rule.per_track:
            # The rule as a whole: active while any track's episode is open, valued by how many are.
            open_ = [
                OpenEpisode(key, e.since, e.value, e.shown)
                for key, e in sorted(rule.episodes.items())
                if key != WHOLE_RULE and e.timer.active
            ]
            since = min((e.since for e in open_ if e.since is not None), default=None)
            whole = rule.episodes[WHOLE_RULE]
            return RuleState(
                config.name,
                config.camera,
                config.kind,
                active=bool(open_),
                value=len(open_),
                since=since if open_ else whole.since,
                enabled=rule.enabled,
                objects=tuple(o for e in open_ for o in e.objects) if open_ else whole.shown,
                episodes=tuple(open_),
                last_event=rule.last_event,
                status=rule.status,
                seen_at=rule.last_time,
                seen_wall=rule.last_wall,
            )
        episode = rule.episodes[WHOLE_RULE]
        return RuleState(
            rule=config.name,
            camera=config.camera,
            kind=config.kind,
            active=episode.timer.active,
            value=episode.value,
            since=episode.since,
            enabled=rule.enabled,
            objects=episode.shown,
            last_event=rule.last_event,
            pending_since=None if episode.timer.active else episode.timer.start_time,
            status=rule.status,
            seen_at=rule.last_time,
            seen_wall=rule.last_wall,
        )
