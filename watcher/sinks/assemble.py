"""Builds the daemon's sinks from the config."""

from __future__ import annotations

from pathlib import Path

from watcher.config import Config
from watcher.sinks.base import Sink
from watcher.sinks.log import LogSink
from watcher.sinks.store import EventStore, StoreSink


def data_path(value: str, base_dir: Path) -> Path:
    """A configured data path: absolute as written, else relative to the config's folder."""
    path = Path(value)
    return path if path.is_absolute() else base_dir / path


def build_sinks(config: Config, base_dir: Path) -> list[Sink]:
    """Every sink the config turns on, log first."""
    sinks: list[Sink] = [LogSink()]
    if config.store.enabled:
        sinks.append(StoreSink(EventStore(data_path(config.store.path, base_dir))))
    return sinks
