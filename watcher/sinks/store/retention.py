"""Retention of snapshot files: older than a cut-off, then oldest first past a total size."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

_log = logging.getLogger("watcher.store")


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one pruning pass did: files deleted, bytes freed, bytes still kept."""

    deleted: int
    freed: int
    kept: int


def _files(folder: Path) -> list[tuple[float, int, Path]]:
    """(mtime, size, path) of every JPEG under `folder`, oldest first."""
    found: list[tuple[float, int, Path]] = []
    for root, _dirs, names in os.walk(folder):
        for name in names:
            if not name.endswith(".jpg"):
                continue
            path = Path(root) / name
            try:
                st = path.stat()
            except OSError:
                continue  # deleted meanwhile
            found.append((st.st_mtime, st.st_size, path))
    found.sort()
    return found


def prune_snapshots(folder: Path, *, older_than: float, max_bytes: int) -> Pruned:
    """Delete snapshots modified before `older_than` (epoch seconds), then the oldest past `max_bytes`."""
    files = _files(folder)
    total = sum(size for _, size, _ in files)
    deleted = freed = 0
    for mtime, size, path in files:
        if mtime >= older_than and total <= max_bytes:
            break
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            _log.warning("snapshot retention: cannot delete %s: %s", path, exc.strerror or exc)
            continue
        total -= size
        deleted += 1
        freed += size
    return Pruned(deleted, freed, total)
