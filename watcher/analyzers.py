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
    from watcher.scene.change_analyzer import left_object_analyzers
    from watcher.scene.colour_mask import area_analyzers
    from watcher.scene.ground_facts import ground_analyzers
    from watcher.scene.votes import vote_analyzers

    analyzers: list[Analyzer] = []
    analyzers += ground_analyzers(camera, config)
    analyzers += area_analyzers(camera, config, base_dir)
    analyzers += left_object_analyzers(camera.name, config)
    analyzers += vote_analyzers(camera.name, config, base_dir)
    return analyzers
