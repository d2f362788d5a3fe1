"""`ScriptedDetector`: a test double that replays scripted boxes, one entry per `detect` call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import supervision as sv

from watcher.detect.detections import make_detections
from watcher.types import Box, Image

ScriptedBox = tuple[str, float, Box]
"""(label, score, (x1, y1, x2, y2) in frame pixels)."""


class ScriptedDetector:
    """Replays `script[n]` on the n-th call (a list, or a mapping with gaps); nothing after the end.

    Labels default to the script's labels in order of first appearance.
    """

    def __init__(
        self,
        script: Sequence[Sequence[ScriptedBox]] | Mapping[int, Sequence[ScriptedBox]],
        labels: Sequence[str] | None = None,
    ) -> None:
        self._script: dict[int, Sequence[ScriptedBox]] = (
            dict(script) if isinstance(script, Mapping) else dict(enumerate(script))
        )
        seen = dict.fromkeys(label for boxes in self._script.values() for label, _, _ in boxes)
        self._labels = tuple(labels) if labels is not None else tuple(seen)
        missing = [label for label in seen if label not in self._labels]
        if missing:
            raise ValueError(f"scripted labels {missing} are not in labels {list(self._labels)}")
        self.calls = 0
        """How many times `detect` has been called."""

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def detect(self, image: Image) -> sv.Detections:
        """The scripted detections for this call (the image is ignored)."""
        boxes = self._script.get(self.calls, ())
        self.calls += 1
        xyxy = np.array([box for _, _, box in boxes], dtype=np.float32).reshape(-1, 4)
        scores = np.array([score for _, score, _ in boxes], dtype=np.float32)
        class_ids = np.array([self._labels.index(label) for label, _, _ in boxes], dtype=np.intp)
        return make_detections(xyxy, scores, class_ids, self._labels)
