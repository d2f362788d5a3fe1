"""Pixel analyzers: per-camera steps that add image-derived facts to an observation.

The rules engine never sees pixels. What a rule kind needs from the image (change regions for
`left_object`, classifier votes for `state`, colour-mask areas for `area`) is computed here, on
the processed frame, and carried in the `Observation` the engine receives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from watcher.config import CameraConfig, Config
from watcher.types import Frame, Observation


class Analyzer(Protocol):
    """Adds facts derived from the frame's pixels to the observation of that frame."""

    def analyze(self, frame: Frame, obs: Observation) -> Observation: ...


def build_analyzers(camera: CameraConfig, config: Config, base_dir: Path | None) -> list[Analyzer]:
    """The analyzers the rules of `camera` need, in the order they run."""
    return []
