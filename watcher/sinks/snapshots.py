"""Event snapshots: a JPEG with the event's boxes drawn, saved owner-only, with retention.

How the path reaches the other sinks: `Event` is frozen and every sink gets the same event
from the `SinkRunner`, which delivers one item to its sinks in list order on one thread. So
`SnapshotSink` goes before the sinks that need the path, records `event id -> file`, and
those sinks are wrapped in `WithSnapshot`, which hands them `replace(event, snapshot=...)`.
No sink knows about snapshots, the JPEG is encoded off the frame loop, and a failed write
just leaves `snapshot` empty.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
import supervision as sv

from watcher.clock import Clock, SystemClock
from watcher.config import Config
from watcher.sinks.base import IdleSink, Sink, StateSink, ThreadedSink
from watcher.sinks.store.retention import prune_snapshots
from watcher.types import Event, EventType, Image, Observation, RulesSnapshot

_log = logging.getLogger("watcher.snapshots")
_KEEP_PATHS = 1024
_PRUNE_EVERY_S = 3600.0
_ZONE_COLOR = sv.Color.from_hex("#ffcc00")

Polygon = Sequence[tuple[float, float]]


@dataclass(frozen=True, slots=True)
class SavedSnapshot:
    """A snapshot asked for by hand, as saved: its file and its JPEG (MQTT publishes it unread)."""

    path: Path
    jpeg: bytes


SnapshotListener = Callable[[str, SavedSnapshot | None], None]
"""Told (camera, the snapshot, or None when it could not be saved) of a snapshot asked for by hand."""


def draw_event(image: Image, event: Event, zone: Polygon | None = None) -> Image:
    """A copy of `image` with the event's zone (relative points) and object boxes drawn."""
    out = image.copy()
    height, width = out.shape[:2]
    if zone:
        polygon = (np.array(zone) * [width, height]).astype(np.int64)
        out = sv.draw_polygon(out, polygon, _ZONE_COLOR, thickness=2)
    if event.objects:
        detections = sv.Detections(
            xyxy=np.array([o.box for o in event.objects], dtype=np.float32),
            class_id=np.arange(len(event.objects)),
        )
        labels = [f"#{o.track_id} {o.label} {o.score:.2f}" for o in event.objects]
        out = sv.BoxAnnotator(thickness=2).annotate(out, detections)
        out = sv.LabelAnnotator(text_scale=0.4, text_padding=3).annotate(out, detections, labels=labels)
    return out


class SnapshotWriter:
    """Writes snapshots under `folder/<camera>/`; disk full or read-only folder: warn, return None."""

    def __init__(
        self,
        folder: Path,
        *,
        quality: int = 85,
        max_age_s: float = 30 * 86400.0,
        max_bytes: int = 500 * 1024 * 1024,
        clock: Clock | None = None,
    ) -> None:
        self.folder = folder
        self._quality = quality
        self._max_age_s = max_age_s
        self._max_bytes = max_bytes
        self._clock = clock or SystemClock()
        self._next_prune = float("-inf")
        self._written = 0
        self._failing = False

    def write(self, event: Event, image: Image, zone: Polygon | None = None) -> Path | None:
        """Save the annotated frame of `event`; its path, or None when it could not be written."""
        ok, jpeg = cv2.imencode(
            ".jpg", draw_event(image, event, zone), [cv2.IMWRITE_JPEG_QUALITY, self._quality]
        )
        if not ok:
            _log.warning("snapshot of %s %s: JPEG encoding failed", event.camera, event.rule)
            return None
        stamp = self._clock.wall().strftime("%Y%m%d-%H%M%S")
        path = self.folder / event.camera / f"{stamp}-{event.rule}-{event.id[:8]}.jpg"
        try:
            _write_private(path, self.folder, jpeg.tobytes())
        except OSError as exc:
            self._warn(path, exc)
            return None
        if self._failing:
            _log.info("snapshots are written again to %s", self.folder)
            self._failing = False
        self._written += len(jpeg)
        self.prune_if_due()
        return path

    def prune_if_due(self) -> None:
        """Apply retention hourly, and at once when this run's writes may exceed the size limit."""
        now = self._clock.monotonic()
        if now < self._next_prune and self._written < self._max_bytes // 10:
            return
        self._next_prune = now + _PRUNE_EVERY_S
        self._written = 0
        cutoff = self._clock.wall().timestamp() - self._max_age_s
        pruned = prune_snapshots(self.folder, older_than=cutoff, max_bytes=self._max_bytes)
        if pruned.deleted:
            _log.info(
                "snapshot retention: deleted %d file(s) (%.1f MB), %.1f MB kept",
                pruned.deleted,
                pruned.freed / 1e6,
                pruned.kept / 1e6,
            )

    def _warn(self, path: Path, exc: OSError) -> None:
        # One warning per failing spell, so a full disk does not flood the log.
        if not self._failing:
            _log.warning("snapshot not saved, events go on without it: %s: %s", path, exc.strerror or exc)
        self._failing = True


def _write_private(path: Path, root: Path, data: bytes) -> None:
    """Write `data` owner-only under `root` (folders 0700, file 0600); a cut-off file is removed."""
    try:
        _private_dir(path.parent, root)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:  # a truncated JPEG is worse than none
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise


def _private_dir(folder: Path, root: Path) -> None:
    for part in (root, folder):
        if not part.is_dir():
            part.mkdir(mode=0o700, parents=True, exist_ok=True)
            part.chmod(0o700)


def save_frame(
    folder: Path, camera: str, image: Image, stamp: str, quality: int = 85
) -> SavedSnapshot | None:
    """Save a frame asked for by hand (the dashboard's `s`) as `folder/<camera>/<stamp>-manual.jpg`."""
    path = folder / camera / f"{stamp}-manual.jpg"
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    try:
        if not ok:
            raise OSError(errno.EINVAL, "JPEG encoding failed")
        jpeg = encoded.tobytes()
        _write_private(path, folder, jpeg)
    except OSError as exc:
        _log.warning("camera %s: snapshot not saved: %s: %s", camera, path, exc.strerror or exc)
        return None
    _log.info("camera %s: snapshot saved to %s", camera, path)
    return SavedSnapshot(path, jpeg)


class SnapshotSink:
    """Saves a snapshot for start/update events of rules with `snapshot = true`; ends reuse it."""

    name = "snapshots"

    def __init__(
        self,
        writer: SnapshotWriter,
        rules: Mapping[str, bool],
        zones: Mapping[tuple[str, str], Polygon] | None = None,
    ) -> None:
        self.writer = writer
        self._rules = rules
        self._zones = zones or {}
        self._paths: OrderedDict[str, str] = OrderedDict()
        self._last: dict[str, str] = {}

    def handle_event(self, event: Event, image: Image | None) -> None:
        if not self._rules.get(event.rule, False):
            return
        if event.type is EventType.END:
            path = self._last.pop(event.rule, None)
        elif image is None:
            return
        else:
            zone = self._zones.get((event.camera, event.zone)) if event.zone else None
            written = self.writer.write(event, image, zone)
            path = None if written is None else str(written)
            if path is not None:
                self._last[event.rule] = path
        if path is not None:
            self._paths[event.id] = path
            while len(self._paths) > _KEEP_PATHS:
                self._paths.popitem(last=False)

    def handle_observation(self, obs: Observation) -> None:
        return None

    def close(self) -> None:
        return None

    def attach(self, event: Event) -> Event:
        """The event with its snapshot path, if one was saved for it."""
        path = self._paths.get(event.id)
        return event if path is None else replace(event, snapshot=path)


class WithSnapshot:
    """Wraps a sink so it gets events with the snapshot path `SnapshotSink` saved for them."""

    def __init__(self, sink: Sink, snapshots: SnapshotSink) -> None:
        self.name = sink.name
        self.inner = sink
        self._snapshots = snapshots

    def handle_event(self, event: Event, image: Image | None) -> None:
        self.inner.handle_event(self._snapshots.attach(event), image)

    def handle_observation(self, obs: Observation) -> None:
        self.inner.handle_observation(obs)

    def start(self) -> None:
        if isinstance(self.inner, ThreadedSink):
            self.inner.start()

    def handle_states(self, snapshot: RulesSnapshot) -> None:
        if isinstance(self.inner, StateSink):
            self.inner.handle_states(snapshot)

    def handle_idle(self) -> None:
        if isinstance(self.inner, IdleSink):
            self.inner.handle_idle()

    def close(self) -> None:
        self.inner.close()


def with_snapshots(sinks: Sequence[Sink], snapshots: SnapshotSink) -> list[Sink]:
    """`snapshots` first, then every sink wrapped so it sees the snapshot paths."""
    return [snapshots, *(WithSnapshot(sink, snapshots) for sink in sinks)]


def build_snapshot_sink(config: Config, folder: Path, clock: Clock | None = None) -> SnapshotSink | None:
    """The snapshot sink of `[store]`, for rules with `snapshot = true`; None when turned off."""
    store = config.store
    if not (store.enabled and store.snapshots):
        return None
    writer = SnapshotWriter(
        folder,
        quality=store.snapshot_quality,
        max_age_s=store.retention_days * 86400.0,
        max_bytes=int(store.snapshots_max_mb * 1024 * 1024),
        clock=clock,
    )
    zones = {(z.camera, z.name): list(z.points) for z in config.zones}
    return SnapshotSink(writer, {rule.name: rule.snapshot for rule in config.rules}, zones)
