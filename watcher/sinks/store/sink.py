"""`StoreSink`: the sink that writes events, rule states and count samples to an `EventStore`."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DatabaseError

from watcher.clock import Clock, SystemClock
from watcher.errors import SinkError
from watcher.sinks.store.counts import CountSampler
from watcher.sinks.store.events import EventStore
from watcher.types import Event, Image, Observation, RulesSnapshot

_log = logging.getLogger("watcher.store")
_PRUNE_EVERY_S = 3600.0


class StoreSink:
    """Writes every event with the state it leaves its rule in (one transaction); owns the store, so
    `close` closes it. That state is the rule's in the engine's latest snapshot, which the runner
    delivers before the events of the same frame.

    Rows older than `retention_days` are deleted at the first item and then hourly.
    """

    name = "store"

    def __init__(
        self,
        store: EventStore,
        *,
        retention_days: float = 30.0,
        count_sample_s: float = 60.0,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self._clock = clock or SystemClock()
        self._retention_s = retention_days * 86400.0
        self._sampler = CountSampler(count_sample_s)
        self._next_prune = float("-inf")
        self._states = RulesSnapshot()

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        self._states = snapshot

    def handle_event(self, event: Event, image: Image | None) -> None:
        try:
            self.store.add(event, self._states.get(event.rule))
        except DatabaseError as exc:  # disk full, I/O error: one line, the other sinks go on
            raise SinkError(
                "store", f"{event.type} event {event.id} of rule {event.rule} not stored: {exc.orig}"
            ) from None
        self._prune_if_due()

    def handle_observation(self, obs: Observation) -> None:
        wall = self._clock.wall().timestamp()
        try:
            self.store.counts.add(self._sampler.sample(obs, self._clock.monotonic(), wall))
        except DatabaseError as exc:
            raise SinkError("store", f"count samples not stored: {exc.orig}") from None
        self._prune_if_due()

    def close(self) -> None:
        self.store.close()

    def _prune_if_due(self) -> None:
        now = self._clock.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + _PRUNE_EVERY_S
        deleted = self.store.prune(self._clock.wall().timestamp() - self._retention_s)
        if deleted:
            _log.info("store retention: deleted %d row(s) older than the retention period", deleted)
