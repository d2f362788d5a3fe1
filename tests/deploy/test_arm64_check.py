"""deploy/arm64_check.py: the agreement measures that decide whether arm64 gives the same answers.

The emulated run itself (deploy/arm64-check.sh) needs root, qemu and the network and takes minutes;
its figures are in docs/performance.md. Here: the measures on hand-made results, and `run` on x86.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "arm64-check.sh"


def _check() -> ModuleType:
    return load_script(ROOT / "deploy" / "arm64_check.py", "arm64_check")


def _event(kind: str, start: float, end: float | None = None, value: int = 1) -> dict[str, Any]:
    return {
        "type": kind,
        "rule": "worker_left_of_tape",
        "camera": "floor",
        "zone": "left_of_tape",
        "value": value,
        "start_time": start,
        "end_time": end,
    }


@pytest.mark.parametrize(
    ("other", "same"),
    [
        ([_event("start", 2.537)], True),
        ([_event("start", 2.537 + 0.13)], True),  # within two frames at 15 fps
        ([_event("start", 2.537 + 0.14)], False),
        ([_event("start", 2.537, value=2)], False),
        ([_event("start", 2.537, end=3.0)], False),
        ([], False),
        ([_event("start", 2.537), _event("end", 2.537, 4.0)], False),
    ],
)
def test_events_agree_when_the_same_in_order_with_times_within_two_frames(
    other: list[dict[str, Any]], same: bool
) -> None:
    assert _check().same_events([_event("start", 2.537)], other) is same


def test_model_results_are_keyed_by_name_or_file_stem() -> None:
    check = _check()
    assert [check.key(m) for m in ("yolov8n", "/x/y/yolov8n_int8.onnx")] == ["yolov8n", "yolov8n_int8"]


def test_ap50_counts_a_missed_car_and_ignores_low_scores_of_the_reference() -> None:
    reference = {
        "f#0": [
            [0, 0, 100, 100, 0.9, "person"],
            [200, 0, 300, 100, 0.8, "car"],
            [400, 0, 500, 50, 0.2, "car"],
        ],
        "f#1": [[0, 0, 100, 100, 0.9, "car"]],
    }
    candidate = {
        "f#0": [[2, 2, 100, 100, 0.7, "person"], [205, 0, 300, 100, 0.6, "car"]],
        "f#1": [[0, 0, 30, 30, 0.6, "car"]],  # IoU 0.09: a miss
    }
    assert _check().ap50(candidate, reference) == {
        "person": 1.0,
        "car": 0.505,  # one of two cars at precision 1: COCO's 101-point AP gives 51/101
        "person_boxes": 1,
        "car_boxes": 2,
    }


def test_run_writes_detections_and_replay_events_of_each_model(tmp_path: Path) -> None:
    check = _check()
    out = tmp_path / "x86.json"
    check.run(out, ["yolov8n"])
    result = json.loads(out.read_text())
    assert result["frames"] == len(check.frames())
    entry = result["models"]["yolov8n"]
    assert len(entry["detections"]) == result["frames"]
    assert [(e["type"], e["rule"], e["zone"]) for e in entry["events"]] == [
        ("start", "worker_left_of_tape", "left_of_tape")
    ]
    assert check.compare(out, out) == 0


def test_a_thinned_run_without_replay_is_compared_on_its_own_frames(tmp_path: Path) -> None:
    check = _check()
    full, thin = tmp_path / "x86.json", tmp_path / "thin.json"
    check.run(full, ["yolov8n"], replay=False)
    check.run(thin, ["yolov8n"], step=10, replay=False)
    assert check.compare(full, thin) == 0
    report = json.loads(full.read_text())
    assert report["models"]["yolov8n"]["events"] is None


def test_shellcheck_finds_nothing_in_the_arm64_script() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "")


def test_the_arm64_root_is_refused_inside_the_repository() -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT), "--root", str(ROOT / "arm64root")], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"arm64-check.sh: --root {ROOT / 'arm64root'} is inside the repository; pick a folder outside it\n"
    )


def test_a_qemu_that_is_not_there_is_refused_naming_it(tmp_path: Path) -> None:
    qemu = tmp_path / "qemu-aarch64"
    done = subprocess.run(
        ["bash", str(SCRIPT), "--root", str(tmp_path / "root"), "--qemu", str(qemu)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"arm64-check.sh: qemu-aarch64 emulator {qemu} not found"
        " (--qemu or $WATCHER_QEMU; apt-get install qemu-user-static)\n"
    )
    assert not (tmp_path / "root").exists()


def test_saved_frames_are_the_clips_frames_pixel_for_pixel(tmp_path: Path) -> None:
    check = _check()
    check.save_frames(tmp_path / "frames.npz")
    saved = check.load_frames(tmp_path / "frames.npz")
    decoded = check.frames()
    assert [frame_id for frame_id, _ in saved] == [frame_id for frame_id, _ in decoded]
    assert all((a == b).all() for (_, a), (_, b) in zip(saved, decoded, strict=True))
