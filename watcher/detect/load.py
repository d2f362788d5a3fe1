"""`load_detector`: from a `[detector]` config to a ready detector, via a shareable `LoadedModel`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from watcher.config import DetectorConfig
from watcher.detect.base import OnnxDetector
from watcher.detect.labels import class_indices, dense, labels_from_metadata, read_labels
from watcher.detect.manifest import ManifestEntry, ModelInfo, models_dir, read_manifest
from watcher.detect.model import (
    MASK_COEFFICIENTS,
    Layout,
    check_layout,
    detect_layout,
    metadata,
    open_session,
)
from watcher.detect.segment import YoloSegDetector
from watcher.detect.ssd import SsdDetector
from watcher.detect.yolo import YoloDetector
from watcher.errors import ModelError


def _resolve(path: str, base_dir: Path | None) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() or base_dir is None else base_dir / candidate


def _model_file(cfg: DetectorConfig, base_dir: Path | None) -> tuple[Path, ManifestEntry | None]:
    looks_like_path = cfg.model.endswith(".onnx") or "/" in cfg.model or "\\" in cfg.model
    if looks_like_path:
        return _resolve(cfg.model, base_dir), None
    folder = models_dir()
    manifest = read_manifest(folder)
    entry = manifest.get(cfg.model)
    if entry is None:
        known = ", ".join(sorted(manifest))
        raise ModelError(cfg.model, f"unknown model name (known: {known}; or give a path to an .onnx file)")
    return folder / entry.file, entry


def _labels(
    cfg: DetectorConfig,
    base_dir: Path | None,
    path: Path,
    entry: ManifestEntry | None,
    session: ort.InferenceSession,
) -> dict[int, str]:
    if cfg.labels is not None:
        return read_labels(_resolve(cfg.labels, base_dir))
    if entry is not None:
        return read_labels(path.parent / entry.labels)
    names = metadata(session).get("names")
    if names is None:
        raise ModelError(str(path), "no class names: set [detector] labels to a labels file")
    return labels_from_metadata(names, path)


def _check_yolo_labels(
    session: ort.InferenceSession, path: Path, layout: Layout, count: int, ids: int
) -> None:
    rows = session.get_outputs()[0].shape[1]
    extra = 4 + (MASK_COEFFICIENTS if layout == "yolo_seg" else 0)
    if isinstance(rows, int) and rows - extra != count:
        raise ModelError(str(path), f"output has {rows - extra} classes but the labels list {count}")
    if ids != count:
        raise ModelError(str(path), "YOLO labels must number the classes 0..C-1 without gaps")


@dataclass(frozen=True)
class LoadedModel:
    """An open model with its layout and class names; detectors with other thresholds can share it."""

    path: Path
    session: ort.InferenceSession
    layout: Layout
    names: tuple[str, ...]
    lookup: npt.NDArray[np.intp]
    """Model class id to index in `names` (-1 for gaps)."""


def open_model(cfg: DetectorConfig, base_dir: Path | None = None) -> LoadedModel:
    """The session, layout and labels of `cfg.model` (uses `model`, `layout`, `labels` and `threads`)."""
    path, entry = _model_file(cfg, base_dir)
    session = open_session(path, cfg.threads)
    layout: Layout
    if cfg.layout != "auto":
        layout = cfg.layout
        check_layout(session, path, layout)
    elif entry is not None:
        layout = entry.layout
        check_layout(session, path, layout)
    else:
        layout = detect_layout(session, path)
    names, lookup = dense(_labels(cfg, base_dir, path, entry, session))
    if layout != "ssd":
        _check_yolo_labels(session, path, layout, len(names), len(lookup))
    return LoadedModel(path, session, layout, names, lookup)


def make_detector(model: LoadedModel, cfg: DetectorConfig) -> OnnxDetector[Any]:
    """A detector on `model`'s session with `cfg`'s class filter, thresholds and input size."""
    class_ids = class_indices(cfg.classes, model.names, str(model.path))
    if model.layout == "ssd":
        return SsdDetector(
            model.session, model.names, model.lookup, score_threshold=cfg.score_threshold, class_ids=class_ids
        )
    detector = YoloSegDetector if model.layout == "yolo_seg" else YoloDetector
    return detector(
        model.session,
        model.names,
        input_size=cfg.input_size,
        score_threshold=cfg.score_threshold,
        nms_iou=cfg.nms_iou,
        class_ids=class_ids,
    )


def config_model_info(cfg: DetectorConfig, base_dir: Path | None = None) -> ModelInfo | None:
    """What `models list` shows for a config's own .onnx file (None for a manifest name)."""
    path, entry = _model_file(cfg, base_dir)
    if entry is not None:
        return None
    present = path.is_file()
    try:
        model = open_model(cfg, base_dir)
    except ModelError:
        names: tuple[str, ...] = ()
        layout: Layout = "yolo" if cfg.layout == "auto" else cfg.layout
        valid = False
    else:
        names, layout, valid = model.names, model.layout, True
    return ModelInfo(
        name=f"({path.stem})",
        file=path,
        layout=layout,
        input_size=cfg.input_size,
        class_count=len(names),
        first_classes=names[:5],
        license="yours",
        sha256="",
        present=present,
        valid=valid,
        sha256_matches=False,
    )


def load_detector(cfg: DetectorConfig, base_dir: Path | None = None) -> OnnxDetector[Any]:
    """A YOLO, YOLO-seg or SSD detector for `cfg.model` (manifest name, or .onnx path under `base_dir`)."""
    return make_detector(open_model(cfg, base_dir), cfg)
