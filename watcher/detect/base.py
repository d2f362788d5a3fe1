"""The detector interface and the three timed steps every ONNX detector is made of."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, Protocol, TypeVar, runtime_checkable

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import supervision as sv

from watcher.types import Image

MetaT = TypeVar("MetaT")
Tensor = npt.NDArray[np.generic]


@runtime_checkable
class Detector(Protocol):
    """Finds objects in one BGR frame."""

    @property
    def labels(self) -> tuple[str, ...]:
        """Class names; `class_id` in the detections indexes this tuple."""
        ...

    def detect(self, image: Image) -> sv.Detections:
        """Detections with xyxy in frame pixels, confidence, class_id and `data["class_name"]`."""
        ...


class OnnxDetector(ABC, Generic[MetaT]):
    """`detect` = `postprocess(infer(preprocess(image)))`; each step is public so a benchmark can time it."""

    def __init__(self, session: ort.InferenceSession, labels: tuple[str, ...]) -> None:
        self._session = session
        self._labels = labels
        self._input_name: str = session.get_inputs()[0].name

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    @abstractmethod
    def preprocess(self, image: Image) -> tuple[Tensor, MetaT]:
        """The network input for `image` (a reused buffer, valid until the next call) and its meta."""

    def infer(self, tensor: Tensor) -> list[Tensor]:
        """Run the model; the raw outputs in the model's output order."""
        outputs: list[Tensor] = self._session.run(None, {self._input_name: tensor})
        return outputs

    @abstractmethod
    def postprocess(self, outputs: list[Tensor], meta: MetaT) -> sv.Detections:
        """Decode raw outputs into frame-pixel detections."""

    def detect(self, image: Image) -> sv.Detections:
        """Detections for one BGR frame."""
        tensor, meta = self.preprocess(image)
        return self.postprocess(self.infer(tensor), meta)
