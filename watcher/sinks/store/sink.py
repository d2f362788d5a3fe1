"""`StoreSink`: the sink that writes events, rule states and count samples to an `EventStore`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import DatabaseError

from watcher.clock import Clock, SystemClock
from watcher.errors import SinkError, StoreOpenError
from watcher.faults import PartFaults
from watcher.sinks.store.counts import CountSampler
from watcher.sinks.store.events import EventStore
from watcher.sinks.store.standby import HELD_EVENTS, StoreStandby
from watcher.types import Event, Image, Observation, RulesSnapshot, RuleState

_log = logging.getLogger("watcher.store")
_PRUNE_EVERY_S = 3600.0


class StoreSink:
    """Writes every event with the state it leaves its rule in (one transaction); owns the store, so
    `close` closes it. That state is the rule's in the engine's latest snapshot, which the runner
    delivers before the events of the same frame.

    Given the `StoreOpenError` of a store that could not be opened, it holds the latest `hold` events
    in memory and tries the file again every `REOPEN_EVERY_S` (at an event, an observation or the
    daemon's idle round, and once more at close), then writes them; count samples wait for the store.

    Rows older than `retention_days` are deleted at the first item and then hourly.
    """

    name = "store"

    def __init__(
        self,
        store: EventStore | StoreOpenError,
        *,
        retention_days: float = 30.0,
        count_sample_s: float = 60.0,
        clock: Clock | None = None,
        faults: PartFaults | None = None,
        hold: int = HELD_EVENTS,
    ) -> None:
        self._clock = clock or SystemClock()
        self.store: EventStore | None = None
        self._standby: StoreStandby | None = None
        if isinstance(store, EventStore):
            self.store = store
        else:
            self._standby = StoreStandby(store, clock=self._clock, faults=faults, hold=hold)
        self._retention_s = retention_days * 86400.0
        self._sampler = CountSampler(count_sample_s)
        self._next_prune = float("-inf")
        self._states = RulesSnapshot()
        self.reopened: list[Callable[[], object]] = []
        """Called (on this sink's thread) once a store shut at start opened and took what was held:
        the MQTT outbox, in the same file, goes back to it."""

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        self._states = snapshot

    def handle_event(self, event: Event, image: Image | None) -> None:
        state = self._states.get(event.rule)
        store = self._open_store()
        if store is None:
            assert self._standby is not None
            self._standby.hold(event, state)
            return
        self._add(store, event, state)
        self._prune_if_due(store)

    def handle_observation(self, obs: Observation) -> None:
        store = self._open_store()
        if store is None:
            return  # the first samples once it opens are the counts then
        wall = self._clock.wall().timestamp()
        try:
            store.counts.add(self._sampler.sample(obs, self._clock.monotonic(), wall))
        except DatabaseError as exc:
            raise SinkError("store", f"count samples not stored: {exc.orig}") from None
        self._prune_if_due(store)

    def handle_idle(self) -> None:
        """While the store is shut, try it again when due, even with no event or frame coming
        (every camera ended)."""
        self._open_store()

    def close(self) -> None:
        if self.store is None and self._standby is not None:
            self._reopened(self._standby.reopen(now=True))  # a last try: space may be back by now
        if self.store is not None:
            self.store.close()
        elif self._standby is not None:
            self._lost(self._standby)

    def _open_store(self) -> EventStore | None:
        """The store, opened again when it was shut and its retry time has come."""
        if self.store is None and self._standby is not None:
            self._reopened(self._standby.reopen())
        return self.store

    def _reopened(self, store: EventStore | None) -> None:
        """Write what waited in memory into the store that opened again, then use it."""
        if store is None or self._standby is None:
            return
        standby, self._standby, self.store = self._standby, None, store
        held = standby.take()
        written = 0
        try:
            for item in held:
                store.add(item.event, item.state)
                written += 1
        except DatabaseError as exc:
            _log.error("store: %d event(s) held in memory not stored: %s", len(held) - written, exc.orig)
        dropped = f"; {standby.dropped} older event(s) were dropped (memory holds {standby.hold_max})"
        _log.log(
            logging.WARNING if standby.dropped else logging.INFO,
            "store: %s opened; wrote %d event(s) held in memory while it could not be%s",
            store.path,
            written,
            dropped if standby.dropped else "",
        )
        standby.resolved()
        for callback in self.reopened:
            callback()

    def _add(self, store: EventStore, event: Event, state: RuleState | None) -> None:
        try:
            store.add(event, state)
        except DatabaseError as exc:  # disk full, I/O error: one line, the other sinks go on
            raise SinkError(
                "store", f"{event.type} event {event.id} of rule {event.rule} not stored: {exc.orig}"
            ) from None

    def _lost(self, standby: StoreStandby) -> None:
        _log.error(
            "store: %s still cannot be opened (%s): %d event(s) held in memory are lost (%d more "
            "were dropped before), and the rule states are not saved",
            standby.path,
            standby.reason,
            len(standby.take()),
            standby.dropped,
        )

    def _prune_if_due(self, store: EventStore) -> None:
        now = self._clock.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + _PRUNE_EVERY_S
        deleted = store.prune(self._clock.wall().timestamp() - self._retention_s)
        if deleted:
            _log.info("store retention: deleted %d row(s) older than the retention period", deleted)
