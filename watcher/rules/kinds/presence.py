"""`presence`: at least `min_count` objects of `classes` in the zone (or the whole frame)."""

from __future__ import annotations

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import event_objects, matching_tracks
from watcher.rules.spec import PresenceRule
from watcher.types import Observation, Track


class Presence:
    """Counts matching tracks; the value is the count, 0 when idle."""

    def __init__(self, rule: PresenceRule) -> None:
        self._rule = rule

    @property
    def idle_value(self) -> EventValue:
        return 0

    def read(self, obs: Observation) -> Reading:
        objects = event_objects([t for t in matching_tracks(self._rule, obs) if self._dwelt(t, obs.time)])
        return Reading(holds=len(objects) >= self._rule.min_count, value=len(objects), objects=objects)

    def _dwelt(self, track: Track, now: float) -> bool:
        """In the zone for `min_dwell_s` (without a zone: seen that long)."""
        if self._rule.min_dwell_s <= 0:
            return True
        zone = self._rule.zone
        stayed = now - track.first_seen if zone is None else track.dwell.get(zone, 0.0)
        return stayed >= self._rule.min_dwell_s - 1e-6
