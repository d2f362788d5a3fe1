"""Files shipped with watcher: found in the wheel (`watcher/_*`) or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def shipped(packaged: str, in_checkout: str) -> Path:
    """Path of a shipped file or folder: the wheel's copy, else the repository's."""
    wheel = _PACKAGE / packaged
    return wheel if wheel.exists() else _PACKAGE.parent / in_checkout


def example_config() -> Path:
    """The embedded default config (demo camera, SQLite, no broker)."""
    return shipped("_config.example.toml", "config.example.toml")


def demo_clip() -> Path:
    """The real clip the `demo` camera loops."""
    return _PACKAGE / "data" / "demo.mp4"
