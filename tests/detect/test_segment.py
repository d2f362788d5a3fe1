"""The YOLO-seg decode on hand-made outputs (exact masks) and on the real YOLO11n-seg file."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from watcher.config import DetectorConfig, TrackerConfig
from watcher.detect import load_detector, open_model
from watcher.detect.letterbox import LetterboxMeta
from watcher.detect.model import open_session
from watcher.detect.segment import YoloSegDetector, frame_masks, load_segmenter
from watcher.errors import ModelError
from watcher.scene.scene import Scene

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "models"
"""The optional seg model is not shipped (its licence is unclear, models/README.md): found beside the repo."""
SEG_MODEL = SHARED / "yolo11n_seg_vehicles.onnx"
LABELS = ("car", "van")


def protos_left_half() -> np.ndarray:
    """32 prototypes on a 16x16 grid: the first is +5 on the left half and -5 on the right."""
    protos = np.zeros((32, 16, 16), dtype=np.float32)
    protos[0] = -5.0
    protos[0, :, :8] = 5.0
    return protos


def anchor(cx: float, cy: float, w: float, h: float, scores: tuple[float, float]) -> np.ndarray:
    column = np.zeros(4 + len(LABELS) + 32, dtype=np.float32)
    column[:4] = (cx, cy, w, h)
    column[4:6] = scores
    column[6] = 1.0  # weight of the first prototype
    return column


PLAIN = Path(__file__).parents[2] / "models" / "yolov8n.onnx"


@pytest.fixture(scope="module")
def detector() -> YoloSegDetector:
    # `postprocess` never runs the session; any loaded model serves to build the detector.
    return YoloSegDetector(open_session(PLAIN, threads=1), LABELS, input_size=64, score_threshold=0.35)


def test_decode_keeps_one_box_per_object_with_its_mask_cut_to_the_box(detector: YoloSegDetector) -> None:
    raw = np.stack(
        [
            anchor(20, 20, 24, 24, (0.9, 0.0)),
            anchor(21, 20, 24, 24, (0.8, 0.0)),
            anchor(50, 50, 8, 8, (0.1, 0.2)),
        ],
        axis=1,
    )
    meta = LetterboxMeta(ratio=1.0, pad_x=0, pad_y=0, frame_width=64, frame_height=64)
    detections = detector.postprocess([raw[None], protos_left_half()[None]], meta)
    assert detections.xyxy.tolist() == [[8.0, 8.0, 32.0, 32.0]]
    assert detections.data["class_name"].tolist() == ["car"]
    assert detections.mask is not None
    expected = np.zeros((64, 64), dtype=bool)
    expected[8:32, 8:32] = True
    assert np.array_equal(detections.mask[0], expected)


def test_masks_come_back_through_the_letterbox_to_frame_pixels() -> None:
    # A 128x64 frame scaled by 0.5 into a 64x64 input, 16 px of padding above and below.
    meta = LetterboxMeta(ratio=0.5, pad_x=0, pad_y=16, frame_width=128, frame_height=64)
    coefficients = np.zeros((1, 32), dtype=np.float32)
    coefficients[0, 0] = 1.0
    box = np.array([[8.0, 20.0, 40.0, 44.0]], dtype=np.float32)  # frame box (16, 8, 80, 56)
    mask = frame_masks(coefficients, protos_left_half(), box, meta)[0]
    assert mask.shape == (64, 128)
    columns = np.flatnonzero(mask.any(axis=0))
    rows = np.flatnonzero(mask.any(axis=1))
    assert (columns[0], rows[0], rows[-1]) == (16, 8, 55)
    assert 62 <= columns[-1] <= 64  # the left half ends at frame x 64 (interpolated edge)


def test_no_detections_give_an_empty_mask_stack() -> None:
    meta = LetterboxMeta(ratio=1.0, pad_x=0, pad_y=0, frame_width=40, frame_height=30)
    masks = frame_masks(np.zeros((0, 32), np.float32), protos_left_half(), np.zeros((0, 4), np.float32), meta)
    assert masks.shape == (0, 30, 40)


needs_seg_model = pytest.mark.skipif(
    not SEG_MODEL.is_file(), reason=f"optional {SEG_MODEL.name} not found in ../shared/models"
)


@needs_seg_model
def test_real_seg_model_gives_frame_sized_masks_inside_boxes() -> None:
    seg = load_segmenter(SEG_MODEL, labels=SHARED / "yolo11n_seg_vehicles_labels.txt", score_threshold=0.01)
    image = (np.random.default_rng(0).integers(0, 255, (240, 320, 3))).astype(np.uint8)
    detections = seg.detect(image)
    assert seg.labels == ("bike", "bus", "car", "lorry", "tuktuk", "van")
    assert detections.mask is not None
    assert detections.mask.shape == (len(detections), 240, 320)
    outside = np.ones_like(detections.mask)
    for i, (x1, y1, x2, y2) in enumerate(np.round(detections.xyxy).astype(int)):
        outside[i, y1:y2, x1:x2] = False
    assert not (detections.mask & outside).any()


def test_a_plain_detector_is_not_a_segmentation_model() -> None:
    with pytest.raises(ModelError, match="not a YOLO segmentation model"):
        load_segmenter(PLAIN)


@needs_seg_model
def test_the_layout_of_a_seg_export_is_told_from_its_outputs() -> None:
    model = open_model(DetectorConfig(model=str(SEG_MODEL)))
    assert model.layout == "yolo_seg"
    assert model.names == ("bick", "bus", "car", "lorry", "tuktuk", "van")  # the export's own spelling


@needs_seg_model
def test_naming_the_seg_layout_is_accepted_and_yolo_is_refused() -> None:
    assert isinstance(load_detector(DetectorConfig(model=str(SEG_MODEL), layout="yolo_seg")), YoloSegDetector)
    with pytest.raises(ModelError, match="look like the yolo_seg layout, not yolo"):
        open_model(DetectorConfig(model=str(SEG_MODEL), layout="yolo"))


@needs_seg_model
def test_a_real_frame_mask_rides_on_its_track() -> None:
    # Frame 30 of this clip is one where the weak vehicle model does find something (a "bike" 0.53).
    capture = cv2.VideoCapture(str(ROOT / "tests" / "data" / "person-bicycle-car-detection.mp4"))
    frames = [capture.read()[1] for _ in range(31)]
    detector = load_detector(DetectorConfig(model=str(SEG_MODEL), input_size=640, score_threshold=0.5))
    scene = Scene("cam", [], TrackerConfig(min_hits=1), 10.0)
    detections = detector.detect(frames[30])
    assert detections.mask is not None
    assert len(detections) == 1
    obs = scene.update(30, 3.0, (480, 270), detections)
    (track,) = obs.tracks
    assert track.mask is not None
    assert np.array_equal(track.mask, detections.mask[0])
    assert 10_000 < int(track.mask.sum()) < 480 * 270
