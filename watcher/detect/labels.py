"""Label files (`name` or `id name` per line) and Ultralytics `names` metadata."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import numpy.typing as npt

from watcher.errors import ModelError


def read_labels(path: Path) -> dict[int, str]:
    """Model class id to name; lines are `id name` (ids may have gaps) or just `name` (id = line number)."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError) as error:
        raise ModelError(str(path), f"cannot read labels file ({error.__class__.__name__})") from None
    labels: dict[int, str] = {}
    for number, line in enumerate(filter(None, lines)):
        head, _, rest = line.partition(" ")
        if head.isdigit() and rest.strip():
            labels[int(head)] = rest.strip()
        else:
            labels[number] = line
    if not labels:
        raise ModelError(str(path), "labels file is empty")
    return labels


def labels_from_metadata(names: str, path: Path) -> dict[int, str]:
    """Parse Ultralytics metadata `names` (a Python dict literal like `{0: 'person', ...}`)."""
    try:
        parsed = ast.literal_eval(names)
    except (ValueError, SyntaxError):
        raise ModelError(str(path), "metadata 'names' is not a dict of class names") from None
    if not isinstance(parsed, dict) or not all(isinstance(k, int) for k in parsed):
        raise ModelError(str(path), "metadata 'names' is not a dict of class names")
    return {int(k): str(v) for k, v in parsed.items()}


def dense(labels: dict[int, str]) -> tuple[tuple[str, ...], npt.NDArray[np.intp]]:
    """Names in id order, and a lookup from model id to index in those names (-1 for gaps)."""
    ids = sorted(labels)
    lookup = np.full(ids[-1] + 1, -1, dtype=np.intp)
    lookup[ids] = np.arange(len(ids))
    return tuple(labels[i] for i in ids), lookup


def class_indices(wanted: list[str], labels: tuple[str, ...], model: str) -> list[int]:
    """Indices of `wanted` names in `labels`; ModelError naming a few valid names for any unknown one."""
    unknown = [name for name in wanted if name not in labels]
    if unknown:
        few = ", ".join(labels[:8])
        raise ModelError(
            model, f"unknown class {', '.join(map(repr, unknown))}; valid names include: {few}, ..."
        )
    return [labels.index(name) for name in wanted]
