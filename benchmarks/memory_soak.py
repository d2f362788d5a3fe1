"""One camera, >= 20 000 frames through the pipeline, RSS every 1 000 frames (issue 7: < 250 MB, flat).

Run: .venv/bin/python benchmarks/memory_soak.py [FRAMES] > benchmarks/results/memory_soak.json
The demo clip loops at its own fps with the example config (motion gate on, detect_fps 5), read flat out.
"""

from __future__ import annotations

import json
import sys
import time

import psutil

from watcher import config, resources
from watcher.bench.machine import this_machine
from watcher.capture import FileSource
from watcher.clock import SystemClock
from watcher.detect import load_detector
from watcher.pipeline import CameraPipeline
from watcher.rules import RulesEngine

EVERY = 1000


def main() -> None:
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    cfg = config.loads(resources.example_config().read_text(), "config.example.toml")
    camera = cfg.cameras[0]
    pipeline = CameraPipeline(camera, cfg, load_detector(cfg.detector), RulesEngine(cfg.rules))
    source = FileSource(camera.name, resources.demo_clip(), SystemClock(), realtime=False, loop=True)
    source.open()
    process = psutil.Process()
    samples: list[tuple[int, float]] = []
    started = time.perf_counter()
    for index in range(1, frames + 1):
        t = source.next_timestamp
        if t is not None and not pipeline.throttle.due(t):
            source.skip()
        else:
            frame = source.read()
            if frame is not None:
                pipeline.process(frame)
        if index % EVERY == 0:
            samples.append((index, process.memory_info().rss / 2**20))
    source.close()
    settled = [rss for index, rss in samples if index > frames // 4]
    print(
        json.dumps(
            {
                "frames": frames,
                "frames_detected": pipeline.frames_detected,
                "seconds": round(time.perf_counter() - started, 1),
                "rss_mb_first_sample": round(samples[0][1], 1),
                "rss_mb_max": round(max(rss for _, rss in samples), 1),
                "rss_mb_growth_after_first_quarter": round(settled[-1] - settled[0], 1),
                "rss_mb_every_1000_frames": [round(rss, 1) for _, rss in samples],
                "machine": this_machine().to_json(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
