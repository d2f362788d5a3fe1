"""Corrupt frames and truncated files: replay steps over what FFmpeg cannot decode and counts it."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.reliability.support import WORKER_CAMERA, WORKER_CLIP, write_config
from watcher import config
from watcher.capture import FileSource
from watcher.clock import SystemClock
from watcher.replay import replay
from watcher.testing import ScriptedDetector

WORKER_FRAMES = 71


def _mjpeg(path: Path, frames: int, corrupt: set[int]) -> Path:
    """An MJPEG AVI whose frame i is uniform grey 8*i, with the JPEG data of `corrupt` frames zeroed."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (160, 120))
    for i in range(frames):
        writer.write(np.full((120, 160, 3), 8 * i, np.uint8))
    writer.release()
    data = bytearray(path.read_bytes())
    starts = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xD8]
    assert len(starts) == frames
    for k in corrupt:
        data[starts[k] : starts[k] + 200] = bytes(200)
    path.write_bytes(data)
    return path


def _worker_with_garbage(path: Path) -> Path:
    data = bytearray(WORKER_CLIP.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20000] = random.Random(8).randbytes(20000)
    path.write_bytes(data)
    return path


def _truncated_worker(path: Path) -> Path:
    data = WORKER_CLIP.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _read_all(path: Path) -> tuple[list[int], int]:
    source = FileSource("cam", path, SystemClock(), realtime=False)
    source.open()
    indices = []
    while (frame := source.read()) is not None:
        indices.append(frame.index)
    source.close()
    return indices, source.frames_skipped


def test_corrupt_jpeg_frames_are_skipped_and_later_frames_keep_their_index(tmp_path: Path) -> None:
    indices, skipped = _read_all(_mjpeg(tmp_path / "bad.avi", 30, {10, 11, 20}))
    assert skipped == 3
    assert indices == [i for i in range(30) if i not in {10, 11, 20}]


def test_a_corrupt_stretch_in_h264_skips_one_frame_and_reads_the_rest(tmp_path: Path) -> None:
    indices, skipped = _read_all(_worker_with_garbage(tmp_path / "garbage.mp4"))
    assert (len(indices), skipped) == (WORKER_FRAMES - 1, 1)
    assert indices[-1] == WORKER_FRAMES - 1


def test_a_truncated_file_counts_the_missing_frames_as_skipped(tmp_path: Path) -> None:
    indices, skipped = _read_all(_truncated_worker(tmp_path / "half.mp4"))
    assert len(indices) + skipped == WORKER_FRAMES
    assert 0 < len(indices) < WORKER_FRAMES


def test_replay_of_a_corrupt_file_reports_the_skipped_frames(tmp_path: Path) -> None:
    cfg = config.loads(WORKER_CAMERA, "config.toml", env={})
    video = _worker_with_garbage(tmp_path / "garbage.mp4")
    result = replay(video, cfg, "floor", ScriptedDetector([], labels=["person"]), progress=False)
    assert (result.frames_read, result.frames_skipped) == (WORKER_FRAMES - 1, 1)


@pytest.mark.parametrize("damage", [_truncated_worker, _worker_with_garbage])
def test_watcher_replay_of_a_damaged_file_exits_0_and_logs_the_skip(
    tmp_path: Path, damage: Callable[[Path], Path]
) -> None:
    video = damage(tmp_path / "damaged.mp4")
    path = write_config(tmp_path, '\n[logging]\nlevel = "WARNING"\n')
    result = subprocess.run(
        [sys.executable, "-m", "watcher", "replay", str(video), "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "unreadable frame(s) skipped" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
