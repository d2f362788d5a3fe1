"""The `Sink` protocol: where events and observations leave the pipeline."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from watcher.types import Event, Image, Observation, RulesSnapshot


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


@runtime_checkable
class ThreadedSink(Sink, Protocol):
    """A sink with threads of its own (a broker connection, a send queue): started by `start`."""

    def start(self) -> None:
        """Start the sink's threads; called once, by the runner's `start`, before the first item."""
        ...


@runtime_checkable
class StateSink(Sink, Protocol):
    """A sink that shows rule states: it gets the engine's snapshot whenever a state changed.

    A snapshot comes before the events of the frame that changed it, so a sink storing an event
    can store the state the event left its rule in. States come only from snapshots: a sink
    never works a rule's state out of events.
    """

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        """Take every rule's state now (immutable; keep it as long as needed)."""
        ...


@runtime_checkable
class IdleSink(Sink, Protocol):
    """A sink with timed work of its own (a store that could not be opened tries it again): the
    daemon gives it a chance about once a second while no frame comes, as when every camera ended."""

    def handle_idle(self) -> None:
        """Do what is due now; cheap when nothing is."""
        ...
