"""Few-shot classification: reference crops per label, embedded once (cached by file hash), kNN vote."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from watcher.detect.embed import Embedder, Vectors
from watcher.errors import ConfigError
from watcher.types import Image, Vote

log = logging.getLogger("watcher.scene")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
UNKNOWN = "unknown"
"""The vote when the nearest reference is less similar than `min_similarity`."""


def cache_dir() -> Path:
    """Where reference embeddings are cached: `$XDG_CACHE_HOME/watcher/embeddings` (or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "watcher" / "embeddings"


def how_to_add(folder: Path, labels: Sequence[str]) -> str:
    """The fix a user needs when a rule has no reference images."""
    subdirs = ", ".join(f"{folder / label}/" for label in labels)
    return (
        f"add a few reference crops per label ({subdirs}): "
        "`watcher examples RULE --label LABEL --at SECONDS...` cuts them from the camera or a --video"
    )


def example_images(folder: Path) -> dict[str, list[Path]]:
    """Reference image files per label (sub-folder name), sorted; labels without images are left out."""
    if not folder.is_dir():
        return {}
    found = {
        sub.name: sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        for sub in sorted(folder.iterdir())
        if sub.is_dir()
    }
    return {label: files for label, files in found.items() if files}


@dataclass(frozen=True)
class Examples:
    """Embedded reference images: one unit vector per image and its label."""

    vectors: Vectors
    labels: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The distinct labels, sorted."""
        return tuple(sorted(set(self.labels)))


def load_examples(
    folder: Path, embedder: Embedder, *, need: Sequence[str], key: str, cache: Path | None = None
) -> Examples:
    """Embed `folder`/<label>/*.jpg, reusing cached vectors of unchanged files; `need` labels must exist."""
    images = example_images(folder)
    missing = [label for label in need if label not in images]
    if missing or len(images) < 2:
        wanted = list(need) or ["<label_a>", "<label_b>"]
        problem = f"no reference images for {', '.join(missing)}" if missing else "needs two labels or more"
        raise ConfigError(f"{problem} in {folder}; {how_to_add(folder, wanted)}", key=key)
    cache = cache or cache_dir()
    vectors: list[Vectors] = []
    labels: list[str] = []
    for label, files in images.items():
        for path in files:
            vectors.append(_embedding(path, embedder, cache, key))
            labels.append(label)
    return Examples(np.concatenate(vectors), tuple(labels))


def _embedding(path: Path, embedder: Embedder, cache: Path, key: str) -> Vectors:
    data = path.read_bytes()
    cached = cache / f"{hashlib.sha256(data).hexdigest()}.npy"
    if cached.is_file():
        vector: Vectors = np.load(cached).astype(np.float32).reshape(1, -1)
        return vector
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ConfigError(f"cannot read reference image {path}", key=key)
    vector = embedder.embed([np.asarray(image, dtype=np.uint8)])
    try:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cached, vector[0])
    except OSError as exc:  # a read-only home still classifies, just embeds again next start
        log.warning("cannot cache embedding of %s: %s", path, exc.strerror or exc)
    return vector


class FewShot:
    """k-nearest-neighbour vote (cosine similarity) of a crop against embedded examples."""

    def __init__(
        self, examples: Examples, embedder: Embedder, k: int = 3, min_similarity: float = 0.0
    ) -> None:
        self.examples = examples
        self._embedder = embedder
        self._k = min(k, len(examples.labels))
        self._min_similarity = min_similarity

    def classify(self, crop: Image) -> Vote:
        """The vote for one BGR crop."""
        return self.vote(self._embedder.embed([crop])[0])

    def classify_many(self, crops: Sequence[Image]) -> list[Vote]:
        """The votes for several BGR crops, embedded in one batch (one model call, not one per crop)."""
        return [self.vote(vector) for vector in self._embedder.embed(crops)] if crops else []

    def vote(self, vector: Vectors) -> Vote:
        """The vote for one unit vector: similarity-weighted majority of the k nearest examples."""
        similarities = self.examples.vectors @ vector
        nearest = np.argsort(-similarities, kind="stable")[: self._k]
        best = float(similarities[nearest[0]])
        if best < self._min_similarity:
            return Vote(UNKNOWN, 0.0, best)
        weights: dict[str, float] = {}
        for i in nearest:
            label = self.examples.labels[i]
            weights[label] = weights.get(label, 0.0) + max(float(similarities[i]), 0.0)
        # Ties go to the label of the nearest example, so the vote is deterministic.
        winner = max(weights, key=lambda label: (weights[label], label == self.examples.labels[nearest[0]]))
        total = sum(weights.values()) or 1.0
        return Vote(winner, weights[winner] / total, best)
