"""`run_bench`: the real per-camera pipeline on N looping files, with the raw detector interleaved."""

from __future__ import annotations

import tempfile
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from watcher.config import Config
from watcher.detect import Detector, load_detector
from watcher.errors import SourceError
from watcher.pipeline import CameraPipeline, StageTimes, build_pipelines
from watcher.rules import RulesEngine
from watcher.sinks import SinkRunner
from watcher.sinks.assemble import build_sinks
from watcher.types import Event, Frame, Image, Observation

from .feed import Feed, LiveFeed, PrefetchFeed
from .machine import this_machine
from .mqtt_probe import EventProbe
from .probe import ResourceProbe
from .raw import RawDetectorLoop
from .report import BenchResult
from .setup import bench_config, bench_video
from .source import TimedFileSource
from .stats import Summary
from .zones import TimedZones, time_zones

# The daemon's worker waits this long when no camera had a new frame; the bench does the same.
_IDLE_WAIT_S = 0.01
_WARMUP_RUNS = 3
# Events still in flight when the run ends get this long to reach the subscriber.
_MQTT_WAIT_S = 5.0


@dataclass(frozen=True)
class BenchOptions:
    """How to run: `realtime` paces files at their fps (capture threads drop frames like the daemon)."""

    video: Path | None = None
    cameras: int = 1
    seconds: float = 10.0
    realtime: bool = False
    block_s: float = 0.5
    """Fast mode alternates pipeline and raw-detector blocks of this length, so both see the same load."""
    mqtt: tuple[str, int] | None = None
    """A broker (host, port): events go through the real MQTT sink and a subscriber times them."""
    in_step: bool = False
    """Every camera at the same point of the clip: they all see motion, and detect, at once."""


class LatencySink:
    """Last sink in the runner: capture → delivered-to-sinks time of every processed frame."""

    name = "bench-latency"

    def __init__(self) -> None:
        self._arrivals: dict[tuple[str, int], float] = {}
        self.latency_ms: deque[float] = deque(maxlen=50_000)
        self.events = 0
        self.event_arrivals: dict[str, float] = {}
        """Event id to the arrival time of the frame it fired on."""
        self._last_arrival: float | None = None

    def expect(self, camera: str, index: int, arrived: float | None) -> None:
        """Register when a frame arrived, before its observation is submitted."""
        if arrived is not None:
            self._arrivals[(camera, index)] = arrived

    def handle_event(self, event: Event, image: Image | None) -> None:
        # Events are queued right after their frame's observation, so that frame arrived last.
        self.events += 1
        if self._last_arrival is not None:
            self.event_arrivals[event.id] = self._last_arrival

    def handle_observation(self, obs: Observation) -> None:
        arrived = self._arrivals.pop((obs.camera, obs.frame_index), None)
        self._last_arrival = arrived
        if arrived is not None:
            self.latency_ms.append((time.perf_counter() - arrived) * 1000.0)

    def close(self) -> None:
        return None


def _first_frame(video: Path) -> Image:
    capture = cv2.VideoCapture(str(video), cv2.CAP_FFMPEG)
    try:
        ok, image = capture.read()
    finally:
        capture.release()
    if not ok:
        raise SourceError("bench", f"cannot read a frame from {video}")
    return np.asarray(image, dtype=np.uint8)


class _Run:
    """State of one bench run: the pipelines, their feed, sinks and the counters around them."""

    def __init__(self, config: Config, base_dir: Path, detector: Detector, options: BenchOptions) -> None:
        self.options = options
        self.pipelines: list[CameraPipeline] = list(
            build_pipelines(config, detector, RulesEngine(config.rules), base_dir).values()
        )
        self.zones: list[TimedZones] = [time_zones(p.scene, p.times) for p in self.pipelines]
        video = Path(config.cameras[0].url)
        # Real cameras do not see the same thing at the same moment: camera i starts i/N into the clip.
        count = len(self.pipelines)
        sources = [
            TimedFileSource(
                p.camera.name,
                video,
                realtime=options.realtime,
                start_fraction=0 if options.in_step else i / count,
            )
            for i, p in enumerate(self.pipelines)
        ]
        self.feed: Feed = LiveFeed(sources) if options.realtime else PrefetchFeed(sources)
        self.latency = LatencySink()
        self.sink_times = StageTimes(keep=50_000)
        self.raw = RawDetectorLoop(detector)
        self.probe = ResourceProbe()
        self.pipeline_s = 0.0
        self.cpu_s = 0.0

    def drive(self, sinks: SinkRunner) -> None:
        """Process frames for `seconds` of pipeline time; in fast mode alternate with raw-detector blocks."""
        options = self.options
        self.feed.start()
        try:
            while self.pipeline_s < options.seconds:
                block = options.seconds - self.pipeline_s
                if not options.realtime:
                    block = min(options.block_s, block)
                started, cpu = time.perf_counter(), self.probe.cpu_seconds()
                last = self._work(sinks, started + block)
                self.pipeline_s += time.perf_counter() - started
                self.cpu_s += self.probe.cpu_seconds() - cpu
                self.probe.rss_mb()
                if last is not None:
                    self.raw.add_frame(last.image)
                if not options.realtime:
                    self.raw.run_for(block)
        finally:
            self.feed.stop()
        if options.realtime:
            # Capture threads are stopped, so the model runs on a machine as quiet as the pipeline had.
            self.raw.run_for(min(2.0, max(0.5, options.seconds / 4)))

    def _work(self, sinks: SinkRunner, until: float) -> Frame | None:
        last: Frame | None = None
        while time.perf_counter() < until:
            worked = False
            for i, pipeline in enumerate(self.pipelines):
                frame = self.feed.next(i)
                if frame is None or not pipeline.throttle.due(frame.timestamp):
                    continue
                obs, events = pipeline.process(frame)
                source = self.feed.sources[i]
                self.latency.expect(obs.camera, obs.frame_index, source.arrivals.get(frame.index))
                with self.sink_times.measure("sinks"):
                    sinks.submit_states(pipeline.engine.snapshot())
                    sinks.submit_observation(obs)
                    for event in events:
                        sinks.submit_event(event, frame.image)
                worked, last = True, frame
            if not worked and self.options.realtime:
                time.sleep(_IDLE_WAIT_S)
        return last

    def stages(self) -> dict[str, Summary]:
        samples: dict[str, list[float]] = {"decode": [ms for s in self.feed.sources for ms in s.decode_ms]}
        for pipeline in self.pipelines:
            for name, values in pipeline.times.samples.items():
                if name != "detect":  # the sum of preprocess, inference and nms
                    samples.setdefault("tracking" if name == "scene" else name, []).extend(values)
        samples["sinks"] = self.sink_times.samples.get("sinks", [])
        return {name: Summary.of(values) for name, values in samples.items()}


def run_bench(
    config: Config, base_dir: Path, options: BenchOptions, detector: Detector | None = None
) -> BenchResult:
    """Run the pipeline on `options.cameras` copies of a video and measure it (see docs/performance.md)."""
    video = bench_video(config, base_dir, options.video)
    cfg = bench_config(config, video.resolve(), options.cameras, options.mqtt)
    detector = detector or load_detector(cfg.detector, base_dir)
    first = _first_frame(video)
    for _ in range(_WARMUP_RUNS):  # the first ORT runs allocate and tune; keep them out of the figures
        detector.detect(first)
    run = _Run(cfg, base_dir, detector, options)
    run.raw.add_frame(first)
    probe = EventProbe(cfg.mqtt) if options.mqtt else None
    mqtt_latency = None
    try:
        with tempfile.TemporaryDirectory(prefix="watcher-bench-") as scratch:
            sinks = SinkRunner([*build_sinks(cfg, Path(scratch)), run.latency])
            try:
                run.drive(sinks)
            finally:
                sinks.close(timeout=10.0)
        if probe is not None:
            sent = run.latency.event_arrivals
            probe.wait_for(set(sent), timeout_s=_MQTT_WAIT_S)
            arrived = probe.received
            mqtt_latency = Summary.of([(arrived[i] - t) * 1000.0 for i, t in sent.items() if i in arrived])
    finally:
        if probe is not None:
            probe.close()
    processed = sum(p.frames_processed for p in run.pipelines)
    return BenchResult(
        mode=("realtime" if options.realtime else "fast")
        + (", cameras in step" if options.in_step and options.cameras > 1 else ""),
        video=video.name,
        frame_size=(int(first.shape[1]), int(first.shape[0])),
        cameras=options.cameras,
        model=cfg.detector.model,
        seconds=run.pipeline_s,
        frames_in=sum(s.frames_read for s in run.feed.sources),
        frames_processed=processed,
        frames_detected=sum(p.frames_detected for p in run.pipelines),
        dropped_frames=run.feed.dropped(),
        detections=sum(z.boxes for z in run.zones),
        events=run.latency.events,
        pipeline_fps=processed / run.pipeline_s if run.pipeline_s > 0 else 0.0,
        raw_detector_fps=run.raw.fps,
        cpu_percent=100.0 * run.cpu_s / run.pipeline_s if run.pipeline_s > 0 else 0.0,
        rss_mb=run.probe.rss_mb(),
        peak_rss_mb=run.probe.peak_rss_mb,
        latency=Summary.of(list(run.latency.latency_ms)),
        stages=run.stages(),
        mqtt_latency=mqtt_latency,
        machine=this_machine(),
    )
