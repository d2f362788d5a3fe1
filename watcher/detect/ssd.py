"""SSD (TF Object Detection API export): uint8 NHWC 300x300, NMS in the graph, boxes ymin,xmin,ymax,xmax."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import supervision as sv

from watcher.detect.base import OnnxDetector, Tensor
from watcher.detect.detections import make_detections
from watcher.detect.nms import CROSS_CLASS_IOU, suppress_cross_class
from watcher.types import Image

FrameSize = tuple[int, int]


class SsdDetector(OnnxDetector[FrameSize]):
    """Plain resize (no letterbox), score threshold, class filter and cross-class suppression.

    The model's class ids have gaps (COCO-90); `id_to_label` maps each id to an index into `labels`.
    """

    def __init__(
        self,
        session: ort.InferenceSession,
        labels: tuple[str, ...],
        id_to_label: npt.NDArray[np.intp],
        *,
        score_threshold: float = 0.35,
        class_ids: Sequence[int] = (),
        cross_class_iou: float = CROSS_CLASS_IOU,
    ) -> None:
        super().__init__(session, labels)
        _, height, width, _ = session.get_inputs()[0].shape
        self._size = (int(width), int(height))
        self._id_to_label = id_to_label
        self.score_threshold = score_threshold
        self.cross_class_iou = cross_class_iou
        self._allowed = np.zeros(len(labels), dtype=bool)
        self._allowed[list(class_ids) if class_ids else slice(None)] = True
        self._rgb: Image = np.empty((1, self._size[1], self._size[0], 3), dtype=np.uint8)

    def preprocess(self, image: Image) -> tuple[Tensor, FrameSize]:
        resized = cv2.resize(image, self._size, interpolation=cv2.INTER_LINEAR)
        cv2.cvtColor(resized, cv2.COLOR_BGR2RGB, dst=self._rgb[0])
        return self._rgb, (int(image.shape[1]), int(image.shape[0]))

    def postprocess(self, outputs: list[Tensor], meta: FrameSize) -> sv.Detections:
        boxes, classes, scores = (np.asarray(o)[0] for o in outputs[:3])
        n = int(np.asarray(outputs[3]).reshape(-1)[0])
        boxes, model_ids, scores = boxes[:n], classes[:n].astype(np.intp), scores[:n].astype(np.float32)
        known = (model_ids >= 0) & (model_ids < len(self._id_to_label))
        class_ids = np.where(known, self._id_to_label[np.where(known, model_ids, 0)], -1)
        mask = (scores > self.score_threshold) & (class_ids >= 0)
        mask[mask] &= self._allowed[class_ids[mask]]
        width, height = meta
        ymin, xmin, ymax, xmax = boxes[mask].T
        xyxy = np.stack([xmin * width, ymin * height, xmax * width, ymax * height], axis=1).astype(np.float32)
        np.clip(xyxy[:, 0::2], 0, width, out=xyxy[:, 0::2])
        np.clip(xyxy[:, 1::2], 0, height, out=xyxy[:, 1::2])
        scores, class_ids = scores[mask], class_ids[mask]
        keep = suppress_cross_class(xyxy, scores, class_ids, self.cross_class_iou)
        return make_detections(xyxy[keep], scores[keep], class_ids[keep], self.labels)
