"""What each lever gives `watcher replay` (demo clip, detect_fps 5), interleaved in one run.

Each variant runs the replay loop (read, throttle, `CameraPipeline.process`) over the same first
FRAMES frames of the demo clip; variants alternate frame by frame so machine load hits them alike.
Run: .venv/bin/python benchmarks/replay_levers.py [INT8_MODEL] > benchmarks/results/replay_levers.json
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from watcher import config, resources
from watcher.bench.machine import this_machine
from watcher.capture import FileSource
from watcher.clock import SystemClock
from watcher.config import Config
from watcher.detect import Detector, load_detector
from watcher.pipeline import CameraPipeline
from watcher.rules import RulesEngine

FRAMES = 400
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Variant:
    name: str
    detector: Detector
    grab_skip: bool
    gate: bool = True


class Replay:
    """One variant's replay loop, advanced one frame at a time so variants can alternate frame by frame."""

    def __init__(self, cfg: Config, variant: Variant) -> None:
        camera = cfg.cameras[0]
        if not variant.gate:
            camera = camera.model_copy(update={"motion": camera.motion.model_copy(update={"enabled": False})})
        self.variant = variant
        self.pipeline = CameraPipeline(camera, cfg, variant.detector, RulesEngine(cfg.rules))
        self.source = FileSource(camera.name, resources.demo_clip(), SystemClock(), realtime=False)
        self.source.open()
        self.seconds = 0.0

    def step(self) -> None:
        """Read (or skip) one frame and process it if the throttle takes it; timed."""
        started = time.perf_counter()
        t = self.source.next_timestamp
        if self.variant.grab_skip and t is not None and not self.pipeline.throttle.due(t):
            self.source.skip()
        else:
            frame = self.source.read()
            if frame is not None and (self.variant.grab_skip or self.pipeline.throttle.due(frame.timestamp)):
                self.pipeline.process(frame)
        self.seconds += time.perf_counter() - started


def main() -> None:
    cfg = config.loads(resources.example_config().read_text(), "config.example.toml")
    two = load_detector(cfg.detector)
    one = load_detector(cfg.detector.model_copy(update={"threads": 1}))
    variants = [
        Variant("baseline (read every frame, 2 ORT threads)", two, grab_skip=False),
        Variant("grab() for frames the throttle skips", two, grab_skip=True),
        Variant("grab() + 1 ORT thread", one, grab_skip=True),
        Variant("grab() + motion gate off", two, grab_skip=True, gate=False),
    ]
    if len(sys.argv) > 1:
        labels = str(ROOT / "models" / "yolov8n_coco80_labels.txt")
        int8 = load_detector(cfg.detector.model_copy(update={"model": sys.argv[1], "labels": labels}))
        variants.append(Variant("grab() + int8 QDQ model", int8, grab_skip=True))
    replays = [Replay(cfg, v) for v in variants]
    # Alternate frame by frame: load from other processes then hits every variant alike.
    for _ in range(FRAMES):
        for replay in replays:
            replay.step()
    video_s = FRAMES / 10.0  # the demo clip is 10 fps
    base = video_s / replays[0].seconds
    result = {
        r.variant.name: {
            "x_real_time": round(video_s / r.seconds, 2),
            "vs_baseline": round(video_s / r.seconds / base, 2),
        }
        for r in replays
    }
    print(json.dumps({**result, "machine": this_machine().to_json()}, indent=2))


if __name__ == "__main__":
    main()
