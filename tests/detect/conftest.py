"""Real frames and real detectors for the detect tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import pytest

from watcher.config import DetectorConfig
from watcher.detect import OnnxDetector, load_detector
from watcher.types import Image

DATA = Path(__file__).resolve().parents[1] / "data"
MODELS = ("yolov8n_int8", "yolov8n", "ssd_mobilenet_v2")


@pytest.fixture(scope="session")
def worker_frames() -> tuple[Image, ...]:
    """All 71 frames of worker-zone-detection.mp4 (one walking, then standing, worker)."""
    capture = cv2.VideoCapture(str(DATA / "worker-zone-detection.mp4"))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    assert len(frames) == 71
    return tuple(frames)


@pytest.fixture(scope="session")
def vtest_frame0() -> Image:
    """Frame 0 of OpenCV's vtest clip: 3±1 people, a white van and a light-blue car at the kerb."""
    image = cv2.imread(str(DATA / "photos" / "vtest-frame000.png"))
    assert image is not None
    return image


@cache
def _detector(model: str) -> OnnxDetector[object]:
    return load_detector(DetectorConfig(model=model))


@pytest.fixture(params=MODELS)
def detector(request: pytest.FixtureRequest) -> OnnxDetector[object]:
    """Each shipped model with the default config (threads 2, score 0.35)."""
    return _detector(str(request.param))
