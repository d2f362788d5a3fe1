"""The models folder and its `manifest.toml`: which named models exist and how to load them."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import watcher
from watcher.detect.labels import dense, read_labels
from watcher.detect.model import Layout, check_layout, open_session
from watcher.errors import ModelError

MANIFEST = "manifest.toml"


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One `[models.<name>]` table of the manifest."""

    name: str
    file: str
    layout: Layout
    labels: str
    input_size: int
    license: str
    sha256: str
    source: str


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What `watcher models list` shows for one named model."""

    name: str
    file: Path
    layout: Layout
    input_size: int
    class_count: int
    first_classes: tuple[str, ...]
    license: str
    sha256: str
    present: bool
    valid: bool
    """The file opens in ONNX Runtime with the manifest's layout."""
    sha256_matches: bool
    """The file is byte-identical to the one the manifest records (a re-export differs; see README)."""


def models_dir() -> Path:
    """`watcher/_models` in a wheel install, else the repository's top-level `models/`."""
    package = Path(watcher.__file__).parent
    for candidate in (package / "_models", package.parent / "models"):
        if (candidate / MANIFEST).is_file():
            return candidate
    raise ModelError(str(package.parent / "models"), f"models folder with {MANIFEST} not found")


def read_manifest(folder: Path | None = None) -> dict[str, ManifestEntry]:
    """Entries of `manifest.toml` in `folder` (default: `models_dir()`), by name."""
    path = (folder or models_dir()) / MANIFEST
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8")).get("models", {})
        return {
            name: ManifestEntry(
                name=name,
                file=str(t["file"]),
                layout=cast(Layout, t["layout"]),
                labels=str(t["labels"]),
                input_size=int(t["input_size"]),
                license=str(t["license"]),
                sha256=str(t["sha256"]),
                source=str(t.get("source", "")),
            )
            for name, t in tables.items()
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise ModelError(str(path), f"cannot read manifest ({error.__class__.__name__}: {error})") from None


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_valid(path: Path, layout: Layout) -> bool:
    try:
        check_layout(open_session(path, threads=1), path, layout)
    except ModelError:
        return False
    return True


def list_models(folder: Path | None = None) -> list[ModelInfo]:
    """Every manifest model with its licence, classes, and whether its file is present and loads."""
    folder = folder or models_dir()
    infos = []
    for entry in read_manifest(folder).values():
        path = folder / entry.file
        present = path.is_file()
        try:
            names = dense(read_labels(folder / entry.labels))[0]
        except ModelError:
            names = ()
        infos.append(
            ModelInfo(
                name=entry.name,
                file=path,
                layout=entry.layout,
                input_size=entry.input_size,
                class_count=len(names),
                first_classes=names[:5],
                license=entry.license,
                sha256=entry.sha256,
                present=present,
                valid=present and _is_valid(path, entry.layout),
                sha256_matches=present and sha256_of(path) == entry.sha256,
            )
        )
    return infos
