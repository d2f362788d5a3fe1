"""Each camera's detector: one model per distinct setting; a model that fails stops only its cameras."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import supervision as sv

from watcher.config import CameraConfig, Config, DetectorConfig, check_classes
from watcher.detect import Detector, LoadedModel, make_detector, open_model
from watcher.errors import ConfigError, ModelError
from watcher.types import Image

log = logging.getLogger("watcher")

# The keys that pick the file and the session; the rest (thresholds, class filter, input size) only
# change the detector wrapped around it, so cameras that differ in those still share one session.
_SESSION_KEYS = ("model", "layout", "labels", "threads")
_MODEL_KEYS = ("model", "labels", "layout")
"""The keys a model error is reported at, in order, when the camera sets them itself."""


@dataclass(frozen=True)
class CameraDetectors:
    """Detectors by camera name (one object per distinct setting) and the cameras whose model failed."""

    detectors: dict[str, Detector]
    failures: dict[str, ConfigError]
    """Per failed camera, the key path of its model setting and the problem."""


class FailedDetector:
    """Stands in for the detector of a camera whose model failed to load; the camera is never started."""

    def __init__(self, error: ConfigError) -> None:
        self.error = error

    @property
    def labels(self) -> tuple[str, ...]:
        return ()

    def detect(self, image: Image) -> sv.Detections:
        """Raise the load error: a camera without a model cannot detect."""
        raise self.error


def load_camera_detectors(
    config: Config,
    base_dir: Path | None,
    *,
    only: Callable[[CameraConfig], bool] = lambda c: True,
    file: str | None = None,
) -> CameraDetectors:
    """Open each distinct model of the selected cameras once and check rule classes against it.

    A `ModelError` becomes that camera's failure (`cameras[i].detector.model` or `detector.model`);
    an unknown class is a `ConfigError` for the whole config, as `watcher check-config` reports it.
    """
    sessions: dict[tuple[object, ...], LoadedModel | ModelError] = {}
    loaded: dict[str, tuple[DetectorConfig, LoadedModel]] = {}
    failures: dict[str, ConfigError] = {}
    for index, camera in enumerate(config.cameras):
        if not only(camera):
            continue
        cfg = config.detector_for(camera)
        key = tuple(getattr(cfg, name) for name in _SESSION_KEYS)
        if key not in sessions:
            try:
                sessions[key] = open_model(cfg, base_dir)
            except ModelError as exc:
                sessions[key] = exc
        model = sessions[key]
        if isinstance(model, ModelError):
            failures[camera.name] = ConfigError(str(model), file=file, key=_model_key(config, index))
        else:
            loaded[camera.name] = (cfg, model)
    check_classes(config, {name: model.names for name, (_, model) in loaded.items()}, file)
    made: dict[str, Detector] = {}
    detectors: dict[str, Detector] = {}
    for name, (cfg, model) in loaded.items():
        setting = cfg.model_dump_json()
        if setting not in made:
            made[setting] = make_detector(model, cfg)
        detectors[name] = made[setting]
    return CameraDetectors(detectors, failures)


def daemon_detectors(config: Config, base_dir: Path) -> tuple[dict[str, Detector], dict[str, str]]:
    """Detectors of the enabled cameras and the error of each whose model failed, logged once each.

    Raises the first camera's `ConfigError` when no enabled camera has a model that loads.
    """
    result = load_camera_detectors(config, base_dir, only=lambda c: c.enabled)
    if result.failures and not result.detectors:
        raise next(iter(result.failures.values()))
    errors: dict[str, str] = {}
    for name, error in result.failures.items():
        log.error("camera %s: %s", name, error)
        errors[name] = str(error)
    stand_ins: dict[str, Detector] = {name: FailedDetector(e) for name, e in result.failures.items()}
    return {**stand_ins, **result.detectors}, errors


def _model_key(config: Config, index: int) -> str:
    """The key a camera's model error is reported at: the first model key the camera sets itself."""
    own = config.cameras[index].detector
    keys = [key for key in _MODEL_KEYS if own is not None and key in own.model_fields_set]
    return config.detector_key(index, keys[0] if keys else "model")
