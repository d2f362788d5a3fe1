"""Detections of one camera in, one `Observation` per processed frame out."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import supervision as sv

from watcher.config import TrackerConfig, ZoneConfig
from watcher.scene.identity import Identities
from watcher.scene.labels import labels_of, merge_cross_class, scores_of
from watcher.scene.stationary import Stationarity
from watcher.scene.track_state import TrackState
from watcher.scene.tracker import BoxTracker
from watcher.scene.zones import ZoneLookup, ZoneSet
from watcher.types import WHOLE_FRAME, Box, Observation, Track


class Scene:
    """Tracks, zones, labels and stillness of one camera; pure: time comes only from `t`."""

    def __init__(
        self, camera: str, zones: Sequence[ZoneConfig], tracker: TrackerConfig, detect_fps: float
    ) -> None:
        self._camera = camera
        self._config = tracker
        self.zones: ZoneLookup = ZoneSet([z for z in zones if z.camera == camera])
        """The zone test; replaceable by anything with the same two members (the bench times it)."""
        self._tracker = BoxTracker(tracker, detect_fps)
        self._identities = Identities(tracker.lost_track_s)
        self._states: dict[int, TrackState] = {}
        self._last_seen: dict[int, float] = {}
        self._next_id = 1
        self._last_detection: float | None = None
        self._now: float | None = None

    @property
    def has_live_tracks(self) -> bool:
        """Some object was seen within `lost_track_s` of the last update (keep detecting)."""
        now = self._now
        lost_s = self._config.lost_track_s
        return now is not None and any(now - seen <= lost_s for seen in self._last_seen.values())

    def update(
        self,
        frame_index: int,
        t: float,
        frame_size: tuple[int, int],
        detections: sv.Detections | None,
        motion: float = 0.0,
    ) -> Observation:
        """The observation for one processed frame; `detections=None` when detection did not run."""
        self._now = t
        if self._last_detection is not None and t - self._last_detection > self._config.lost_track_s:
            self._reset()
        if detections is None:
            return Observation(
                camera=self._camera,
                frame_index=frame_index,
                time=t,
                frame_size=frame_size,
                tracks=(),
                counts=self._counts(()),
                motion=motion,
                detected=False,
            )
        self._last_detection = t
        tracks = self._track(t, frame_size, detections)
        return Observation(
            camera=self._camera,
            frame_index=frame_index,
            time=t,
            frame_size=frame_size,
            tracks=tracks,
            counts=self._counts(tracks),
            motion=motion,
        )

    def _track(self, t: float, frame_size: tuple[int, int], detections: sv.Detections) -> tuple[Track, ...]:
        merged = merge_cross_class(detections)
        labels = labels_of(merged)
        scores = scores_of(merged)
        xyxy = np.asarray(merged.xyxy, dtype=np.float64).reshape(-1, 4)
        boxes: list[Box] = [(float(a), float(b), float(c), float(d)) for a, b, c, d in xyxy]
        keys = self._identities.assign(boxes, labels, scores, self._tracker.update(merged, t), t)
        for gone in [k for k in self._states if k not in self._identities.known]:
            del self._states[gone]
            del self._last_seen[gone]
        inside = self.zones.contains(xyxy, frame_size)
        names = self.zones.names
        masks = None if merged.mask is None else np.asarray(merged.mask, dtype=bool)
        tracks: list[Track] = []
        for i, key in enumerate(keys):
            if key is None:
                continue
            state = self._states.get(key)
            if state is None:
                stillness = Stationarity(self._config.stationary_s, self._config.stationary_tolerance)
                state = TrackState(t, stillness)
                self._states[key] = state
            self._last_seen[key] = t
            zones = tuple(name for name, hit in zip(names, inside[i], strict=True) if hit)
            still = state.observe(t, boxes[i], labels[i], float(scores[i]), zones, frame_size)
            if state.track_id is None and state.hits >= self._config.min_hits:
                state.track_id = self._next_id
                self._next_id += 1
            if state.track_id is not None:
                track = state.track(t, boxes[i], float(scores[i]), zones, still)
                tracks.append(track if masks is None else dataclasses.replace(track, mask=masks[i]))
        return tuple(sorted(tracks, key=lambda tr: tr.track_id))

    def _counts(self, tracks: Sequence[Track]) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for zone in (WHOLE_FRAME, *self.zones.names):
            members = [tr.label for tr in tracks if zone == WHOLE_FRAME or zone in tr.zones]
            counts[zone] = {label: members.count(label) for label in sorted(set(members))}
        return counts

    def _reset(self) -> None:
        self._tracker.reset()
        self._identities.reset()
        self._states.clear()
        self._last_seen.clear()
        self._last_detection = None
