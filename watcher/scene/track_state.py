"""What the scene remembers about one object between frames."""

from __future__ import annotations

from collections.abc import Sequence

from watcher.scene.labels import LabelVote
from watcher.scene.stationary import Stationarity
from watcher.types import Box, Track


class TrackState:
    """History of one object: hits, label votes, stillness and when it entered each zone."""

    def __init__(self, first_seen: float, stationarity: Stationarity) -> None:
        self.track_id: int | None = None
        """Reported id, given once the object has `min_hits` detections."""
        self.first_seen = first_seen
        self.hits = 0
        self.votes = LabelVote()
        self._stationarity = stationarity
        self._zone_since: dict[str, float] = {}

    def observe(
        self,
        t: float,
        box: Box,
        label: str,
        score: float,
        zones: Sequence[str],
        frame_size: tuple[int, int],
    ) -> tuple[bool, float | None]:
        """Record one detection of this object; returns (stationary, stationary_since)."""
        self.hits += 1
        self.votes.add(label, score)
        for name in [z for z in self._zone_since if z not in zones]:
            del self._zone_since[name]
        for name in zones:
            self._zone_since.setdefault(name, t)
        return self._stationarity.update(t, box, frame_size)

    def track(
        self, t: float, box: Box, score: float, zones: tuple[str, ...], still: tuple[bool, float | None]
    ) -> Track:
        """This object as reported in the observation at `t`."""
        if self.track_id is None:
            raise ValueError("track is not confirmed yet")
        return Track(
            track_id=self.track_id,
            label=self.votes.label,
            score=score,
            box=box,
            zones=zones,
            stationary=still[0],
            stationary_since=still[1],
            first_seen=self.first_seen,
            dwell={name: t - self._zone_since[name] for name in zones},
        )
