"""The `Feed` seam: where the dashboard's state messages come from and its commands go."""

from __future__ import annotations

from typing import Protocol

from textual.app import App

from watcher.commands import Command


class Feed(Protocol):
    """A source of `StateMessage`s posted to the app, and a sink for the keys' commands."""

    def start(self, app: App[None]) -> None:
        """Begin posting messages to `app`; must not block (called on the UI thread)."""
        ...

    def send(self, command: Command, node: str = "") -> None:
        """Carry out a command on `node` (the one node in-process); raise a `WatcherError` with one
        line when it cannot."""
        ...

    def stop(self) -> None:
        """Stop posting and release resources; called once when the app exits."""
        ...
