"""`FakeSink`: records everything it is given, for tests of anything that feeds sinks."""

from __future__ import annotations

import threading

from watcher.types import Event, Image, Observation, RulesSnapshot


class FakeSink:
    """A thread-safe recording sink; `wait_for_events` lets tests wait without sleeping."""

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self._cond = threading.Condition()
        self._events: list[tuple[Event, Image | None]] = []
        self._observations: list[Observation] = []
        self._snapshots: list[RulesSnapshot] = []
        self._closed = False

    @property
    def events(self) -> list[Event]:
        """Events received so far, in order."""
        with self._cond:
            return [event for event, _ in self._events]

    @property
    def images(self) -> list[Image | None]:
        """The image given with each event, in order."""
        with self._cond:
            return [image for _, image in self._events]

    @property
    def observations(self) -> list[Observation]:
        """Observations received so far, in order."""
        with self._cond:
            return list(self._observations)

    @property
    def snapshots(self) -> list[RulesSnapshot]:
        """Rule-state snapshots received so far, in order."""
        with self._cond:
            return list(self._snapshots)

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    def handle_event(self, event: Event, image: Image | None) -> None:
        with self._cond:
            self._events.append((event, image))
            self._cond.notify_all()

    def handle_observation(self, obs: Observation) -> None:
        with self._cond:
            self._observations.append(obs)
            self._cond.notify_all()

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        with self._cond:
            self._snapshots.append(snapshot)
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def wait_for_events(self, count: int, timeout: float = 5.0) -> bool:
        """Block until at least `count` events arrived; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._events) >= count, timeout)
