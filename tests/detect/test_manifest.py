"""The models folder, its manifest and `list_models`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

import watcher
from watcher.config import DetectorConfig
from watcher.detect import OnnxDetector, list_models, load_detector, models_dir
from watcher.detect.manifest import sha256_of
from watcher.detect.nms import box_iou
from watcher.types import Image

INT8_SHA256 = "9422ed36c34e7608aff65b0816defc899d569d80bd73cb97d7754fd10365ef37"
# worker-zone-detection.truth.json: person_bbox per sampled frame.
WORKER_TRUTH = [(0, (240, 139, 342, 270)), (30, (105, 68, 187, 252)), (60, (90, 51, 156, 210))]


@cache
def _detector(model: str) -> OnnxDetector[object]:
    return load_detector(DetectorConfig(model=model))


def test_models_dir_is_the_repository_models_folder_in_an_editable_install() -> None:
    assert models_dir() == Path(watcher.__file__).parents[1] / "models"


def test_list_models_describes_every_shipped_model() -> None:
    infos = {info.name: info for info in list_models()}
    assert sorted(infos) == ["ssd_mobilenet_v2", "yolov8n", "yolov8n_int8"]
    yolo, int8, ssd = infos["yolov8n"], infos["yolov8n_int8"], infos["ssd_mobilenet_v2"]
    assert (yolo.layout, yolo.license, yolo.input_size, yolo.class_count) == ("yolo", "AGPL-3.0", 320, 80)
    assert (int8.layout, int8.license, int8.input_size, int8.class_count) == ("yolo", "AGPL-3.0", 320, 80)
    assert (ssd.layout, ssd.license, ssd.input_size, ssd.class_count) == ("ssd", "Apache-2.0", 300, 80)
    assert yolo.first_classes[:3] == int8.first_classes[:3] == ("person", "bicycle", "car")


def test_shipped_model_files_are_present_valid_and_match_their_sha256() -> None:
    assert all(info.present and info.valid and info.sha256_matches for info in list_models())


def test_int8_model_file_is_the_one_the_manifest_and_readme_record() -> None:
    int8 = next(info for info in list_models() if info.name == "yolov8n_int8")
    assert (int8.file.name, int8.sha256, sha256_of(int8.file)) == (
        "yolov8n_int8.onnx",
        INT8_SHA256,
        INT8_SHA256,
    )


def test_the_default_detector_model_is_the_int8_yolov8n() -> None:
    assert DetectorConfig().model == "yolov8n_int8"


def test_a_model_missing_from_the_folder_is_listed_as_not_present(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text((models_dir() / "manifest.toml").read_text())
    infos = list_models(tmp_path)
    assert [(i.present, i.valid, i.sha256_matches) for i in infos] == [(False, False, False)] * 3


@pytest.mark.parametrize(("frame", "truth"), WORKER_TRUTH)
def test_int8_model_finds_the_worker_as_exactly_one_person_over_the_truth_box(
    worker_frames: tuple[Image, ...], frame: int, truth: tuple[int, int, int, int]
) -> None:
    found = _detector("yolov8n_int8").detect(worker_frames[frame])
    boxes = found.xyxy[found.data["class_name"] == "person"]
    assert len(boxes) == 1
    assert box_iou(np.array(truth, dtype=np.float32), boxes)[0] > 0.5


def test_int8_model_finds_the_float_models_objects_on_a_real_frame(vtest_frame0: Image) -> None:
    int8, fp32 = _detector("yolov8n_int8").detect(vtest_frame0), _detector("yolov8n").detect(vtest_frame0)
    expected = ["car", "person", "person", "person", "truck"]
    assert sorted(int8.data["class_name"]) == sorted(fp32.data["class_name"]) == expected
    for box, label in zip(int8.xyxy, int8.data["class_name"], strict=True):
        assert box_iou(box, fp32.xyxy[fp32.data["class_name"] == label]).max() > 0.85
