"""The `?` help screen: what each key does."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]watcher dashboard[/b]

  [b]q[/b]       quit
  [b]p[/b]       pause / resume detection on the selected camera
  [b]e[/b]       enable / disable the selected rule
  [b]s[/b]       save a snapshot of the selected camera
  [b]n[/b]       several nodes: show the next node only (then all again)
  [b]/[/b]       filter events (words; Enter keeps, Esc clears)
  [b]tab[/b]     next panel; arrows move the selection
  [b]?[/b]       this help

Sparklines: the last 5 minutes of each count. Esc closes this."""


class HelpScreen(ModalScreen[None]):
    """A modal list of the keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close"),
        Binding("question_mark", "dismiss", "close"),
        Binding("q", "dismiss", "close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static(HELP)
