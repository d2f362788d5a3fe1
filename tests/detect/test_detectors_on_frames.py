"""Both shipped models find what a person sees in real frames (truth: shared/media/*.truth.json)."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.detect import OnnxDetector
from watcher.detect.nms import box_iou
from watcher.types import Image

# worker-zone-detection.truth.json: person_bbox per sampled frame.
WORKER_TRUTH = [(0, (240, 139, 342, 270)), (30, (105, 68, 187, 252)), (60, (90, 51, 156, 210))]
VAN = np.array([650, 43, 726, 100], dtype=np.float32)
BLUE_CAR = np.array([733, 48, 768, 93], dtype=np.float32)


@pytest.mark.parametrize(("frame", "truth"), WORKER_TRUTH)
def test_worker_is_found_as_exactly_one_person_over_the_truth_box(
    detector: OnnxDetector[object],
    worker_frames: tuple[Image, ...],
    frame: int,
    truth: tuple[int, int, int, int],
) -> None:
    found = detector.detect(worker_frames[frame])
    boxes = found.xyxy[found.data["class_name"] == "person"]
    assert len(boxes) == 1
    assert box_iou(np.array(truth, dtype=np.float32), boxes)[0] > 0.5


def test_detections_have_the_agreed_format(detector: OnnxDetector[object], vtest_frame0: Image) -> None:
    found = detector.detect(vtest_frame0)
    assert found.xyxy.dtype == np.float32
    assert found.confidence is not None
    assert found.class_id is not None
    assert found.data["class_name"].tolist() == [detector.labels[i] for i in found.class_id]
    assert np.all((found.xyxy >= 0) & (found.xyxy[:, 2:] <= [768, 576]).all(axis=1, keepdims=True))


def test_vtest_person_count_is_within_the_truth_tolerance(
    detector: OnnxDetector[object], vtest_frame0: Image
) -> None:
    found = detector.detect(vtest_frame0)
    assert abs(int(np.sum(found.data["class_name"] == "person")) - 3) <= 1


@pytest.mark.parametrize("vehicle", [VAN, BLUE_CAR], ids=["white_van", "light_blue_car"])
def test_parked_vehicles_at_the_kerb_are_found_as_car_or_truck(
    detector: OnnxDetector[object], vtest_frame0: Image, vehicle: np.ndarray
) -> None:
    found = detector.detect(vtest_frame0)
    vehicles = found.xyxy[np.isin(found.data["class_name"], ["car", "truck"])]
    assert len(vehicles) > 0
    assert box_iou(vehicle, vehicles).max() > 0.5


def test_every_object_has_one_label_after_cross_class_suppression(
    detector: OnnxDetector[object], vtest_frame0: Image
) -> None:
    found = detector.detect(vtest_frame0)
    for index, box in enumerate(found.xyxy):
        others = np.delete(np.arange(len(found)), index)
        assert not np.any(box_iou(box, found.xyxy[others]) > 0.8)


def test_detect_is_the_three_steps_in_a_row(
    detector: OnnxDetector[object], worker_frames: tuple[Image, ...]
) -> None:
    image = worker_frames[60]
    tensor, meta = detector.preprocess(image)
    stepped = detector.postprocess(detector.infer(tensor), meta)
    direct = detector.detect(image)
    np.testing.assert_array_equal(stepped.xyxy, direct.xyxy)
    np.testing.assert_array_equal(stepped.class_id, direct.class_id)


def test_a_frame_with_nothing_in_it_gives_empty_detections(detector: OnnxDetector[object]) -> None:
    found = detector.detect(np.full((270, 480, 3), 128, dtype=np.uint8))
    assert len(found) == 0
    assert found.xyxy.shape == (0, 4)
    assert found.data["class_name"].shape == (0,)
