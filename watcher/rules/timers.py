"""`HoldTimer`: the for/clear/cooldown state machine every rule kind feeds (DESIGN.md §5).

A kind decides, per observation, whether its condition holds; the timer turns that stream of
(time, holds) into start and end transitions. Times are capture seconds, never the wall clock.

- **Hold (`for_s`)**: `start_time` is the time the condition began to hold. The start is emitted
  at the first observation with `t - start_time >= for_s` (`for_s = 0`: the same observation).
- **Pending gaps**: before the start, a miss resets the pending start unless it is shorter than
  `pending_gap_s` (default 0: one missed frame resets it, like Home Assistant's `for:`; the rules
  engine passes `clear_s` capped at 1 s, so detection flicker does not restart a hold but blips
  do not add up to one). A start is only ever emitted on an observation where the condition holds.
- **Clear (`clear_s`)**: while active, `end_time` is the first observation where the condition
  no longer holds; the end is emitted at the first observation with `t - end_time >= clear_s`.
  If the condition comes back before that, the event goes on and `end_time` is forgotten, so
  a gap shorter than `clear_s` (a flickering detection) never ends an event.
- **Cooldown (`cooldown_s`)**: no start is emitted before `cooldown_s` after the end *emission*.
  The pending start keeps being tracked during the cooldown; a condition that holds through it
  starts at the first observation at or after the cooldown's end, with its true `start_time`
  (when the object came, possibly inside the cooldown), since that is what `start_time` means.
- **Stop**: `stop(t)` ends an active event at once (`end_time` = when the condition stopped
  holding, or `t` if it still holds) and forgets everything, the cooldown included.
- **Resume**: `resume(start_time)` makes the timer active as if its start had just been emitted,
  so an event active before a restart neither starts again nor ends unless the condition clears.

Times are compared with a 1 µs tolerance so `0.3 - 0.1 >= 0.2` holds for frame times.
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher.types import EventType

_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Transition:
    """A start (`end_time` None) or an end of the timed condition."""

    type: EventType
    start_time: float
    end_time: float | None = None


class HoldTimer:
    """Debounces a boolean condition over capture time into start/end transitions."""

    def __init__(
        self, for_s: float = 0.0, clear_s: float = 0.0, cooldown_s: float = 0.0, *, pending_gap_s: float = 0.0
    ) -> None:
        self.for_s = for_s
        self.clear_s = clear_s
        self.cooldown_s = cooldown_s
        self.pending_gap_s = pending_gap_s
        self._active = False
        self._begin: float | None = None
        self._gap_since: float | None = None
        self._cooldown_until = float("-inf")

    @property
    def active(self) -> bool:
        """True between an emitted start and its end."""
        return self._active

    def idle_at(self, t: float) -> bool:
        """True when nothing is active, pending or cooling down at capture time `t`."""
        return not self._active and self._begin is None and t >= self._cooldown_until - _EPS

    @property
    def start_time(self) -> float | None:
        """When the condition began to hold (pending or active); None when idle."""
        return self._begin

    def resume(self, start_time: float) -> None:
        """Continue an event emitted before a restart: active since `start_time`, no gap, no cooldown."""
        self._active = True
        self._begin = start_time
        self._gap_since = None
        self._cooldown_until = float("-inf")

    def feed(self, t: float, holds: bool) -> Transition | None:
        """Advance to capture time `t`; return the transition this observation causes, if any."""
        if self._active:
            return self._feed_active(t, holds)
        return self._feed_idle(t, holds)

    def stop(self, t: float) -> Transition | None:
        """End an active event now (at capture time `t`) and forget all state."""
        ended = None
        if self._active and self._begin is not None:
            end_time = self._gap_since if self._gap_since is not None else t
            ended = Transition(EventType.END, self._begin, end_time)
        self._active = False
        self._begin = None
        self._gap_since = None
        self._cooldown_until = float("-inf")
        return ended

    def _feed_active(self, t: float, holds: bool) -> Transition | None:
        if holds:
            self._gap_since = None
            return None
        if self._gap_since is None:
            self._gap_since = t
        if t - self._gap_since < self.clear_s - _EPS or self._begin is None:
            return None
        ended = Transition(EventType.END, self._begin, self._gap_since)
        self._active = False
        self._begin = None
        self._gap_since = None
        self._cooldown_until = t + self.cooldown_s
        return ended

    def _feed_idle(self, t: float, holds: bool) -> Transition | None:
        if not holds:
            if self._begin is not None:
                if self._gap_since is None:
                    self._gap_since = t
                if t - self._gap_since >= self.pending_gap_s - _EPS:
                    self._begin = None
                    self._gap_since = None
            return None
        self._gap_since = None
        if self._begin is None:
            self._begin = t
        if t - self._begin < self.for_s - _EPS or t < self._cooldown_until - _EPS:
            return None
        self._active = True
        return Transition(EventType.START, self._begin)
