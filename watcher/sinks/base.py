"""The `Sink` protocol: where events and observations leave the pipeline."""

from __future__ import annotations

from typing import Protocol

from watcher.types import Event, Image, Observation


class Sink(Protocol):
    """A destination run by `SinkRunner` on its own thread; it may block, never the frame loop."""

    name: str

    def handle_event(self, event: Event, image: Image | None) -> None:
        """Deliver one event; `image` is the frame it was emitted on (read-only), if kept."""
        ...

    def handle_observation(self, obs: Observation) -> None:
        """Take one observation (counts, live state); sinks that do not need them do nothing."""
        ...

    def close(self) -> None:
        """Flush and release resources; called once, after the last item."""
        ...
