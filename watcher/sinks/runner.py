"""`SinkRunner`: one daemon thread and a bounded queue between the frame loop and the sinks.

Submitting never blocks the caller for more than `event_wait_s`: when the queue is full an
observation is dropped; an event first evicts the oldest queued observation, then waits up to
`event_wait_s` for room, then evicts the oldest queued event. Drops are counted and logged.
An idle round (`submit_idle`) gives sinks with timed work of their own their chance when no item comes.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.errors import WatcherError
from watcher.sinks.base import IdleSink, Sink, StateSink, ThreadedSink
from watcher.types import Event, Image, Observation, RulesSnapshot

_log = logging.getLogger("watcher.sinks")
_WARN_EVERY = 100


@dataclass(frozen=True, slots=True)
class SinkStats:
    """Per-sink counts; `dropped` are items dropped from the full queue before any sink saw them."""

    delivered_events: int
    delivered_observations: int
    failed: int
    dropped: int


@dataclass(frozen=True, slots=True)
class _EventItem:
    event: Event
    image: Image | None


@dataclass(frozen=True, slots=True)
class _Idle:
    """The daemon's frame loop is idle: sinks with timed work get their chance."""


_IDLE = _Idle()
_Item = _EventItem | Observation | RulesSnapshot | _Idle


@dataclass(slots=True)
class _Counts:
    events: int = 0
    observations: int = 0
    failed: int = 0


class SinkRunner:
    """Delivers events, observations and rule-state snapshots to every sink, in submission order,
    on one thread; snapshots go only to sinks that show states (`StateSink`) and are queued like
    events: a full queue makes room by dropping observations first."""

    def __init__(self, sinks: Sequence[Sink], maxsize: int = 1000, *, event_wait_s: float = 0.005) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be >= 1 (got {maxsize})")
        names = [sink.name for sink in sinks]
        if len(set(names)) != len(names):
            raise ValueError(f"sink names must be unique (got {names})")
        self._sinks = tuple(sinks)
        self._has_state_sinks = any(isinstance(sink, StateSink) for sink in sinks)
        self._has_idle_sinks = any(isinstance(sink, IdleSink) for sink in sinks)
        self._idle_queued = False
        self._maxsize = maxsize
        self._event_wait_s = event_wait_s
        self._queue: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._busy = False
        self._closing = False
        self._dropped_observations = 0
        self._dropped_events = 0
        self._counts = {sink.name: _Counts() for sink in self._sinks}
        self._thread = threading.Thread(target=self._run, name="watcher-sinks", daemon=True)
        self._started = False
        self._states_version = -1

    @property
    def sinks(self) -> tuple[Sink, ...]:
        """The sinks, in the order each item reaches them."""
        return self._sinks

    def start(self) -> None:
        """Start the sinks' threads, then the delivery thread; once (later calls do nothing).

        Submitting starts the runner too, so a runner nobody started still delivers.
        """
        if self._started:  # every submit comes here: skip the lock once started (checked again under it)
            return
        with self._cond:
            if self._started:
                return
            self._started = True
        for sink in self._sinks:
            if isinstance(sink, ThreadedSink):
                sink.start()
        self._thread.start()

    def submit_event(self, event: Event, image: Image | None = None) -> None:
        """Queue an event (and the frame it fired on, which must not be mutated afterwards)."""
        self.start()
        with self._cond:
            if self._closing:
                _log.warning("sink runner closed: event %s of rule %s not delivered", event.id, event.rule)
                return
            self._make_room()
            self._queue.append(_EventItem(event, image))
            self._cond.notify_all()

    def submit_states(self, snapshot: RulesSnapshot) -> None:
        """Queue the engine's snapshot; submit it before the events of the frame that changed it.

        A snapshot of the version already queued is skipped, so call this after every frame.
        """
        self.start()
        with self._cond:
            if self._closing or not self._has_state_sinks or snapshot.version == self._states_version:
                return
            self._states_version = snapshot.version
            self._make_room()
            self._queue.append(snapshot)
            self._cond.notify_all()

    def submit_idle(self) -> None:
        """Give sinks with timed work (`IdleSink`) their chance; skipped while one is still queued
        or when the queue is full (the items there give them theirs)."""
        self.start()
        with self._cond:
            if self._closing or not self._has_idle_sinks or self._idle_queued or not self._has_room():
                return
            self._idle_queued = True
            self._queue.append(_IDLE)
            self._cond.notify_all()

    def submit_observation(self, obs: Observation) -> None:
        """Queue an observation, or drop it (counted) when the queue is full."""
        self.start()
        with self._cond:
            if self._closing:
                return
            if len(self._queue) >= self._maxsize:
                self._dropped_observations += 1
                self._warn_dropped()
                return
            self._queue.append(obs)
            self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far was delivered; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self, timeout: float | None = 5.0) -> bool:
        """Deliver what is queued, then close every sink; False if that did not finish in time."""
        self.start()  # started or not, every sink is closed by the delivery thread
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            with self._cond:
                left = len(self._queue)
            _log.warning("sink runner did not finish within %ss: %d item(s) still queued", timeout, left)
            return False
        return True

    def stats(self) -> dict[str, SinkStats]:
        """Sink name to its counts so far."""
        with self._cond:
            dropped = self._dropped_events + self._dropped_observations
            counts = self._counts.items()
            return {name: SinkStats(c.events, c.observations, c.failed, dropped) for name, c in counts}

    @property
    def dropped_events(self) -> int:
        with self._cond:
            return self._dropped_events

    @property
    def dropped_observations(self) -> int:
        with self._cond:
            return self._dropped_observations

    def _make_room(self) -> None:
        """Room for an event or snapshot: drop an observation, else wait a moment, else the oldest item."""
        if len(self._queue) >= self._maxsize and not self._evict_observation():
            room = self._cond.wait_for(self._has_room, self._event_wait_s)
            if not room and len(self._queue) >= self._maxsize:
                if self._take() is _IDLE:
                    return  # a chance for idle work, not an event: nothing lost
                self._dropped_events += 1
                self._warn_dropped()

    def _take(self) -> _Item:
        """The oldest queued item, off the queue (the caller holds the lock)."""
        item = self._queue.popleft()
        if item is _IDLE:
            self._idle_queued = False
        return item

    def _has_room(self) -> bool:
        return len(self._queue) < self._maxsize

    def _evict_observation(self) -> bool:
        for i, item in enumerate(self._queue):
            if isinstance(item, Observation):
                del self._queue[i]
                self._dropped_observations += 1
                self._warn_dropped()
                return True
        return False

    def _warn_dropped(self) -> None:
        total = self._dropped_events + self._dropped_observations
        if total == 1 or total % _WARN_EVERY == 0:
            _log.warning(
                "sink queue full (%d): dropped %d observation(s) and %d event(s) so far",
                self._maxsize,
                self._dropped_observations,
                self._dropped_events,
            )

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closing)
                if not self._queue:
                    break
                item = self._take()
                self._busy = True
                self._cond.notify_all()
            for sink in self._sinks:
                self._deliver(sink, item)
            with self._cond:
                self._busy = False
                self._cond.notify_all()
        for sink in self._sinks:
            try:
                sink.close()
            except Exception:
                _log.exception("sink %s failed to close", sink.name)

    def _deliver(self, sink: Sink, item: _Item) -> None:
        if isinstance(item, RulesSnapshot):
            if isinstance(sink, StateSink):
                self._deliver_states(sink, item)
            return
        if isinstance(item, _Idle):
            if isinstance(sink, IdleSink):
                self._deliver_idle(sink)
            return
        try:
            if isinstance(item, _EventItem):
                sink.handle_event(item.event, item.image)
            else:
                sink.handle_observation(item)
        except WatcherError as exc:  # a known failure (disk full, service down) says itself in one line
            _log.error("%s", exc)
            with self._cond:
                self._counts[sink.name].failed += 1
            return
        except Exception:
            _log.exception("sink %s failed on %s", sink.name, _describe(item))
            with self._cond:
                self._counts[sink.name].failed += 1
            return
        with self._cond:
            counts = self._counts[sink.name]
            if isinstance(item, _EventItem):
                counts.events += 1
            else:
                counts.observations += 1

    def _deliver_states(self, sink: StateSink, snapshot: RulesSnapshot) -> None:
        try:
            sink.handle_states(snapshot)
        except Exception:  # states come again with the next change: one failure costs one change
            _log.exception("sink %s failed on rule states #%d", sink.name, snapshot.version)
            with self._cond:
                self._counts[sink.name].failed += 1

    def _deliver_idle(self, sink: IdleSink) -> None:
        try:
            sink.handle_idle()
        except WatcherError as exc:
            _log.error("%s", exc)
        except Exception:  # the next idle round tries again
            _log.exception("sink %s failed on its idle work", sink.name)


def _describe(item: _EventItem | Observation) -> str:
    if isinstance(item, _EventItem):
        return f"{item.event.type} event {item.event.id} of rule {item.event.rule}"
    return f"observation {item.camera}#{item.frame_index}"
