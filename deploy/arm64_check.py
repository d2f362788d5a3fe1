"""Detections and replay events of each model on this CPU, and the comparison of two CPUs' results.

    python deploy/arm64_check.py run OUT.json [--step K] [--no-replay] MODEL...   # on each machine
    python deploy/arm64_check.py compare X86.json ARM.json # agreement as JSON; exit 1 when short
    python deploy/arm64_check.py summary COMPARE.json      # that JSON as a few lines

deploy/arm64-check.sh runs `run` on the host and inside an arm64 Debian root (qemu), then `compare`.
MODEL is a name from models/manifest.toml or an .onnx path; results are keyed by the file's stem, so
the same model compares across machines wherever its file lies.

Detections: every frame of the three person/car clips in tests/data plus the vtest photo (136
frames), at a 0.05 score threshold (AP needs the low-confidence tail). Agreement: AP50 per class
of a model's boxes against the x86 float model's boxes at the default 0.35 threshold
(supervision's MeanAveragePrecision: a box matches at IoU >= 0.5). Events: `watcher replay` of
the worker clip with tests/data/worker.toml; the same events in the same order, times within
EVENT_TOLERANCE_S. `--step K` keeps every K-th frame and `--no-replay` skips the events: the float
model runs ~10x slower than int8 under qemu (NEON floating point is emulated in software), so a
full emulated run of it takes an hour.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from watcher.bench.machine import this_machine
from watcher.cli import main as watcher_main
from watcher.config import DetectorConfig
from watcher.detect import load_detector

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CLIPS = ("people-detection.mp4", "person-bicycle-car-detection.mp4", "worker-zone-detection.mp4")
PHOTO = DATA / "photos" / "vtest-frame000.png"
REPLAY_CLIP, REPLAY_CONFIG = DATA / "worker-zone-detection.mp4", DATA / "worker.toml"
LOW_SCORE, REFERENCE_SCORE = 0.05, 0.35
REFERENCE = "yolov8n"
CLASSES = ("person", "car")
MIN_AP50 = 0.95
EVENT_TOLERANCE_S = 2 / 15
"""Two frame intervals of the 15 fps worker clip (detect_fps 15): one detection earlier or later each way."""


def frames() -> list[tuple[str, np.ndarray]]:
    """(`clip#index`, image) for every frame of CLIPS, and the photo."""
    out = []
    for clip in CLIPS:
        capture, index = cv2.VideoCapture(str(DATA / clip)), 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            out.append((f"{clip}#{index}", image))
            index += 1
    out.append((PHOTO.name, cv2.imread(str(PHOTO))))
    return out


def save_frames(out: Path) -> None:
    """Decode the frames here, once: the arm64 run reads them (`run --frames`) instead of the clips.

    Under qemu-user FFmpeg's decoding aborts now and then with heap corruption, and identical input
    pixels keep the comparison to the models' kernels (the replay still decodes on arm64).
    """
    images = frames()
    np.savez_compressed(
        out, ids=np.array([i for i, _ in images]), **{f"f{n}": im for n, (_, im) in enumerate(images)}
    )


def load_frames(path: Path) -> list[tuple[str, np.ndarray]]:
    """The frames written by `save_frames`."""
    with np.load(path) as data:
        return [(str(frame_id), data[f"f{n}"]) for n, frame_id in enumerate(data["ids"])]


def key(model: str) -> str:
    """The name results are stored under: the manifest name, or an .onnx file's stem."""
    return Path(model).stem if model.endswith(".onnx") else model


def detections(model: str, images: list[tuple[str, np.ndarray]], threads: int = 2) -> dict[str, Any]:
    """Boxes `[x1, y1, x2, y2, score, label]` per frame and the median detect() time."""
    detector = load_detector(DetectorConfig(model=model, score_threshold=LOW_SCORE, threads=threads))
    detector.detect(images[0][1])  # the first run allocates; it is not timed
    found, times = {}, []
    for frame_id, image in images:
        start = time.perf_counter()
        result = detector.detect(image)
        times.append((time.perf_counter() - start) * 1000)
        labels = result.data["class_name"]
        found[frame_id] = [
            [*(round(float(v), 1) for v in box), round(float(score), 4), str(label)]
            for box, score, label in zip(result.xyxy, result.confidence, labels, strict=True)
        ]
    return {"detect_ms_median": round(statistics.median(times), 1), "detections": found}


def replay_events(model: str, work: Path, threads: int = 2) -> list[dict[str, Any]]:
    """The events of `watcher replay` on the worker clip with this model."""
    config = work / f"{key(model)}.toml"
    detector = f"\n[detector]\nmodel = {json.dumps(model)}\nthreads = {threads}\n"
    config.write_text(REPLAY_CONFIG.read_text() + detector)
    events = work / f"{key(model)}.jsonl"
    code = watcher_main(["replay", str(REPLAY_CLIP), "-c", str(config), "--events", str(events)])
    if code != 0:
        raise RuntimeError(f"watcher replay with {model} exited {code}")
    fields = ("type", "rule", "camera", "zone", "value", "start_time", "end_time")
    return [{f: e[f] for f in fields} for e in map(json.loads, events.read_text().splitlines())]


def run(
    out: Path,
    models: list[str],
    step: int = 1,
    replay: bool = True,
    threads: int = 2,
    frames_file: Path | None = None,
) -> None:
    """Write this machine's detections, timings and replay events of each model to `out`."""
    images = (frames() if frames_file is None else load_frames(frames_file))[::step]
    result: dict[str, Any] = {"machine": this_machine().to_json(), "frames": len(images), "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for model in models:
            started = time.perf_counter()
            entry = detections(model, images, threads)
            entry["events"] = replay_events(model, Path(tmp), threads) if replay else None
            entry["seconds"] = round(time.perf_counter() - started, 1)
            result["models"][key(model)] = entry
            events = "no replay" if entry["events"] is None else f"{len(entry['events'])} events"
            print(f"{key(model)}: {len(images)} frames, {entry['detect_ms_median']} ms per detect, {events}")
    out.write_text(json.dumps(result) + "\n")


def _as_detections(boxes: list[list[Any]], names: list[str], min_score: float) -> Any:
    import supervision as sv

    kept = [b for b in boxes if b[4] >= min_score]
    return sv.Detections(
        xyxy=np.array([b[:4] for b in kept], dtype=np.float32).reshape(-1, 4),
        confidence=np.array([b[4] for b in kept], dtype=np.float32),
        class_id=np.array([names.index(b[5]) for b in kept], dtype=int),
    )


def ap50(candidate: dict[str, list[list[Any]]], reference: dict[str, list[list[Any]]]) -> dict[str, float]:
    """AP50 per class of `candidate` against `reference` (boxes at REFERENCE_SCORE), and `boxes` per class.

    Over the candidate's frames (an emulated run may keep only every K-th).
    """
    from supervision.metrics import MeanAveragePrecision

    reference = {frame_id: reference[frame_id] for frame_id in candidate}
    names = sorted({b[5] for boxes in [*candidate.values(), *reference.values()] for b in boxes})
    metric = MeanAveragePrecision()
    for frame_id, target in reference.items():
        metric.update(
            _as_detections(candidate[frame_id], names, LOW_SCORE),
            _as_detections(target, names, REFERENCE_SCORE),
        )
    computed = metric.compute()
    per_class = {
        names[c]: float(ap[0]) for c, ap in zip(computed.matched_classes, computed.ap_per_class, strict=True)
    }
    counts = {
        n: sum(b[5] == n and b[4] >= REFERENCE_SCORE for v in reference.values() for b in v) for n in CLASSES
    }
    return {
        **{n: round(per_class.get(n, 0.0), 3) for n in CLASSES},
        **{f"{n}_boxes": counts[n] for n in CLASSES},
    }


def same_events(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """The same events in the same order, start and end times within EVENT_TOLERANCE_S."""

    def close(x: float | None, y: float | None) -> bool:
        return (x is None and y is None) or (
            x is not None and y is not None and abs(x - y) <= EVENT_TOLERANCE_S
        )

    exact = ("type", "rule", "camera", "zone", "value")
    return len(a) == len(b) and all(
        all(p[f] == q[f] for f in exact)
        and close(p["start_time"], q["start_time"])
        and close(p["end_time"], q["end_time"])
        for p, q in zip(a, b, strict=True)
    )


def compare(x86_file: Path, arm_file: Path) -> int:
    """Print the agreement table; 1 when a model's person/car AP50 or its events fall outside the bounds."""
    x86, arm = (json.loads(p.read_text()) for p in (x86_file, arm_file))
    reference = x86["models"][REFERENCE]
    report: dict[str, Any] = {"x86_machine": x86["machine"], "arm_machine": arm["machine"], "models": {}}
    ok = True
    for name, entry in arm["models"].items():
        row = {
            "arm_vs_x86_float": ap50(entry["detections"], reference["detections"]),
            "arm_vs_x86_same_model": ap50(entry["detections"], x86["models"][name]["detections"]),
            "x86_vs_x86_float": ap50(x86["models"][name]["detections"], reference["detections"]),
            "detect_ms_median": {
                "x86": x86["models"][name]["detect_ms_median"],
                "arm": entry["detect_ms_median"],
            },
            "events": {"x86": x86["models"][name]["events"], "arm": entry["events"]},
            "same_events": None
            if entry["events"] is None
            else same_events(x86["models"][name]["events"], entry["events"]),
            "frames": len(entry["detections"]),
        }
        row["pass"] = row["same_events"] is not False and all(
            row["arm_vs_x86_float"][c] >= MIN_AP50 for c in CLASSES
        )
        ok = ok and row["pass"]
        report["models"][name] = row
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


def summary(compare_file: Path) -> None:
    """Print a compare report as one line per machine and one per model."""
    report = json.loads(compare_file.read_text())
    for side in ("x86", "arm"):
        m = report[f"{side}_machine"]
        libs = ", ".join(f"{n} {v}" for n, v in m["libraries"].items())
        print(f"{side}: {m['arch']} {m['cpu']}; flags {' '.join(m['cpu_flags'])}; {libs}")
    for name, row in report["models"].items():
        ap, same, ms = row["arm_vs_x86_float"], row["arm_vs_x86_same_model"], row["detect_ms_median"]
        print(
            f"{name}: AP50 vs x86 float person {ap['person']} car {ap['car']}"
            f" ({ap['person_boxes']}/{ap['car_boxes']} boxes); vs itself on x86 person {same['person']}"
            f" car {same['car']}; same events {row['same_events']};"
            f" detect ms x86 {ms['x86']} arm {ms['arm']}; {'PASS' if row['pass'] else 'FAIL'}"
        )


def main(argv: list[str]) -> int:
    """Run one subcommand; the exit status of `compare` says whether the bounds hold."""
    parser = argparse.ArgumentParser(prog="arm64_check.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_args = sub.add_parser("run")
    run_args.add_argument("out", type=Path)
    run_args.add_argument("models", nargs="+")
    run_args.add_argument("--step", type=int, default=1)
    run_args.add_argument("--no-replay", action="store_true")
    run_args.add_argument("--threads", type=int, default=2, help="ONNX Runtime intra-op threads")
    run_args.add_argument("--frames", type=Path, help="frames from `save-frames` instead of the clips")
    sub.add_parser("save-frames").add_argument("out", type=Path)
    compare_args = sub.add_parser("compare")
    compare_args.add_argument("x86", type=Path)
    compare_args.add_argument("arm", type=Path)
    sub.add_parser("summary").add_argument("report", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.out, args.models, args.step, not args.no_replay, args.threads, args.frames)
        return 0
    if args.command == "save-frames":
        save_frames(args.out)
        return 0
    if args.command == "compare":
        return compare(args.x86, args.arm)
    summary(args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
