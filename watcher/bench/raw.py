"""The raw detector: a tight ONNX Runtime loop on the network inputs of real frames."""

from __future__ import annotations

import time
from typing import Any

from watcher.detect import Detector, OnnxDetector
from watcher.detect.base import Tensor
from watcher.types import Image


class RawDetectorLoop:
    """Runs only the model (`infer`) on preprocessed copies of the pipeline's own frames."""

    def __init__(self, detector: Detector) -> None:
        self._detector = detector
        self._tensors: list[Tensor] = []
        self._images: list[Image] = []
        self.frames = 0
        self.seconds = 0.0

    def add_frame(self, image: Image, keep: int = 8) -> None:
        """Remember a frame (and its network input) to run on; the newest `keep` are used."""
        if isinstance(self._detector, OnnxDetector):
            onnx: OnnxDetector[Any] = self._detector
            tensor, _ = onnx.preprocess(image)
            self._tensors = [*self._tensors[-(keep - 1) :], tensor.copy()]
        self._images = [*self._images[-(keep - 1) :], image]

    def run_for(self, seconds: float) -> None:
        """Run the model back to back for about `seconds`; adds to `frames` and `seconds`."""
        if not self._images:
            return
        start = time.perf_counter()
        end = start + seconds
        done = 0
        while True:
            if isinstance(self._detector, OnnxDetector):
                self._detector.infer(self._tensors[done % len(self._tensors)])
            else:
                self._detector.detect(self._images[done % len(self._images)])
            done += 1
            if time.perf_counter() >= end:
                break
        self.frames += done
        self.seconds += time.perf_counter() - start

    @property
    def fps(self) -> float:
        """Model runs per second so far."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0
