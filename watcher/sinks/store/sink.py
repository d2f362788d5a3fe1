"""`StoreSink`: the sink that writes events to an `EventStore`."""

from __future__ import annotations

from watcher.sinks.store.events import EventStore
from watcher.types import Event, Image, Observation


class StoreSink:
    """Writes every event to the store; owns it, so `close` closes the store."""

    name = "store"

    def __init__(self, store: EventStore) -> None:
        self.store = store

    def handle_event(self, event: Event, image: Image | None) -> None:
        self.store.add(event)

    def handle_observation(self, obs: Observation) -> None:
        return None

    def close(self) -> None:
        self.store.close()
