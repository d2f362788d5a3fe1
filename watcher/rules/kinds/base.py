"""What a rule kind is: a pure reading of one observation, timed by the engine's `HoldTimer`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from watcher.types import EventObject, Observation

EventValue = bool | float | int | str | None


@dataclass(frozen=True, slots=True)
class Reading:
    """A kind's verdict on one observation: does the condition hold, its value, the objects."""

    holds: bool
    value: EventValue
    objects: tuple[EventObject, ...] = ()
    status: str | None = None
    """What the kind says of its own readiness (`left_object`: learning or learned), if anything."""


class RuleKind(Protocol):
    """One kind of rule (presence, left_object, ...): stateless or self-contained, no clock."""

    @property
    def idle_value(self) -> EventValue:
        """The value reported when the rule is not active (and in `end` events)."""
        ...

    def read(self, obs: Observation) -> Reading:
        """Evaluate the condition on one observation of the rule's camera."""
        ...


@runtime_checkable
class PerTrackKind(RuleKind, Protocol):
    """A kind whose condition is judged per track: each track gets its own hold timer and events."""

    def read_each(self, obs: Observation) -> Mapping[int, Reading]:
        """Readings by track id for the tracks the condition concerns in this observation."""
        ...
