"""Hand-made detections for scene tests."""

from __future__ import annotations

import numpy as np
import supervision as sv

Row = tuple[float, float, float, float, float, str]
"""x1, y1, x2, y2, score, label."""

LABELS = ("person", "car", "truck", "bicycle")


def dets(*rows: Row) -> sv.Detections:
    """Detections from rows of (x1, y1, x2, y2, score, label)."""
    if not rows:
        return sv.Detections(
            xyxy=np.empty((0, 4), dtype=np.float32),
            confidence=np.empty(0, dtype=np.float32),
            class_id=np.empty(0, dtype=int),
            data={"class_name": np.array([], dtype=str)},
        )
    return sv.Detections(
        xyxy=np.array([r[:4] for r in rows], dtype=np.float32),
        confidence=np.array([r[4] for r in rows], dtype=np.float32),
        class_id=np.array([LABELS.index(r[5]) for r in rows], dtype=int),
        data={"class_name": np.array([r[5] for r in rows])},
    )
