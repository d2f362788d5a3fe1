"""A read-only or full snapshot folder: snapshots skipped with one warning, events flow and are stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.support import WORKER_CAMERA, fill_disk, tmpfs
from watcher import config
from watcher.daemon import Daemon
from watcher.sinks import EventStore
from watcher.testing import FakeSink
from watcher.types import EventType

SNAPSHOT_WARNING = "snapshot not saved, events go on without it"


@pytest.fixture(params=["read_only", "disk_full"])
def bad_snapshot_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    options = "size=64k,ro" if request.param == "read_only" else "size=64k"
    with tmpfs(tmp_path / "snapshots", options) as folder:
        if request.param == "disk_full":
            fill_disk(folder)
        yield folder


def test_events_flow_and_are_stored_without_a_snapshot_when_the_folder_cannot_be_written(
    tmp_path: Path, bad_snapshot_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = WORKER_CAMERA + f'[store]\nsnapshots_dir = "{bad_snapshot_dir}"\n'
    sink = FakeSink()
    daemon = Daemon(config.loads(text, "config.toml", env={}), tmp_path, extra_sinks=[sink])
    runner = threading.Thread(target=daemon.run)
    with caplog.at_level("WARNING", logger="watcher"):
        runner.start()
        try:
            assert sink.wait_for_events(1, timeout=60)
        finally:
            daemon.stop()
            runner.join(timeout=15)
    stored = EventStore(tmp_path / "watcher.db").events()
    assert [(e.type, e.rule, e.snapshot) for e in stored] == [(EventType.START, "worker_left_of_tape", None)]
    assert len([m for m in caplog.messages if SNAPSHOT_WARNING in m]) == 1
