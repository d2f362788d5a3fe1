"""`FakeFeed`: a dashboard feed for tests that posts given messages and records the commands sent."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import App

from watcher.commands import Command
from watcher.errors import SinkError
from watcher.tui.messages import StateMessage


class FakeFeed:
    """Posts `messages` on start; records commands, refusing those of the `refuse` types."""

    def __init__(self, messages: Sequence[StateMessage] = (), *, refuse: tuple[type, ...] = ()) -> None:
        self.messages = list(messages)
        self.refuse = refuse
        self.sent: list[Command] = []
        self.sent_to: list[tuple[str, Command]] = []
        """(node, command) of each command sent."""
        self.app: App[None] | None = None
        self.stopped = False

    def start(self, app: App[None]) -> None:
        self.app = app
        for message in self.messages:
            app.post_message(message)

    def send(self, command: Command, node: str = "") -> None:
        if isinstance(command, self.refuse):
            raise SinkError("fake", f"{type(command).__name__} refused")
        self.sent.append(command)
        self.sent_to.append((node, command))

    def stop(self) -> None:
        self.stopped = True
