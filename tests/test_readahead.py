from pathlib import Path

import numpy as np
import pytest

from tests.conftest import DATA
from watcher.capture import FakeSource, FileSource
from watcher.clock import FakeClock
from watcher.pipeline import Throttle
from watcher.readahead import ReadAhead
from watcher.types import Frame

CLIP = DATA / "worker-zone-detection.mp4"
IMAGE = np.zeros((4, 4, 3), dtype=np.uint8)


def _file(path: Path = CLIP) -> FileSource:
    source = FileSource("cam", path, FakeClock(), realtime=False)
    source.open()
    return source


def _serial(source: FileSource, throttle: Throttle) -> list[tuple[int, bool]]:
    """What the replay loop did before it had a thread: (index, due) of every frame it decoded."""
    seen: list[tuple[int, bool]] = []
    while True:
        upcoming = source.next_timestamp
        if upcoming is not None and not throttle.wants(upcoming):
            if not source.skip():
                return seen
            continue
        frame = source.read()
        if frame is None:
            return seen
        seen.append((frame.index, throttle.due(frame.timestamp)))


def test_the_thread_decodes_and_grabs_exactly_the_frames_a_serial_loop_would() -> None:
    serial = _serial(_file(), Throttle(5.0))
    reader = ReadAhead(_file(), Throttle(5.0), every_frame=False)
    items = list(reader)
    reader.close()
    assert [(i.frame.index, i.due) for i in items if i.frame is not None] == serial
    assert all(i.due for i in items if i.frame is not None)
    assert len(items) == 71  # every frame of the clip is one item, grabbed-only ones too


def test_every_frame_mode_decodes_all_frames_and_marks_the_ones_the_throttle_takes() -> None:
    source = FakeSource.counting(10, fps=10.0)
    source.open()
    reader = ReadAhead(source, Throttle(5.0), every_frame=True)
    source_items = list(reader)
    reader.close()
    assert [(i.frame.index if i.frame else None, i.due) for i in source_items] == [
        (n, n % 2 == 0) for n in range(10)
    ]


def test_closing_early_stops_the_decoding_thread() -> None:
    endless = FakeSource(Frame("cam", i, i / 10, IMAGE) for i in range(10**9))
    endless.open()
    reader = ReadAhead(endless, Throttle(100.0), every_frame=True, depth=2)
    first = next(iter(reader))
    reader.close()
    assert first.frame is not None
    assert first.frame.index == 0
    assert not reader._thread.is_alive()


def test_an_unexpected_reader_error_is_raised_in_the_consuming_thread() -> None:
    source = FakeSource([Frame("cam", 0, 0.0, IMAGE), RuntimeError("boom")])
    source.open()
    reader = ReadAhead(source, Throttle(10.0), every_frame=True)
    with pytest.raises(RuntimeError, match="boom"):
        list(reader)
    reader.close()
