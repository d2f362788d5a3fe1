"""Build `supervision.Detections` in the one format every detector returns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import supervision as sv


def make_detections(
    xyxy: npt.NDArray[np.float32],
    confidence: npt.NDArray[np.float32],
    class_id: npt.NDArray[np.intp],
    labels: Sequence[str],
) -> sv.Detections:
    """Detections with float32 xyxy in frame pixels, confidence, class_id and `data["class_name"]`."""
    names = np.array([labels[i] for i in class_id.tolist()], dtype=str)
    return sv.Detections(
        xyxy=np.asarray(xyxy, dtype=np.float32).reshape(-1, 4),
        confidence=np.asarray(confidence, dtype=np.float32),
        class_id=np.asarray(class_id, dtype=int),
        data={"class_name": names},
    )
