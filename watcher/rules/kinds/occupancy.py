"""`occupancy`: parked (stationary) objects in a zone: count, utilisation, kerb length, over-stay."""

from __future__ import annotations

import math

from watcher.rules.kinds.base import EventValue, Reading
from watcher.rules.kinds.filters import event_objects, matching_tracks
from watcher.rules.spec import OccupancyRule
from watcher.types import AreaMeasure, Observation, Track

Point = tuple[float, float]


MISSING_S = 2.0
"""A parked object missed by the detector this long still counts (one lost frame is no departure)."""


class Occupancy:
    """Value per `measure`; holds while something is parked, or, with `max_dwell_s`, while one over-stays.

    An object is parked once it has been stationary in the zone; it stays parked until it leaves the
    zone or is gone for `MISSING_S`, so a person opening a boot or walking past (which moves the box)
    does not unpark a car. With `stationary_only = false` every matching object counts.
    """

    def __init__(self, rule: OccupancyRule) -> None:
        self._rule = rule
        self._parked: dict[int, tuple[float, Track, float]] = {}
        """Track id to (parked since, last seen track, last seen time)."""

    @property
    def idle_value(self) -> EventValue:
        return 0 if self._rule.measure == "count" else 0.0

    def read(self, obs: Observation) -> Reading:
        rule = self._rule
        matching = matching_tracks(rule, obs)
        if rule.stationary_only:
            parked = self._update_parked(obs, matching)
        else:
            parked = [(self._stay(t, obs.time), t) for t in matching]
        if rule.max_dwell_s is None:
            shown = [t for _, t in parked]
        else:
            shown = [t for stay, t in parked if stay >= rule.max_dwell_s - 1e-6]
        holds = bool(shown)
        counted = [t for _, t in parked]
        return Reading(holds=holds, value=self._value(counted, obs), objects=event_objects(shown))

    def _update_parked(self, obs: Observation, matching: list[Track]) -> list[tuple[float, Track]]:
        here = {t.track_id for t in matching}
        elsewhere = {t.track_id for t in obs.tracks} - here
        for track in matching:
            since = self._parked[track.track_id][0] if track.track_id in self._parked else None
            if since is None and track.stationary and track.stationary_since is not None:
                since = track.stationary_since
            if since is not None:
                self._parked[track.track_id] = (since, track, obs.time)
        self._parked = {
            key: entry
            for key, entry in self._parked.items()
            if key not in elsewhere and obs.time - entry[2] < MISSING_S
        }
        return [(obs.time - since, track) for key, (since, track, _) in sorted(self._parked.items())]

    def _stay(self, track: Track, now: float) -> float:
        """How long a (not necessarily parked) object has been in the zone, or seen at all."""
        if self._rule.zone is not None:
            return track.dwell.get(self._rule.zone, 0.0)
        return now - track.first_seen

    def _value(self, parked: list[Track], obs: Observation) -> EventValue:
        measure = self._rule.measure
        if measure == "count":
            return len(parked)
        if measure == "utilisation":
            return round(len(parked) / (self._rule.capacity or 1), 4)
        if measure == "covered":
            # Measured from the parked objects' outlines by the area analyzer (watcher.rules.kinds.area_mask).
            measured = obs.fact(self._rule.name, AreaMeasure)
            return None if measured is None else round(measured.fraction, 4)
        axis = obs.zone_axes.get(self._rule.zone or "")
        if axis is None:
            return None  # no ground plane on this camera: a config check names the rule
        occupied, length = occupied_length(axis, [t.footprint for t in parked if t.footprint is not None])
        if measure == "length_m":
            return round(occupied, 2)
        return round(occupied / length, 4) if length > 0 else 0.0


def occupied_length(axis: tuple[Point, Point], footprints: list[tuple[Point, Point]]) -> tuple[float, float]:
    """Metres of the axis covered by the footprints projected onto it (overlaps once), and its length."""
    (ax, ay), (bx, by) = axis
    length = math.hypot(bx - ax, by - ay)
    if length == 0:
        return 0.0, 0.0
    ux, uy = (bx - ax) / length, (by - ay) / length
    spans = []
    for p, q in footprints:
        s1 = (p[0] - ax) * ux + (p[1] - ay) * uy
        s2 = (q[0] - ax) * ux + (q[1] - ay) * uy
        lo, hi = max(0.0, min(s1, s2)), min(length, max(s1, s2))
        if hi > lo:
            spans.append((lo, hi))
    covered, reach = 0.0, 0.0
    for lo, hi in sorted(spans):
        lo = max(lo, reach)
        if hi > lo:
            covered += hi - lo
            reach = hi
    return covered, length
