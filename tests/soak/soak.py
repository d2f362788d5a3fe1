"""Accelerated soak: a real clip's frames and detections looped through the full pipeline with sinks on.

Run: `python -m tests.soak.soak --frames 200000` (or `pytest -m slow tests/soak`). The detector is the one
shortcut: the real model runs once over the clip, and its detections are replayed in a loop, so 200 000
frames take minutes instead of hours. Motion gate, tracker, scene, rules, the sink runner and the real
sinks (log, SQLite store, snapshots, and MQTT with its outbox when a broker port is given) all run.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import psutil
import supervision as sv

from tests.reliability.support import WORKER_SCENE
from watcher import config
from watcher.config import Config
from watcher.detect import load_detector
from watcher.pipeline import CameraPipeline
from watcher.rules import RulesEngine
from watcher.sinks import SinkRunner
from watcher.sinks.assemble import build_sinks
from watcher.types import Frame, Image

CLIP = Path(__file__).parents[1] / "data" / "worker-zone-detection.mp4"
FPS = 15.0

CONFIG = (
    """
[[cameras]]
name = "floor"
url = "demo"
detect_fps = 15
motion = {{ detect_when = "always" }}
"""
    + WORKER_SCENE
    + """
[[rules]]
name = "workers_on_floor"
kind = "presence"
camera = "floor"
classes = ["person"]
report = "sensor"

[store]
path = "soak.db"
snapshots_dir = "snapshots"
snapshots_max_mb = 5

[mqtt]
enabled = {mqtt}
port = {port}

[logging]
level = "WARNING"
"""
)


class LoopedDetections:
    """Replays the real detector's output for the clip's frames, call after call, in a loop."""

    def __init__(self, recorded: list[sv.Detections], labels: tuple[str, ...]) -> None:
        self._recorded = recorded
        self._labels = labels
        self.calls = 0

    @property
    def labels(self) -> tuple[str, ...]:
        return self._labels

    def detect(self, image: Image) -> sv.Detections:
        """The recorded detections of the frame this call stands for (the image is ignored)."""
        detections = self._recorded[self.calls % len(self._recorded)]
        self.calls += 1
        return detections


@dataclass
class Sample:
    frames: int
    rss_mb: float
    fds: int
    outbox: int
    seconds: float


@dataclass
class SoakReport:
    """Samples taken every `every` frames, and the sink counters at the end."""

    samples: list[Sample] = field(default_factory=list)
    events: int = 0
    dropped_events: int = 0
    dropped_observations: int = 0
    warmup_frames: int = 0

    @property
    def rss_growth(self) -> float:
        """Relative RSS growth from the end of warm-up to the end of the run."""
        base = next(s for s in self.samples if s.frames >= self.warmup_frames)
        return self.samples[-1].rss_mb / base.rss_mb - 1.0

    @property
    def fds_after_warmup(self) -> set[int]:
        return {s.fds for s in self.samples if s.frames >= self.warmup_frames}


def _decode(clip: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(clip))
    images = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        images.append(image)
    capture.release()
    return images


def _config(broker_port: int | None) -> Config:
    text = CONFIG.format(mqtt="true" if broker_port else "false", port=broker_port or 1883)
    return config.loads(text, "soak.toml", env={})


def run_soak(
    frames: int,
    workdir: Path,
    *,
    broker_port: int | None = None,
    every: int = 5000,
    warmup: int = 20000,
    on_sample: Callable[[Sample], None] = lambda _: None,
) -> SoakReport:
    """Push `frames` frames through pipeline and sinks; sample RSS, open files and the outbox."""
    cfg = _config(broker_port)
    images = _decode(CLIP)
    real = load_detector(cfg.detector, workdir)
    detector = LoopedDetections([real.detect(image) for image in images], real.labels)
    engine = RulesEngine(cfg.rules)
    pipeline = CameraPipeline(cfg.cameras[0], cfg, detector, engine, workdir)
    sinks = build_sinks(cfg, workdir)
    outbox = next((getattr(s, "outbox", None) for s in sinks if s.name == "mqtt"), None)
    runner = SinkRunner(sinks)
    process = psutil.Process()
    report = SoakReport(warmup_frames=min(warmup, frames))
    started = time.monotonic()
    for index in range(frames):
        frame = Frame("floor", index, index / FPS, images[index % len(images)])
        obs, events = pipeline.process(frame)
        runner.submit_states(engine.snapshot())
        runner.submit_observation(obs)
        for event in events:
            runner.submit_event(event, frame.image)
        report.events += len(events)
        if (index + 1) % every == 0 or index + 1 == frames:
            runner.flush(timeout=30)
            report.samples.append(
                Sample(
                    index + 1,
                    process.memory_info().rss / 2**20,
                    process.num_fds(),
                    len(outbox) if outbox is not None else 0,
                    time.monotonic() - started,
                )
            )
            on_sample(report.samples[-1])
    report.dropped_events = runner.dropped_events
    report.dropped_observations = runner.dropped_observations
    runner.close(timeout=30)
    return report


def _print(s: Sample) -> None:
    line = (
        f"{s.frames:>8} frames  {s.seconds:7.1f} s  rss {s.rss_mb:7.1f} MB  fds {s.fds:3d}  outbox {s.outbox}"
    )
    print(line, flush=True)


def main() -> None:
    """Command line: run the soak and print one line per sample and a verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=Path("soak-run"))
    parser.add_argument("--mqtt-port", type=int, help="a running broker on 127.0.0.1 (default: MQTT off)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.workdir.mkdir(parents=True, exist_ok=True)
    report = run_soak(args.frames, args.workdir, broker_port=args.mqtt_port, on_sample=_print)
    print(
        f"events {report.events}, dropped events {report.dropped_events}, dropped observations "
        f"{report.dropped_observations}, RSS growth after warm-up {report.rss_growth:+.1%}, "
        f"open files after warm-up {sorted(report.fds_after_warmup)}"
    )


if __name__ == "__main__":
    main()
