"""The one exceptions module: every error watcher raises on purpose is a `WatcherError`."""

from __future__ import annotations

from typing import Any


class WatcherError(Exception):
    """Base of every error that watcher raises on purpose; its message is one line for a user."""


class ConfigError(WatcherError):
    """A config file is unreadable or invalid; the message names file, key path and problem."""

    def __init__(
        self, problem: str, *, file: str | None = None, key: str | None = None, line: int | None = None
    ) -> None:
        self.problem = problem
        self.file = file
        self.key = key
        self.line = line
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(f"{where}{key + ': ' if key else ''}{problem}")


class ModelError(WatcherError):
    """A model file is missing, corrupt or has a layout watcher cannot decode."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"model {path}: {problem}")


class SourceError(WatcherError):
    """A camera source cannot be opened or read."""

    def __init__(self, camera: str, problem: str) -> None:
        self.camera = camera
        self.problem = problem
        super().__init__(f"camera {camera}: {problem}")


class SinkError(WatcherError):
    """A sink (MQTT, notifier, store) failed to deliver."""

    def __init__(self, sink: str, problem: str) -> None:
        self.sink = sink
        self.problem = problem
        super().__init__(f"sink {sink}: {problem}")


class StoreOpenError(SinkError):
    """The store's SQLite file cannot be opened: a full disk, a read-only folder, a corrupt file."""

    def __init__(self, path: str, problem: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        """The cause alone, without the path (`database or disk is full`), for status lines."""
        super().__init__("store", problem)


class RuleError(WatcherError):
    """A rule's reading of an observation failed unexpectedly (a bug, not bad input).

    The engine goes on with the camera's other rules first: `events` are the ones they emitted
    on the same observation, which the caller still delivers.
    """

    def __init__(self, rule: str, problem: str, events: list[Any]) -> None:
        self.rule = rule
        self.problem = problem
        self.events = events
        super().__init__(f"rule {rule}: {problem}")
