"""`presence`: at least `min_count` objects of `classes` in the zone (or the whole frame)."""

from __future__ import annotations

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.spec import PresenceRule
from watcher.types import EventObject, Observation, Track


class Presence:
    """Counts matching tracks; the value is the count, 0 when idle."""

    def __init__(self, rule: PresenceRule) -> None:
        self._rule = rule
        self._classes = frozenset(rule.classes)

    @property
    def idle_value(self) -> EventValue:
        return 0

    def read(self, obs: Observation) -> Reading:
        width, height = obs.frame_size
        min_area = self._rule.min_area * width * height
        matching = sorted(
            (t for t in obs.tracks if self._matches(t, min_area) and self._dwelt(t, obs.time)),
            key=lambda t: t.track_id,
        )
        objects = tuple(EventObject(t.track_id, t.label, t.score, t.box) for t in matching)
        return Reading(holds=len(objects) >= self._rule.min_count, value=len(objects), objects=objects)

    def _matches(self, track: Track, min_area: float) -> bool:
        zone = self._rule.zone
        return (
            track.label in self._classes
            and track.score >= self._rule.min_score
            and track.area >= min_area
            and (zone is None or zone in track.zones)
        )

    def _dwelt(self, track: Track, now: float) -> bool:
        """In the zone for `min_dwell_s` (without a zone: seen that long)."""
        if self._rule.min_dwell_s <= 0:
            return True
        zone = self._rule.zone
        stayed = now - track.first_seen if zone is None else track.dwell.get(zone, 0.0)
        return stayed >= self._rule.min_dwell_s - 1e-6
