"""ONNX Runtime session options for yolov8n@320 rect on demo frames: model-run ms, interleaved in one run.

Run: .venv/bin/python benchmarks/ort_options.py > benchmarks/results/ort_options.json
"""

from __future__ import annotations

import json
import statistics
import time

import cv2
import numpy as np
import onnxruntime as ort

from watcher.bench.machine import this_machine
from watcher.detect import Letterbox
from watcher.detect.manifest import models_dir
from watcher.resources import demo_clip

ROUNDS = 5
RUNS = 20


def session(threads: int, spinning: bool) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return ort.InferenceSession(
        str(models_dir() / "yolov8n.onnx"), options, providers=["CPUExecutionProvider"]
    )


def main() -> None:
    capture = cv2.VideoCapture(str(demo_clip()))
    letterbox = Letterbox(320, rect=True)
    tensors = []
    for _ in range(8):
        _, image = capture.read()
        tensors.append(letterbox(np.asarray(image, dtype=np.uint8))[0].copy())
    variants = {
        f"threads={t}, spinning={'on' if s else 'off'}": session(t, s) for t in (1, 2) for s in (True, False)
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for sess in variants.values():
        sess.run(None, {"images": tensors[0]})
    for _ in range(ROUNDS):
        for name, sess in variants.items():
            for i in range(RUNS):
                start = time.perf_counter()
                sess.run(None, {"images": tensors[i % len(tensors)]})
                times[name].append((time.perf_counter() - start) * 1000)
    print(
        json.dumps(
            {
                **{
                    n: {"median_ms": round(statistics.median(v), 2), "min_ms": round(min(v), 2)}
                    for n, v in times.items()
                },
                "machine": this_machine().to_json(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
