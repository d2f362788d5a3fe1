"""The SQLite store: events, rule states and count samples (the outbox lives with MQTT)."""

from __future__ import annotations

from watcher.sinks.store.counts import CountSample, CountSampler
from watcher.sinks.store.events import EventStore, StoredEvent
from watcher.sinks.store.retention import Pruned, prune_snapshots
from watcher.sinks.store.sink import StoreSink

__all__ = [
    "CountSample",
    "CountSampler",
    "EventStore",
    "Pruned",
    "StoreSink",
    "StoredEvent",
    "prune_snapshots",
]
