"""The store while its file cannot be opened (a full disk, a read-only folder): the latest events
held in memory, the file tried again now and then, so a Pi whose SD card filled up still detects,
publishes and notifies, and its history resumes once there is room."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from watcher.clock import Clock
from watcher.errors import StoreOpenError
from watcher.faults import PartFaults
from watcher.sinks.store.db import set_aside_if_corrupt
from watcher.sinks.store.events import EventStore
from watcher.types import Event, RuleState

_log = logging.getLogger("watcher.store")

PART = "store"
"""The store's name in the daemon's part faults (status line, dashboards, MQTT `<prefix>/faults`)."""
REOPEN_EVERY_S = 30.0
"""How often a store that cannot be opened is tried again (at its next event, observation or idle round)."""
HELD_EVENTS = 1000
"""Events kept in memory for it meanwhile; past this the oldest are dropped (counted)."""


def open_store(path: Path, *, clock: Clock | None = None) -> EventStore:
    """The store at `path`, a corrupt file set aside first; `StoreOpenError` when it cannot be opened."""
    set_aside_if_corrupt(path)
    return EventStore(path, clock=clock)


def open_at_start(path: Path, *, clock: Clock, outbox: bool, notify: bool) -> EventStore | StoreOpenError:
    """The daemon's store; when it cannot be opened, why, after one ERROR line saying what still
    works (`outbox`: MQTT is on, and its outbox shares the file; `notify`: notifications are on)."""
    try:
        return open_store(path, clock=clock)
    except StoreOpenError as exc:
        mqtt = "; MQTT events wait in memory, not in the file" if outbox else ""
        parts = ["cameras", "rules", *(["MQTT"] if outbox else []), *(["notifications"] if notify else [])]
        _log.error(
            "store: cannot open %s (store.path): %s; %s and %s go on "
            "without the event history (rule states start fresh; the store is tried again every %g s "
            "and the last %d events wait in memory for it%s)",
            exc.path,
            exc.reason,
            ", ".join(parts[:-1]),
            parts[-1],
            REOPEN_EVERY_S,
            HELD_EVENTS,
            mqtt,
        )
        return exc


@dataclass(frozen=True, slots=True)
class Held:
    """An event that came while the store was shut, with the rule state it left."""

    event: Event
    state: RuleState | None


class StoreStandby:
    """Stands in for a store that could not be opened; marks it failed in `faults` until it opens."""

    def __init__(
        self,
        failure: StoreOpenError,
        *,
        clock: Clock,
        faults: PartFaults | None = None,
        reopen_s: float = REOPEN_EVERY_S,
        hold: int = HELD_EVENTS,
    ) -> None:
        self.path = Path(failure.path)
        self.reason = failure.reason
        self._clock = clock
        self._faults = faults
        self._reopen_s = reopen_s
        self._next_try = clock.monotonic() + reopen_s
        self.hold_max = hold
        self._held: deque[Held] = deque(maxlen=hold)
        self.dropped = 0
        """Events dropped from memory because more than `hold` came while the store was shut."""
        self._mark()

    def hold(self, event: Event, state: RuleState | None) -> None:
        """Keep an event for when the store opens; the oldest goes (counted) past the bound."""
        if len(self._held) == self._held.maxlen:
            self.dropped += 1
        self._held.append(Held(event, state))

    def reopen(self, *, now: bool = False) -> EventStore | None:
        """The store, once its retry time has come (or `now`) and the file opens; None before.

        Still marked failed until `resolved`: the held events are not in the file yet.
        """
        if not now and self._clock.monotonic() < self._next_try:
            return None
        try:
            store = open_store(self.path, clock=self._clock)
        except StoreOpenError as exc:
            self._next_try = self._clock.monotonic() + self._reopen_s
            _log.debug("store: %s still cannot be opened: %s", self.path, exc.reason)
            if exc.reason != self.reason:
                self.reason = exc.reason
                self._mark()
            return None
        return store

    def resolved(self) -> None:
        """The store opened and took what was held: it is no longer failed."""
        if self._faults is not None:
            self._faults.recovered(PART)

    def take(self) -> list[Held]:
        """The held events, oldest first; memory is empty afterwards."""
        held = list(self._held)
        self._held.clear()
        return held

    def _mark(self) -> None:
        if self._faults is not None:
            self._faults.failed(PART, f"{self.path}: {self.reason}")
