"""The hand-drawn outlines of tests/data/masks.truth.json and the frames they were drawn on."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cv2
import numpy as np

from watcher.masks import BoolMask, polygon_mask
from watcher.types import Box, Image

ROOT = Path(__file__).resolve().parents[2]
TRUTH = ROOT / "tests" / "data" / "masks.truth.json"


@cache
def _objects() -> dict[str, dict[str, object]]:
    data = json.loads(TRUTH.read_text(encoding="utf-8"))
    return {o["name"]: o for o in data["objects"]}


def samples(name: str) -> list[tuple[str, int]]:
    """(object, frame) pairs for every frame the object was outlined on."""
    frames = _objects()[name]["frames"]
    assert isinstance(frames, dict)
    return [(name, int(frame)) for frame in frames]


@cache
def frame(clip: str, index: int) -> Image:
    """Frame `index` (0-based decode order) of a repository clip."""
    capture = cv2.VideoCapture(str(ROOT / clip))
    image = None
    for _ in range(index + 1):
        ok, image = capture.read()
        assert ok, f"{clip} has no frame {index}"
    capture.release()
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


def outlined(name: str, index: int) -> tuple[Image, BoolMask]:
    """The frame and the truth mask of object `name` on it."""
    obj = _objects()[name]
    image = frame(str(obj["clip"]), index)
    frames = obj["frames"]
    assert isinstance(frames, dict)
    return image, polygon_mask(frames[str(index)], (image.shape[1], image.shape[0]))


def bounding_box(mask: BoolMask) -> Box:
    """The tight box around a mask, as a detector would give it."""
    ys, xs = np.nonzero(mask)
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)
