"""Wires one camera: frame → motion gate → detector → scene → rules."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import supervision as sv

from watcher.analyzers import Analyzer, build_analyzers
from watcher.config import CameraConfig, Config
from watcher.detect import Detector, MotionGate, OnnxDetector
from watcher.rules import RulesEngine
from watcher.scene import Scene
from watcher.types import Event, Frame, Image, Observation


class Throttle:
    """Lets frames through at `fps`, by capture timestamp, so replay and live agree."""

    def __init__(self, fps: float) -> None:
        self._period = 1.0 / fps
        self._next: float | None = None

    def wants(self, t: float) -> bool:
        """Whether `due(t)` would take a frame at capture time `t`, without taking it."""
        return self._next is None or t + 1e-6 >= self._next

    def due(self, t: float) -> bool:
        """True when a frame at capture time `t` should be processed."""
        # A small epsilon keeps index/fps timestamps from missing their slot by rounding.
        if not self.wants(t):
            return False
        if self._next is None or t - self._next >= self._period:
            self._next = t + self._period  # first frame, or fell behind: restart the grid here
        else:
            self._next += self._period
        return True


@dataclass
class StageTimes:
    """Milliseconds spent per stage, appended per processed frame (read by bench and status)."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    keep: int = 2000

    @contextmanager
    def measure(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            bucket = self.samples.setdefault(stage, [])
            bucket.append((time.perf_counter() - start) * 1000.0)
            if len(bucket) > self.keep:
                del bucket[: len(bucket) - self.keep]


class CameraPipeline:
    """The per-camera stages after capture; call `process` for each due frame."""

    def __init__(
        self,
        camera: CameraConfig,
        config: Config,
        detector: Detector,
        engine: RulesEngine,
        base_dir: Path | None = None,
        *,
        keep_masks: bool = False,
    ) -> None:
        """`keep_masks`: observations carry the masks the area rules measured (to draw them)."""
        self.camera = camera
        self.detector = detector
        self.engine = engine
        # With detect_when = "always" nothing reads the gate, so it costs nothing (motion shows 0).
        gated = camera.motion.enabled and camera.motion.detect_when != "always"
        self.gate = MotionGate(camera.motion) if gated else None
        self.scene = Scene(
            camera.name,
            [z for z in config.zones if z.camera == camera.name],
            config.tracker,
            camera.detect_fps,
        )
        self.analyzers: list[Analyzer] = build_analyzers(camera, config, base_dir, keep_masks=keep_masks)
        self.throttle = Throttle(camera.detect_fps)
        self.times = StageTimes()
        self.paused = False
        self.frames_processed = 0
        self.frames_detected = 0
        # While nothing moves and every track is stationary, the last detections stand in between
        # detections at `stationary_detect_fps`: a parked car does not need 5 model runs a second.
        self._still_throttle = (
            Throttle(camera.stationary_detect_fps) if camera.stationary_detect_fps else None
        )
        self._all_still = False
        self._last_detections: sv.Detections | None = None
        # Capture time of the next detection the gate cannot skip; None = the next frame (start, reconnect).
        self._next_refresh: float | None = None

    def restart(self) -> None:
        """The camera reconnected: the scene may have changed unseen, so forget the gate and detect next."""
        if self.gate is not None:
            self.gate.reset()
        self._next_refresh = None

    def process(self, frame: Frame) -> tuple[Observation, list[Event]]:
        """Run one frame through gate, detector, scene and rules."""
        motion = 0.0
        gate_open = moved = True
        refresh = self._refresh_due(frame.timestamp)
        if self.gate is not None:
            with self.times.measure("motion"):
                result = self.gate.update(frame.image)
            motion = result.fraction
            moved = self.camera.motion.detect_when == "always" or self.gate.is_open(result)
            gate_open = moved or refresh or self.scene.has_live_tracks
        detections = None
        if gate_open and not self.paused:
            if not moved and not refresh and self._reuse_detections(frame.timestamp):
                detections = self._last_detections
            else:
                with self.times.measure("detect"):
                    detections = self._detect(frame.image)
                self._last_detections = detections
                self.frames_detected += 1
                self._next_refresh = frame.timestamp + self.camera.motion.refresh_s
        with self.times.measure("scene"):
            obs = self.scene.update(frame.index, frame.timestamp, frame.size, detections, motion)
        self._all_still = bool(obs.tracks) and all(track.stationary for track in obs.tracks)
        if self.analyzers:
            with self.times.measure("analyze"):
                for analyzer in self.analyzers:
                    # An analyzer may name its own stage (`masks`): timed inside `analyze` as well.
                    stage = getattr(analyzer, "stage", None)
                    if stage is None:
                        obs = analyzer.analyze(frame, obs)
                        continue
                    with self.times.measure(stage):
                        obs = analyzer.analyze(frame, obs)
        with self.times.measure("rules"):
            events = self.engine.process(obs)
        self.frames_processed += 1
        return obs, events

    def _refresh_due(self, t: float) -> bool:
        """True when frame time `t` must be detected whatever the gate says (still things are seen)."""
        if self._next_refresh is None:
            return True
        return self.camera.motion.refresh_s > 0 and t + 1e-6 >= self._next_refresh

    def _reuse_detections(self, t: float) -> bool:
        """True when the last detections can stand for frame time `t` (all still, not yet due)."""
        if self._still_throttle is None or not self._all_still or self._last_detections is None:
            return False
        return not self._still_throttle.due(t)

    def _detect(self, image: Image) -> sv.Detections:
        """Detections for `image`; an ONNX detector's steps are timed as preprocess, inference and nms."""
        detector = self.detector
        if not isinstance(detector, OnnxDetector):
            return detector.detect(image)
        with self.times.measure("preprocess"):
            tensor, meta = detector.preprocess(image)
        with self.times.measure("inference"):
            outputs = detector.infer(tensor)
        with self.times.measure("nms"):
            return detector.postprocess(outputs, meta)


def build_pipelines(
    config: Config,
    detectors: Detector | Mapping[str, Detector],
    engine: RulesEngine,
    base_dir: Path | None = None,
    only: Callable[[CameraConfig], bool] = lambda c: c.enabled,
) -> dict[str, CameraPipeline]:
    """One pipeline per selected camera, sharing the rules engine; one detector for all, or one per camera."""

    def detector(camera: CameraConfig) -> Detector:
        return detectors[camera.name] if isinstance(detectors, Mapping) else detectors

    return {
        c.name: CameraPipeline(c, config, detector(c), engine, base_dir) for c in config.cameras if only(c)
    }
