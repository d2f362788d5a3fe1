"""Motion gate on real frames: closed when still, open on a walking person, blind to lighting drift."""

from __future__ import annotations

import time

import numpy as np
import pytest

from watcher.config import MotionConfig
from watcher.detect import MotionGate
from watcher.detect.nms import box_iou
from watcher.types import Image


def drifted(image: Image, step: int, kind: str) -> Image:
    if kind == "brighter":
        return np.clip(image.astype(np.int16) + step, 0, 255).astype(np.uint8)
    if kind == "darker":
        return np.clip(image.astype(np.int16) - step, 0, 255).astype(np.uint8)
    return np.clip(image.astype(np.float32) * (1 + 0.01 * step), 0, 255).astype(np.uint8)


def test_the_first_frame_has_no_motion(worker_frames: tuple[Image, ...]) -> None:
    assert MotionGate(MotionConfig()).update(worker_frames[60]).fraction == 0.0


def test_a_still_scene_with_sensor_noise_keeps_the_gate_closed(worker_frames: tuple[Image, ...]) -> None:
    gate, rng = MotionGate(MotionConfig()), np.random.default_rng(0)
    base = worker_frames[60].astype(np.int16)
    for _ in range(20):
        noisy = np.clip(base + rng.integers(-6, 7, base.shape), 0, 255).astype(np.uint8)
        assert not gate.is_open(gate.update(noisy))


def test_a_walking_person_opens_the_gate_with_a_box_on_him(worker_frames: tuple[Image, ...]) -> None:
    gate = MotionGate(MotionConfig())
    gate.update(worker_frames[24])
    result = gate.update(worker_frames[30])
    assert gate.is_open(result)
    truth = np.array([105, 68, 187, 252], dtype=np.float32)  # person_bbox at frame 30
    assert box_iou(truth, np.array(result.boxes, dtype=np.float32)).max() > 0.3


@pytest.mark.parametrize("kind", ["brighter", "darker", "gain"])
def test_slow_global_lighting_drift_keeps_the_gate_closed(
    worker_frames: tuple[Image, ...], kind: str
) -> None:
    gate = MotionGate(MotionConfig())
    for step in range(60):  # one grey level (or 1 % gain) per frame: 60 levels over the run
        assert not gate.is_open(gate.update(drifted(worker_frames[60], step, kind)))


def test_a_person_moving_during_lighting_drift_still_opens_the_gate(worker_frames: tuple[Image, ...]) -> None:
    gate = MotionGate(MotionConfig())
    gate.update(drifted(worker_frames[24], 0, "brighter"))
    assert gate.is_open(gate.update(drifted(worker_frames[30], 20, "brighter")))


def test_a_min_fraction_above_the_moving_fraction_keeps_the_gate_closed(
    worker_frames: tuple[Image, ...],
) -> None:
    gate = MotionGate(MotionConfig(min_fraction=0.5))
    gate.update(worker_frames[24])
    assert not gate.is_open(gate.update(worker_frames[30]))


def test_the_gate_costs_under_a_millisecond_on_a_768x576_frame(vtest_frame0: Image) -> None:
    gate = MotionGate(MotionConfig())
    moved = np.roll(vtest_frame0, 8, axis=1)
    gate.update(vtest_frame0)
    timings = []
    for index in range(50):
        start = time.perf_counter()
        gate.update(moved if index % 2 else vtest_frame0)
        timings.append(time.perf_counter() - start)
    assert float(np.median(timings)) < 1e-3
