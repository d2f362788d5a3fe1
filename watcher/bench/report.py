"""The figures of one bench run, as a table for people and as JSON for machines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .machine import Machine
from .stats import Summary

STAGES = (
    "decode",
    "motion",
    "preprocess",
    "inference",
    "nms",
    "tracking",
    "zones",
    "analyze",
    "masks",
    "rules",
    "sinks",
)
"""Table order; `tracking` is the scene update (zones included); `decode` runs on its own threads;
`masks` is the part of `analyze` the `area` rules spend on their masks (0 on frames between their
`check_every_s`)."""


@dataclass(frozen=True)
class BenchResult:
    """What one `watcher bench` run measured."""

    mode: str
    video: str
    frame_size: tuple[int, int]
    cameras: int
    model: str
    seconds: float
    frames_in: int
    frames_processed: int
    frames_detected: int
    dropped_frames: int
    detections: int
    events: int
    pipeline_fps: float
    raw_detector_fps: float
    cpu_percent: float
    rss_mb: float
    peak_rss_mb: float
    latency: Summary
    stages: dict[str, Summary]
    mqtt_latency: Summary | None = None
    """Capture → event received by a subscriber on the broker (with `--mqtt`)."""
    machine: Machine | None = None
    """The CPU (with the flags that choose int8 kernels) and library versions it ran on."""

    @property
    def ratio(self) -> float:
        """Pipeline throughput over raw detector throughput (measured interleaved in fast mode)."""
        return self.pipeline_fps / self.raw_detector_fps if self.raw_detector_fps > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The `--json` document (keys required by issue 7 plus context)."""
        return {
            "mode": self.mode,
            "video": self.video,
            "frame_size": list(self.frame_size),
            "cameras": self.cameras,
            "model": self.model,
            "seconds": round(self.seconds, 3),
            "frames_in": self.frames_in,
            "frames_processed": self.frames_processed,
            "frames_detected": self.frames_detected,
            "dropped_frames": self.dropped_frames,
            "detections_per_s": round(self.detections / self.seconds, 3) if self.seconds > 0 else 0.0,
            "events": self.events,
            "pipeline_fps": round(self.pipeline_fps, 3),
            "raw_detector_fps": round(self.raw_detector_fps, 3),
            "ratio": round(self.ratio, 4),
            "cpu_percent": round(self.cpu_percent, 1),
            "rss_mb": round(self.rss_mb, 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "latency_ms": self.latency.to_json(),
            "stages_ms": {name: s.to_json() for name, s in self.stages.items()},
            **({"mqtt_latency_ms": self.mqtt_latency.to_json()} if self.mqtt_latency else {}),
            **({"machine": self.machine.to_json()} if self.machine else {}),
        }

    def write_json(self, path: Path) -> None:
        """Write `to_json()` to `path` (creating its folder)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    def table(self) -> str:
        """The human-readable report printed by `watcher bench`."""
        width, height = self.frame_size
        lines = [
            f"{self.mode}: {self.cameras} camera(s) x {self.video} ({width}x{height}), model {self.model}, "
            f"{self.seconds:.1f} s",
            f"{'stage':<11}{'mean ms':>9}{'p50 ms':>9}{'p95 ms':>9}{'count':>8}",
        ]
        for name in STAGES:
            s = self.stages.get(name)
            if s is not None and s.count:
                lines.append(f"{name:<11}{s.mean:>9.2f}{s.p50:>9.2f}{s.p95:>9.2f}{s.count:>8}")
        per_s = self.detections / self.seconds if self.seconds > 0 else 0.0
        lines += [
            f"frames: {self.frames_in} in, {self.frames_processed} processed, "
            f"{self.frames_detected} detected, {self.dropped_frames} dropped at capture",
            f"throughput: pipeline {self.pipeline_fps:.1f} fps, raw detector "
            f"{self.raw_detector_fps:.1f} fps, ratio {self.ratio:.2f}; {per_s:.1f} detections/s, "
            f"{self.events} events",
            f"cpu {self.cpu_percent:.0f} % (100 = one core), rss {self.rss_mb:.0f} MB "
            f"(peak {self.peak_rss_mb:.0f})",
            f"capture -> sink latency: p50 {self.latency.p50:.1f} ms, p95 {self.latency.p95:.1f} ms "
            f"({self.latency.count} frames)",
        ]
        if self.mqtt_latency is not None:
            m = self.mqtt_latency
            lines.append(
                f"capture -> MQTT subscriber: p50 {m.p50:.1f} ms, p95 {m.p95:.1f} ms ({m.count} events)"
            )
        if self.machine is not None:
            lines.append(self.machine.line())
        return "\n".join(lines)
