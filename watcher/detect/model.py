"""ONNX Runtime sessions on CPU, and the output layout a model's outputs reveal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import onnxruntime as ort

from watcher.errors import ModelError

Layout = Literal["yolo", "yolo_seg", "ssd"]

_ORT_PREFIX = re.compile(r"^\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*")
_SSD_OUTPUTS = ("boxes", "classes", "scores", "num_detections")
MASK_COEFFICIENTS = 32
"""YOLOv8/YOLO11-seg: 32 mask coefficients per anchor, 32 prototype planes."""


def _one_line(error: Exception) -> str:
    text = _ORT_PREFIX.sub(
        "", str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    )
    # ORT repeats the path ("Load model from X failed:reason"); the ModelError already names the file.
    return text.split("failed:", 1)[-1].strip()[:160]


def open_session(path: Path, threads: int) -> ort.InferenceSession:
    """A CPU session with `threads` intra-op threads; ModelError if the file is missing or unreadable."""
    if not path.exists():
        raise ModelError(str(path), "file not found")
    if not path.is_file():
        raise ModelError(str(path), "not a file")
    if path.stat().st_size == 0:
        raise ModelError(str(path), "file is empty")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle intra-op threads spin by default: on a shared CPU (capture threads, other cameras, a Pi)
    # that burnt a core and made 2 threads 2.2x slower than with spinning off (docs/performance.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as error:  # ORT raises its own pybind classes for every kind of bad file
        raise ModelError(str(path), f"not a valid ONNX model ({_one_line(error)})") from None


def _is_yolo_seg(outputs: list[ort.NodeArg]) -> bool:
    """[1, 4+C+32, N] detections and [1, 32, H/4, W/4] prototypes (Ultralytics `-seg` export)."""
    if len(outputs) != 2 or len(outputs[0].shape) != 3 or len(outputs[1].shape) != 4:
        return False
    rows = outputs[0].shape[1]
    fits_rows = not isinstance(rows, int) or rows > 4 + MASK_COEFFICIENTS
    return fits_rows and outputs[1].shape[1] == MASK_COEFFICIENTS


def detect_layout(session: ort.InferenceSession, path: Path) -> Layout:
    """`ssd` for boxes/classes/scores/num_detections outputs, `yolo` for one [batch, 4+C, anchors] output,
    `yolo_seg` for that plus [batch, 32, h, w] mask prototypes."""
    outputs = session.get_outputs()
    names = tuple(o.name for o in outputs)
    if names == _SSD_OUTPUTS:
        return "ssd"
    first = outputs[0].shape
    if len(outputs) == 1 and len(first) == 3 and (not isinstance(first[1], int) or first[1] > 4):
        return "yolo"
    if _is_yolo_seg(outputs):
        return "yolo_seg"
    shapes = ", ".join(f"{o.name}{o.shape}" for o in outputs)
    raise ModelError(
        str(path),
        f"unsupported output layout {shapes}; expected YOLO [1, 4+C, N], YOLO-seg [1, 4+C+32, N] with "
        f"[1, 32, h, w] prototypes, or SSD {list(_SSD_OUTPUTS)}",
    )


def check_layout(session: ort.InferenceSession, path: Path, layout: Layout) -> None:
    """ModelError unless the session's outputs fit `layout`."""
    found = detect_layout(session, path)
    if found != layout:
        raise ModelError(str(path), f"outputs look like the {found} layout, not {layout}")


def metadata(session: ort.InferenceSession) -> dict[str, str]:
    """The model's custom metadata (e.g. Ultralytics `names`)."""
    return dict(session.get_modelmeta().custom_metadata_map)
