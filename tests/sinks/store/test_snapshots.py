"""Snapshots: private JPEG files with the boxes drawn, their path reaching the store, failures tolerated."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from watcher.clock import FakeClock
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.sinks.snapshots import SnapshotSink, SnapshotWriter, with_snapshots
from watcher.testing import FakeSink
from watcher.types import Event, EventType, Image

FRAME: Image = np.full((120, 160, 3), 90, np.uint8)


def _sink(folder: Path, snapshot: bool = True) -> SnapshotSink:
    writer = SnapshotWriter(folder, clock=FakeClock())
    return SnapshotSink(writer, {"presence_on_path": snapshot}, {("demo", "path"): [(0, 0), (1, 0), (1, 1)]})


def test_snapshot_is_an_owner_only_jpeg_in_an_owner_only_folder(
    tmp_path: Path, event: Callable[..., Event]
) -> None:
    path = SnapshotWriter(tmp_path / "snaps", clock=FakeClock()).write(event(0), FRAME)
    assert path == tmp_path / "snaps" / "demo" / "20260101-000000-presence_on_path-ev-0.jpg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in (path.parent, path.parent.parent)} == {0o700}


def test_snapshot_has_the_event_boxes_drawn(tmp_path: Path, event: Callable[..., Event]) -> None:
    path = SnapshotWriter(tmp_path, clock=FakeClock()).write(event(0), FRAME)
    assert path is not None
    image = cv2.imread(str(path))
    changed = np.abs(image.astype(int) - FRAME.astype(int)).sum(axis=2) > 60
    assert changed[10:55, 1].mean() > 0.8  # left edge of the box (1, 2, 30.5, 60.25)
    assert changed[100:, 100:].mean() == 0.0


def test_store_gets_the_snapshot_path_of_the_event(tmp_path: Path, event: Callable[..., Event]) -> None:
    store = EventStore(tmp_path / "watcher.db")
    runner = SinkRunner(with_snapshots([StoreSink(store)], _sink(tmp_path / "snaps")))
    runner.submit_event(event(0), FRAME)
    runner.submit_event(event(1, EventType.END), FRAME)
    assert runner.close(10)
    reopened = EventStore(tmp_path / "watcher.db")
    start, end = reopened.events()
    reopened.close()
    assert start.snapshot is not None
    assert Path(start.snapshot).is_file()
    assert end.snapshot == start.snapshot  # an end points at the snapshot of its start


def test_rule_with_snapshot_off_gets_none(tmp_path: Path, event: Callable[..., Event]) -> None:
    downstream = FakeSink()
    runner = SinkRunner(with_snapshots([downstream], _sink(tmp_path / "snaps", snapshot=False)))
    runner.submit_event(event(0), FRAME)
    assert runner.close(10)
    assert [e.snapshot for e in downstream.events] == [None]
    assert not (tmp_path / "snaps").exists()


def test_read_only_folder_warns_once_and_events_are_still_stored(
    tmp_path: Path, event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "snaps"
    folder.mkdir(mode=0o500)
    store = EventStore(tmp_path / "watcher.db")
    runner = SinkRunner(with_snapshots([StoreSink(store)], _sink(folder)))
    for n in range(3):
        runner.submit_event(event(n), FRAME)
    assert runner.close(10)
    reopened = EventStore(tmp_path / "watcher.db")
    assert [(e.id, e.snapshot) for e in reopened.events()] == [("ev-0", None), ("ev-1", None), ("ev-2", None)]
    reopened.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("snapshot not saved, events go on without it: ")
    assert warnings[0].endswith(": Permission denied")


def test_full_disk_leaves_no_partial_file_and_the_event_goes_on(
    tmp_path: Path, event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full to simulate a full disk")
    folder = tmp_path / "snaps"
    # The writer's file name is fixed by the fake clock, so the write lands on /dev/full: ENOSPC.
    target = folder / "demo" / "20260101-000000-presence_on_path-ev-0.jpg"
    target.parent.mkdir(parents=True)
    target.symlink_to("/dev/full")
    downstream = FakeSink()
    runner = SinkRunner(with_snapshots([downstream], _sink(folder)))
    runner.submit_event(event(0), FRAME)
    assert runner.close(10)
    assert [e.snapshot for e in downstream.events] == [None]
    assert not target.is_symlink()
    assert [r.getMessage().endswith(": No space left on device") for r in caplog.records] == [True]


def test_unusable_folder_is_a_warning_and_the_next_good_write_is_logged(
    tmp_path: Path, event: Callable[..., Event], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="watcher.snapshots")
    blocker = tmp_path / "snaps"
    blocker.write_text("a file where the folder should be")
    writer = SnapshotWriter(blocker, clock=FakeClock())
    assert writer.write(event(0), FRAME) is None
    blocker.unlink()
    assert writer.write(event(1), FRAME) is not None
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert caplog.records[1].getMessage() == f"snapshots are written again to {blocker}"
