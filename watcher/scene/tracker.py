"""One small seam over Roboflow `trackers`: boxes in, the library's track id per box out."""

from __future__ import annotations

import math
import warnings
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import supervision as sv
from trackers import ByteTrackTracker, OCSORTTracker

from watcher.config import TrackerConfig

CONFIDENT_SCORE = 0.5
"""Detections at least this confident may start a track; weaker ones only extend tracks."""

_INDEX = "_scene_index"
_LIBRARY_FRAME_RATE = 30.0
"""`lost_track_buffer` in `trackers` is counted in frames of a 30 fps video, whatever the real rate."""


class _Library(Protocol):
    def update(
        self, detections: sv.Detections, frame: Any = None, timestamp: float | None = None
    ) -> sv.Detections: ...

    def reset(self) -> None: ...


class BoxTracker:
    """ByteTrack or OC-SORT (by `TrackerConfig.type`) with our time base and thresholds.

    The library only gives an id from a track's second matched detection and can lose a track whose
    first two boxes do not overlap (fast entry); `Identities` handles both, so here every track is
    released at its first match (`minimum_consecutive_frames=1`) and `min_hits` is counted later.
    """

    def __init__(self, config: TrackerConfig, detect_fps: float) -> None:
        if detect_fps <= 0:
            raise ValueError(f"detect_fps must be positive (got {detect_fps})")
        buffer = max(1, math.ceil(config.lost_track_s * _LIBRARY_FRAME_RATE))
        self._library: _Library
        if config.type == "ocsort":
            self._library = OCSORTTracker(
                lost_track_buffer=buffer,
                frame_rate=detect_fps,
                minimum_consecutive_frames=1,
                high_conf_det_threshold=CONFIDENT_SCORE,
            )
        else:
            self._library = ByteTrackTracker(
                lost_track_buffer=buffer,
                frame_rate=detect_fps,
                minimum_consecutive_frames=1,
                track_activation_threshold=CONFIDENT_SCORE,
                high_conf_det_threshold=CONFIDENT_SCORE,
            )

    def update(self, detections: sv.Detections, t: float) -> npt.NDArray[np.int64]:
        """The library's id for each detection, in input order; -1 where it has none yet."""
        tagged = sv.Detections(
            xyxy=np.asarray(detections.xyxy, dtype=np.float32).reshape(-1, 4),
            confidence=None if detections.confidence is None else np.asarray(detections.confidence),
            data={_INDEX: np.arange(len(detections))},
        )
        with warnings.catch_warnings():
            # A repeated timestamp only skips the prediction step; that is what we want.
            warnings.simplefilter("ignore", UserWarning)
            result = self._library.update(tagged, timestamp=t)
        ids = np.full(len(detections), -1, dtype=np.int64)
        if len(result) and result.tracker_id is not None:
            ids[np.asarray(result.data[_INDEX], dtype=int)] = result.tracker_id
        return ids

    def reset(self) -> None:
        """Forget every track, so stale predictions cannot match after a long gap."""
        self._library.reset()
