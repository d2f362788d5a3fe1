"""`watcher replay`: the live pipeline run as fast as possible on a recording, deterministically."""

from __future__ import annotations

import json
import logging
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import cv2
from tqdm import tqdm

from watcher.annotate import FrameAnnotator
from watcher.capture import FileSource, open_source
from watcher.clock import SystemClock
from watcher.config import Config
from watcher.detect import Detector
from watcher.errors import SourceError
from watcher.pipeline import CameraPipeline
from watcher.readahead import ReadAhead
from watcher.report import CountSample, StateSample, check_path, draw_report, sample, state_sample
from watcher.rules import RulesEngine, deterministic_ids
from watcher.types import Event, Observation

log = logging.getLogger("watcher.replay")


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did: frame counts, the events, and how fast it went."""

    frames_read: int
    frames_processed: int
    events: tuple[Event, ...]
    seconds: float
    video_seconds: float
    frames_skipped: int = 0
    """Frames the file lists but that could not be decoded (corrupt or truncated), stepped over."""
    frames_detected: int = 0
    """Processed frames the detector ran on; the others the motion gate skipped."""

    @property
    def speed(self) -> float:
        """Times real time."""
        return self.video_seconds / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class ReplayOutputs:
    events: Path | None = None
    observations: Path | None = None
    annotate: Path | None = None
    report: Path | None = None
    """Timeline PNG of counts and rule states (watcher/report.py)."""


def _line(out: IO[str] | None, data: dict[str, object]) -> None:
    if out is not None:
        out.write(json.dumps(data, separators=(",", ":")) + "\n")


def replay(
    video: Path,
    config: Config,
    camera: str,
    detector: Detector,
    outputs: ReplayOutputs | None = None,
    *,
    progress: bool = True,
    base_dir: Path | None = None,
) -> ReplayResult:
    """Run `camera`'s pipeline on every frame of `video` as fast as possible."""
    outputs = outputs or ReplayOutputs()
    if outputs.report is not None:
        check_path(outputs.report)  # before the long run, not after it
    cam = config.camera(camera).model_copy(update={"url": str(video), "realtime": False, "loop": False})
    engine = RulesEngine(
        [r for r in config.rules if r.camera == camera], ids=deterministic_ids(f"{camera}:{video.name}")
    )
    pipeline = CameraPipeline(
        cam, config, detector, engine, base_dir, keep_masks=outputs.annotate is not None
    )
    annotator = FrameAnnotator(
        [z for z in config.zones if z.camera == camera],
        {r.name: r.for_s for r in config.rules if r.camera == camera},
    )
    source = open_source(cam, SystemClock())
    source.open()
    total = int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT)) or None
    events: list[Event] = []
    frames_read = 0
    last_t = 0.0
    started = time.perf_counter()
    with ExitStack() as stack:
        ev_out = stack.enter_context(_open_lines(outputs.events)) if outputs.events else None
        obs_out = stack.enter_context(_open_lines(outputs.observations)) if outputs.observations else None
        writer: cv2.VideoWriter | None = None
        bar = stack.enter_context(
            tqdm(total=total, unit="f", desc=video.name, disable=not progress, leave=False)
        )
        stack.callback(source.close)
        obs: Observation | None = None
        samples: list[CountSample] = []
        states: list[StateSample] = []
        # Decoding runs a few frames ahead on its own thread while the model works on this one.
        reader = ReadAhead(source, pipeline.throttle, every_frame=outputs.annotate is not None)
        stack.callback(reader.close)
        for item in reader:
            frames_read += 1
            last_t = item.timestamp
            bar.update(1)
            frame = item.frame
            if frame is None:
                continue
            if item.due:
                obs, new_events = pipeline.process(frame)
                _line(obs_out, obs.to_json())
                if outputs.report is not None:
                    samples.append(sample(obs))
                    states.append(state_sample(obs.time, engine.snapshot()))
                for event in new_events:
                    _line(ev_out, event.to_json())
                events.extend(new_events)
            if outputs.annotate is not None:
                if writer is None:
                    writer = _open_writer(outputs.annotate, source.fps or 10.0, frame.size)
                    stack.callback(writer.release)
                writer.write(annotator.draw(frame.image, obs, engine.snapshot()))
    seconds = time.perf_counter() - started
    video_seconds = last_t + (1.0 / source.fps if source.fps else 0.0)
    if outputs.report is not None:
        rules = [r.name for r in config.rules if r.camera == camera]
        draw_report(
            outputs.report,
            title=f"{video.name} · camera {camera}",
            samples=samples,
            events=events,
            rules=rules,
            duration=video_seconds,
            states=states,
        )
    skipped = source.frames_skipped if isinstance(source, FileSource) else 0
    if skipped:
        log.warning("%s: %d unreadable frame(s) skipped", video.name, skipped)
    return ReplayResult(
        frames_read,
        pipeline.frames_processed,
        tuple(events),
        seconds,
        video_seconds,
        skipped,
        pipeline.frames_detected,
    )


def _open_lines(path: Path) -> IO[str]:
    """A JSON-lines output; its folder is made, as for --annotate and --report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w")


def _open_writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise SourceError("annotate", f"cannot write video {path}")
    return writer
