"""The patch embedder: MobileNetV2's stride-16 feature map, one 96-d vector per 16x16 image patch."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from watcher.detect.embed import embedder_file, imagenet_chw
from watcher.detect.model import open_session
from watcher.errors import ModelError
from watcher.types import Image

PATCH_EMBEDDER = "mobilenetv2_patches"
"""The `[embedders.<name>]` entry of models/manifest.toml with the spatial feature map."""
PATCH = 16
"""Input pixels per feature cell in each direction."""
Grid = npt.NDArray[np.float32]


class PatchEmbedder:
    """Unit feature vectors on a grid over an image: (rows, columns, channels), one per 16x16 patch."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        self._session = open_session(path, threads)
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4 or isinstance(inputs[0].shape[2], int):
            raise ModelError(str(path), "not a patch embedder: expected input [N, 3, height, width]")
        self._input = inputs[0].name

    def grid(self, image: Image) -> Grid:
        """Features of `image` (BGR; each side is cut to a multiple of 16), L2-normalised per patch."""
        height, width = (image.shape[0] // PATCH) * PATCH, (image.shape[1] // PATCH) * PATCH
        if height == 0 or width == 0:
            raise ValueError(f"image smaller than one {PATCH}x{PATCH} patch")
        rgb = cv2.cvtColor(np.ascontiguousarray(image[:height, :width]), cv2.COLOR_BGR2RGB)
        tensor = imagenet_chw(rgb.astype(np.float32) / 255.0)[None]
        raw = np.asarray(self._session.run(None, {self._input: tensor})[0][0], dtype=np.float32)
        cells = raw.transpose(1, 2, 0)
        norms = np.linalg.norm(cells, axis=2, keepdims=True)
        unit: Grid = cells / np.maximum(norms, 1e-12)
        return unit


@cache
def shared_patch_embedder() -> PatchEmbedder:
    """The shipped patch embedder, loaded once per process."""
    return PatchEmbedder(embedder_file(PATCH_EMBEDDER))
