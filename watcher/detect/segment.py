"""YOLOv8-seg / YOLO11-seg: boxes like YOLO plus instance masks from prototypes (`layout = "yolo_seg"`).

Outputs: `output0 [1, 4+C+32, N]` (cx, cy, w, h in input pixels, C class scores, 32 mask
coefficients) and `output1 [1, 32, H/4, W/4]` (mask prototypes). A detection's mask is
`sigmoid(coefficients @ prototypes)`, cut to its box, mapped back through the letterbox to the
frame and thresholded at 0.5; it lands in `Detections.mask` (n, height, width) as booleans.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import supervision as sv

from watcher.detect.base import Tensor
from watcher.detect.detections import make_detections
from watcher.detect.labels import dense, labels_from_metadata, read_labels
from watcher.detect.letterbox import LetterboxMeta
from watcher.detect.model import MASK_COEFFICIENTS, detect_layout, metadata, open_session
from watcher.detect.yolo import YoloDetector
from watcher.errors import ModelError

MASK_THRESHOLD = 0.5
_MASK_LOGIT = float(np.log(MASK_THRESHOLD / (1.0 - MASK_THRESHOLD)))
"""sigmoid(x) > threshold exactly when x > this logit: the sigmoid itself is never computed."""
PROTO_SCALE = 0.25
"""The prototype grid is a quarter of the network input in each direction."""
FloatArray = npt.NDArray[np.float32]


class YoloSegDetector(YoloDetector):
    """YOLO boxes (letterbox, threshold, class filter, both NMS steps), then masks of the kept boxes."""

    def postprocess(self, outputs: list[Tensor], meta: LetterboxMeta) -> sv.Detections:
        raw = np.asarray(outputs[0][0], dtype=np.float32)
        protos = np.asarray(outputs[1][0], dtype=np.float32)
        xyxy, scores, class_ids, columns = self.boxes(raw)
        detections = make_detections(meta.to_frame(xyxy), scores, class_ids, self.labels)
        coefficients = raw[4 + len(self.labels) :, columns].T
        detections.mask = frame_masks(coefficients, protos, xyxy, meta)
        return detections


def frame_masks(
    coefficients: FloatArray, protos: FloatArray, input_xyxy: FloatArray, meta: LetterboxMeta
) -> npt.NDArray[np.bool_]:
    """Boolean masks (n, frame height, frame width) of detections with these boxes (input pixels)."""
    n = len(coefficients)
    height, width = meta.frame_height, meta.frame_width
    masks = np.zeros((n, height, width), dtype=bool)
    if n == 0:
        return masks
    channels, ph, pw = protos.shape
    logits = (coefficients @ protos.reshape(channels, -1)).reshape(n, ph, pw)
    scale = PROTO_SCALE
    # The part of the prototype grid that holds the frame (without the letterbox padding).
    x0, y0 = meta.pad_x * scale, meta.pad_y * scale
    x1, y1 = x0 + width * meta.ratio * scale, y0 + height * meta.ratio * scale
    frame_xyxy = meta.to_frame(input_xyxy)
    for i in range(n):
        grid = logits[i, int(y0) : int(np.ceil(y1)), int(x0) : int(np.ceil(x1))]
        resized = cv2.resize(grid, (width, height), interpolation=cv2.INTER_LINEAR)
        bx1, by1, bx2, by2 = (round(float(v)) for v in frame_xyxy[i])
        masks[i, by1:by2, bx1:bx2] = resized[by1:by2, bx1:bx2] > _MASK_LOGIT
    return masks


def load_segmenter(
    path: Path,
    *,
    labels: Path | None = None,
    input_size: int = 320,
    score_threshold: float = 0.35,
    nms_iou: float = 0.45,
    threads: int = 2,
) -> YoloSegDetector:
    """A `YoloSegDetector` for an ONNX file; labels from a file or the model's `names` metadata."""
    session = open_session(path, threads)
    try:
        is_seg = detect_layout(session, path) == "yolo_seg"
    except ModelError:
        is_seg = False
    if not is_seg:
        shapes = ", ".join(f"{o.name}{o.shape}" for o in session.get_outputs())
        raise ModelError(str(path), f"not a YOLO segmentation model (outputs {shapes})")
    names = metadata(session).get("names")
    if labels is not None:
        table = read_labels(labels)
    elif names is not None:
        table = labels_from_metadata(names, path)
    else:
        raise ModelError(str(path), "no class names: give a labels file")
    classes, _ = dense(table)
    rows = session.get_outputs()[0].shape[1]
    if isinstance(rows, int) and rows - 4 - MASK_COEFFICIENTS != len(classes):
        raise ModelError(
            str(path), f"output has {rows - 4 - MASK_COEFFICIENTS} classes but the labels list {len(classes)}"
        )
    return YoloSegDetector(
        session, classes, input_size=input_size, score_threshold=score_threshold, nms_iou=nms_iou
    )
