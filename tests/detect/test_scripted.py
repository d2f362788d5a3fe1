"""`ScriptedDetector` replays boxes in the same Detections format as the real detectors."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.detect import Detector, ScriptedDetector

FRAME = np.zeros((10, 10, 3), dtype=np.uint8)
PERSON = ("person", 0.9, (1.0, 2.0, 3.0, 4.0))
CAR = ("car", 0.6, (5.0, 5.0, 9.0, 9.0))


def test_a_list_script_replays_one_entry_per_call_then_nothing() -> None:
    detector = ScriptedDetector([[PERSON], [PERSON, CAR]])
    counts = [len(detector.detect(FRAME)) for _ in range(3)]
    assert counts == [1, 2, 0]


def test_a_mapping_script_is_keyed_by_call_index() -> None:
    detector = ScriptedDetector({1: [CAR]})
    names = [detector.detect(FRAME).data["class_name"].tolist() for _ in range(3)]
    assert names == [[], ["car"], []]


def test_scripted_detections_have_the_real_detector_format() -> None:
    found = ScriptedDetector([[PERSON, CAR]], labels=["person", "bicycle", "car"]).detect(FRAME)
    assert found.xyxy.dtype == np.float32
    np.testing.assert_array_equal(found.xyxy, [[1, 2, 3, 4], [5, 5, 9, 9]])
    np.testing.assert_allclose(found.confidence, [0.9, 0.6])
    assert found.class_id.tolist() == [0, 2]
    assert found.data["class_name"].tolist() == ["person", "car"]


def test_scripted_detector_satisfies_the_detector_protocol() -> None:
    assert isinstance(ScriptedDetector([]), Detector)


def test_a_scripted_label_outside_the_labels_is_rejected() -> None:
    with pytest.raises(ValueError, match="car"):
        ScriptedDetector([[CAR]], labels=["person"])
