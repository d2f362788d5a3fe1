"""Measure detectors for models/README.md: accuracy on labelled clip frames and latency, in one run.

Run: .venv/bin/python tests/detect/bench_detectors.py [MEDIA_DIR]   (not collected by pytest)
MEDIA_DIR defaults to $WATCHER_MEDIA, else ../shared/media beside the checkout.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from watcher.config import DetectorConfig
from watcher.detect import OnnxDetector, YoloDetector, load_detector
from watcher.detect.nms import box_iou
from watcher.types import Image

MEDIA = Path(
    sys.argv[1]
    if len(sys.argv) > 1
    else os.environ.get("WATCHER_MEDIA", Path(__file__).resolve().parents[3] / "shared" / "media")
)
ROUNDS = 3


def frames(clip: str) -> list[tuple[dict[str, object], Image]]:
    truth = json.loads((MEDIA / f"{clip}.truth.json").read_text())
    wanted = {int(s["frame"]): s for s in truth["samples"]}
    capture = cv2.VideoCapture(str(MEDIA / f"{clip}.mp4"))
    out, index = [], 0
    while True:
        ok, image = capture.read()
        if not ok:
            break
        if index in wanted:
            out.append((wanted[index], image))
        index += 1
    return out


def configs() -> dict[str, OnnxDetector[object]]:
    made: dict[str, OnnxDetector[object]] = {}
    for size in (320, 384, 416):
        square = load_detector(DetectorConfig(model="yolov8n", input_size=size))
        assert isinstance(square, YoloDetector)
        square._letterbox.rect = False
        made[f"yolov8n@{size} square"] = square
    made["yolov8n@320 rect (default)"] = load_detector(DetectorConfig(model="yolov8n"))
    made["ssd_mobilenet_v2"] = load_detector(DetectorConfig(model="ssd_mobilenet_v2"))
    made["ssd_mobilenet_v2 (score 0.5)"] = load_detector(
        DetectorConfig(model="ssd_mobilenet_v2", score_threshold=0.5)
    )
    return made


def persons(detector: OnnxDetector[object], image: Image) -> np.ndarray:
    found = detector.detect(image)
    return found.xyxy[found.data["class_name"] == "person"]


def main() -> None:
    vtest, worker = frames("vtest"), frames("worker-zone-detection")
    detectors = configs()
    times: dict[str, dict[str, list[float]]] = {
        n: {"pre": [], "infer": [], "post": [], "detect": []} for n in detectors
    }
    for detector in detectors.values():
        for _, image in (vtest + worker)[:4]:
            detector.detect(image)
    # Interleave configs frame by frame so load from other processes hits them all alike.
    for _ in range(ROUNDS):
        for _, image in vtest + worker:
            for name, detector in detectors.items():
                t0 = time.perf_counter()
                tensor, meta = detector.preprocess(image)
                t1 = time.perf_counter()
                outputs = detector.infer(tensor)
                t2 = time.perf_counter()
                detector.postprocess(outputs, meta)
                t3 = time.perf_counter()
                for key, value in (
                    ("pre", t1 - t0),
                    ("infer", t2 - t1),
                    ("post", t3 - t2),
                    ("detect", t3 - t0),
                ):
                    times[name][key].append(value * 1000)
    print(
        "| config | vtest count MAE | vtest within ±1 | worker hit IoU>0.5 | worker extra persons | "
        "pre ms | infer ms | post ms | detect ms | detect ms (min) |"
    )
    for name, detector in detectors.items():
        errors = [abs(len(persons(detector, im)) - int(s["persons_visible"])) for s, im in vtest]
        hits = extra = 0
        for sample, image in worker:
            found = persons(detector, image)
            truth = np.array(sample["person_bbox"], dtype=np.float32)
            if len(found) and box_iou(truth, found).max() > 0.5:
                hits += 1
            extra += max(0, len(found) - 1)
        med = {k: statistics.median(v) for k, v in times[name].items()}
        print(
            f"| {name} | {statistics.mean(errors):.2f} | {sum(e <= 1 for e in errors)}/{len(errors)} | "
            f"{hits}/{len(worker)} | {extra} | {med['pre']:.2f} | {med['infer']:.2f} | {med['post']:.2f} | "
            f"{med['detect']:.2f} | {min(times[name]['detect']):.2f} |"
        )


if __name__ == "__main__":
    main()
