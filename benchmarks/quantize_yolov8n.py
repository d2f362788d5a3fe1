"""Int8 static (QDQ) quantization of yolov8n, calibrated on real frames; speed and accuracy vs float32.

Run (needs the `onnx` package, which watcher itself does not):
    python3.11 -m venv build/qvenv && build/qvenv/bin/pip install onnx==1.23.2 onnxruntime==1.32.0 numpy
    .venv/bin/python benchmarks/quantize_yolov8n.py calibrate build/q      # tensors from real clips
    build/qvenv/bin/python benchmarks/quantize_yolov8n.py quantize build/q # writes build/q/yolov8n_int8.onnx
    .venv/bin/python benchmarks/quantize_yolov8n.py compare build/q        # interleaved timing + accuracy
The clips are read from $WATCHER_MEDIA (default ../shared/media, beside the repository): vtest.mp4,
people-detection.mp4, worker-zone-detection.mp4 and box.mp4 for calibration; `compare` also needs their
*.truth.json. models/recreate.sh points it at the repository's own copies of the four clips.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The real clips (shared/media of the model build); models/recreate.sh points it at its own copy.
MEDIA = Path(os.environ.get("WATCHER_MEDIA", ROOT.parent / "shared" / "media"))
CALIBRATION_CLIPS = ("vtest.mp4", "people-detection.mp4", "worker-zone-detection.mp4", "box.mp4")


def calibrate(out: Path) -> None:
    """Letterboxed tensors (as the detector feeds the model) from every 40th frame of real clips."""
    import cv2

    from watcher.detect import Letterbox

    tensors: dict[str, list[np.ndarray]] = {}
    for clip in CALIBRATION_CLIPS:
        capture = cv2.VideoCapture(str(MEDIA / clip))
        letterbox, index = Letterbox(320, rect=True), 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if index % 40 == 0:
                tensor, _ = letterbox(image)
                tensors.setdefault("x".join(map(str, tensor.shape)), []).append(tensor.copy())
            index += 1
    # Static quantization needs one input shape per calibration batch; keep the most common one.
    shape, batch = max(tensors.items(), key=lambda kv: len(kv[1]))
    np.save(out / "calibration.npy", np.concatenate(batch))
    print(f"{len(batch)} calibration tensors of shape {shape}")


def quantize(out: Path) -> None:
    """QDQ int8, per-channel 7-bit weights, calibrated with MinMax on the saved tensors."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    data = np.load(out / "calibration.npy")

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._items = iter([{"images": data[i : i + 1]} for i in range(len(data))])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._items, None)

    prepped = out / "yolov8n_prep.onnx"
    # The model has dynamic batch/height/width, which symbolic shape inference cannot resolve.
    quant_pre_process(str(ROOT / "models" / "yolov8n.onnx"), str(prepped), skip_symbolic_shape=True)
    # One int8 scale for the head's concatenated boxes (0..320 px) and class scores (0..1) wipes out
    # the scores (count MAE 0.65 -> 5.6 in a first try), so the detect head's last convs and its
    # decoding (DFL, concat, sigmoid) stay float; backbone, neck and the head's hidden convs are int8.
    import onnx

    head = [n.name for n in onnx.load(str(prepped)).graph.node if n.name.startswith("/model.22/")]
    hidden = re.compile(r"^/model\.22/cv[23]\.\d/cv[23]\.\d\.[01]/")
    exclude = [name for name in head if not hidden.match(name)]
    # reduce_range: weights use 7 bits (-64..63). x86 without VNNI multiplies u8 x s8 pairs into int16
    # with saturation (vpmaddubsw), which 255 x 127 + 255 x 127 overflows; VNNI and ARM accumulate in
    # int32 exactly. With 7-bit weights no pair saturates, so every CPU computes the same integers and
    # the detections no longer depend on the instruction set (8-bit weights made a false "person" at
    # 0.37 on a table edge on AVX-512 VNNI, where the float model says "sink" at 0.27).
    quantize_static(
        str(prepped),
        str(out / "yolov8n_int8.onnx"),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        reduce_range=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=exclude,
    )
    print(f"wrote {out / 'yolov8n_int8.onnx'}")


def compare(out: Path) -> None:
    """Interleaved detect() timing and the person-count accuracy of tests/detect/bench_detectors.py."""
    sys.path.insert(0, str(ROOT))
    sys.argv = [sys.argv[0], str(MEDIA)]  # bench_detectors reads its media folder from argv on import
    from tests.detect.bench_detectors import frames, persons
    from watcher.config import DetectorConfig
    from watcher.detect import load_detector
    from watcher.detect.nms import box_iou

    labels = str(ROOT / "models" / "yolov8n_coco80_labels.txt")
    detectors = {
        "fp32": load_detector(DetectorConfig(model="yolov8n")),
        "int8": load_detector(DetectorConfig(model=str(out / "yolov8n_int8.onnx"), labels=labels)),
    }
    vtest, worker = frames("vtest"), frames("worker-zone-detection")
    times: dict[str, list[float]] = {name: [] for name in detectors}
    for detector in detectors.values():
        detector.detect(vtest[0][1])
    for _ in range(3):
        for _, image in vtest + worker:
            for name, detector in detectors.items():
                start = time.perf_counter()
                detector.detect(image)
                times[name].append((time.perf_counter() - start) * 1000)
    result = {}
    for name, detector in detectors.items():
        errors = [abs(len(persons(detector, im)) - int(s["persons_visible"])) for s, im in vtest]
        hits = sum(
            1
            for s, im in worker
            if len(found := persons(detector, im))
            and box_iou(np.array(s["person_bbox"], dtype=np.float32), found).max() > 0.5
        )
        result[name] = {
            "detect_ms_median": round(statistics.median(times[name]), 2),
            "detect_ms_min": round(min(times[name]), 2),
            "vtest_count_mae": round(statistics.mean(errors), 3),
            "vtest_within_1": f"{sum(e <= 1 for e in errors)}/{len(errors)}",
            "worker_found": f"{hits}/{len(worker)}",
        }
    result["speedup_median"] = round(
        result["fp32"]["detect_ms_median"] / result["int8"]["detect_ms_median"], 2
    )
    result["int8_vs_fp32_boxes"] = agreement(out, labels)
    print(json.dumps(result, indent=2))


def agreement(out: Path, labels: str) -> dict[str, object]:
    """mAP of int8 against the float model's own boxes (score >= 0.35) on every 10th frame of every clip.

    The clips' truth has counts and a few boxes, not every box, so a full AP against truth is not
    possible; this measures what quantization changes, class by class, on real frames.
    """
    import cv2
    from supervision.metrics import MeanAveragePrecision

    from watcher.config import DetectorConfig
    from watcher.detect import load_detector

    reference = load_detector(DetectorConfig(model="yolov8n"))
    low = 0.05  # AP needs the low-confidence tail of the ranking too
    candidates = {
        "fp32": load_detector(DetectorConfig(model="yolov8n", score_threshold=low)),
        "int8": load_detector(
            DetectorConfig(model=str(out / "yolov8n_int8.onnx"), labels=labels, score_threshold=low)
        ),
    }
    metrics = {name: MeanAveragePrecision() for name in candidates}
    frames_used = boxes = 0
    for clip in sorted(MEDIA.glob("*.mp4")):
        capture = cv2.VideoCapture(str(clip))
        index = 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            if index % 10 == 0:
                target = reference.detect(image)
                frames_used, boxes = frames_used + 1, boxes + len(target)
                for name, detector in candidates.items():
                    metrics[name].update(detector.detect(image), target)
            index += 1
    found: dict[str, object] = {"frames": frames_used, "reference_boxes": boxes}
    for name, metric in metrics.items():
        computed = metric.compute()
        found[f"{name}_map50"] = round(float(computed.map50), 3)
        found[f"{name}_map50_95"] = round(float(computed.map50_95), 3)
        # person (0) and car (2): the classes tests/detect/test_model_agreement.py holds to >= 0.95.
        classes, ap50 = computed.matched_classes.tolist(), computed.ap_per_class[:, 0].tolist()
        per_class = dict(zip(classes, ap50, strict=True))
        found[f"{name}_ap50_person_car"] = [round(float(per_class.get(c, 0.0)), 3) for c in (0, 2)]
    return found


if __name__ == "__main__":
    folder = Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    {"calibrate": calibrate, "quantize": quantize, "compare": compare}[sys.argv[1]](folder)
