"""The SQLite store: events now; rule states, outbox and count samples get their own tables here."""

from __future__ import annotations

from watcher.sinks.store.events import EventStore
from watcher.sinks.store.sink import StoreSink

__all__ = ["EventStore", "StoreSink"]
