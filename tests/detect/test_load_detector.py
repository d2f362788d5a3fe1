"""`load_detector`: names and paths, layouts, labels, and one-line ModelErrors for bad models."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from watcher.config import DetectorConfig
from watcher.detect import SsdDetector, YoloDetector, load_detector, models_dir
from watcher.errors import ModelError
from watcher.types import Image


def _field(number: int, payload: bytes | int) -> bytes:
    """One protobuf field: varint for ints, length-delimited for bytes."""
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = b""
    while True:
        low, value = value & 0x7F, value >> 7
        out += struct.pack("B", low | (0x80 if value else 0))
        if not value:
            return out


def identity_model() -> bytes:
    """A valid ONNX model (Identity, float [1, 3] -> [1, 3]) whose output no detector layout fits."""
    shape = _field(2, _field(1, _field(1, 1)) + _field(1, _field(1, 3)))
    value_type = _field(2, _field(1, _field(1, 1) + shape))
    graph = (
        _field(1, _field(1, b"x") + _field(2, b"y") + _field(4, b"Identity"))
        + _field(2, b"g")
        + _field(11, _field(1, b"x") + value_type)
        + _field(12, _field(1, b"y") + value_type)
    )
    return _field(1, 8) + _field(8, _field(2, 17)) + _field(7, graph)


@pytest.mark.parametrize(("model", "kind"), [("yolov8n", YoloDetector), ("ssd_mobilenet_v2", SsdDetector)])
def test_a_manifest_name_loads_its_layout(model: str, kind: type) -> None:
    assert isinstance(load_detector(DetectorConfig(model=model)), kind)


@pytest.mark.parametrize(
    ("file", "labels_file", "kind"),
    [
        ("yolov8n.onnx", "yolov8n_coco80_labels.txt", YoloDetector),
        ("ssd_mobilenet_v2_coco.onnx", "coco_labels.txt", SsdDetector),
    ],
)
def test_a_path_relative_to_base_dir_loads_with_the_layout_found_from_outputs(
    tmp_path: Path, file: str, labels_file: str, kind: type
) -> None:
    shutil.copy(models_dir() / file, tmp_path / file)
    labels = tmp_path / "labels.txt"
    shutil.copy(models_dir() / labels_file, labels)
    detector = load_detector(DetectorConfig(model=file, labels=str(labels)), base_dir=tmp_path)
    assert isinstance(detector, kind)
    assert detector.labels[:3] == ("person", "bicycle", "car")


def test_yolo_labels_come_from_onnx_metadata_when_no_labels_file_is_given(tmp_path: Path) -> None:
    shutil.copy(models_dir() / "yolov8n.onnx", tmp_path / "custom.onnx")
    detector = load_detector(DetectorConfig(model="custom.onnx"), base_dir=tmp_path)
    assert len(detector.labels) == 80
    assert detector.labels[0] == "person"


def test_a_yolo_labels_file_with_gaps_is_a_model_error(tmp_path: Path) -> None:
    shutil.copy(models_dir() / "coco_labels.txt", tmp_path / "labels.txt")
    with pytest.raises(ModelError, match="without gaps"):
        load_detector(DetectorConfig(model="yolov8n", labels=str(tmp_path / "labels.txt")))


@pytest.mark.parametrize("model", ["yolov8n", "ssd_mobilenet_v2"])
def test_class_filter_keeps_only_the_named_classes(model: str, vtest_frame0: Image) -> None:
    detector = load_detector(DetectorConfig(model=model, classes=["car", "truck"]))
    found = detector.detect(vtest_frame0)
    assert set(found.data["class_name"].tolist()) <= {"car", "truck"}
    assert len(found) >= 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "file is empty"),
        (b"this is a text file, not a model\n", "not a valid ONNX model"),
        ("truncated", "not a valid ONNX model"),
    ],
    ids=["empty", "text_renamed_onnx", "truncated"],
)
def test_a_corrupt_model_file_is_a_model_error_naming_the_file(
    tmp_path: Path, content: bytes | str, problem: str
) -> None:
    path = tmp_path / "broken.onnx"
    data = (models_dir() / "yolov8n.onnx").read_bytes()[:100_000] if content == "truncated" else content
    path.write_bytes(data if isinstance(data, bytes) else b"")
    with pytest.raises(ModelError, match=problem) as caught:
        load_detector(DetectorConfig(model="broken.onnx"), base_dir=tmp_path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_missing_model_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"missing\.onnx: file not found"):
        load_detector(DetectorConfig(model="missing.onnx"), base_dir=tmp_path)


def test_an_unknown_model_name_lists_the_known_names() -> None:
    with pytest.raises(ModelError, match=r"unknown model name.*ssd_mobilenet_v2.*yolov8n"):
        load_detector(DetectorConfig(model="yolov99"))


@pytest.mark.parametrize("model", ["yolov8n", "ssd_mobilenet_v2"])
def test_an_unknown_class_name_lists_some_valid_names(model: str) -> None:
    with pytest.raises(ModelError, match=r"unknown class 'pedestrian'; valid names include: person, bicycle"):
        load_detector(DetectorConfig(model=model, classes=["person", "pedestrian"]))


def test_an_unsupported_output_layout_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "identity.onnx").write_bytes(identity_model())
    with pytest.raises(ModelError, match=r"identity\.onnx: unsupported output layout y\[1, 3\]"):
        load_detector(DetectorConfig(model="identity.onnx", labels="none.txt"), base_dir=tmp_path)


def test_a_layout_that_does_not_fit_the_outputs_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="look like the ssd layout, not yolo"):
        load_detector(DetectorConfig(model="ssd_mobilenet_v2", layout="yolo"))
