"""Rule states across restarts: loaded when the daemon starts, saved when it stops."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from watcher.errors import SinkError
from watcher.sinks.store.events import EventStore
from watcher.types import RuleState

_log = logging.getLogger("watcher.store")


def load_states(path: Path) -> list[RuleState]:
    """The rule states saved in the store at `path`; none (logged) when it cannot be opened."""
    try:
        store = EventStore(path)
    except SinkError as exc:
        _log.error("%s: starting without saved rule states", exc)
        return []
    try:
        return store.states.load()
    finally:
        store.close()


def save_states(path: Path, states: Iterable[RuleState], wall: float) -> None:
    """Save every rule's state (wall-clock epoch `wall`); a failure is logged, not raised."""
    try:
        store = EventStore(path)
    except SinkError as exc:
        _log.error("%s: rule states not saved", exc)
        return
    try:
        store.states.save(states, wall)
    except DatabaseError as exc:  # the disk filled up meanwhile: one line, the stop goes on
        _log.error("store: rule states not saved in %s: %s", path, exc.orig)
    finally:
        store.close()
