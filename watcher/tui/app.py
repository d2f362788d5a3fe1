"""`DashboardApp`: a thin Textual app that renders the `DashboardState` and turns keys into commands."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Header, Input

from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.errors import WatcherError
from watcher.tui.feed import Feed
from watcher.tui.messages import FeedEnded, Notice, StateMessage
from watcher.tui.state import DashboardState, RuleUpdate
from watcher.tui.widgets import CamerasTable, CountsTable, EventsTable, HelpScreen, RulesTable


class FilterInput(Input):
    """The `/` events filter: Enter keeps the filter, Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "clear filter")]

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Submitted(self, ""))


class DashboardApp(App[None]):
    """The dashboard; every change arrives as a `StateMessage` from the feed."""

    CSS_PATH = "app.tcss"
    TITLE = "watcher"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit"),
        # People stop daemons with Ctrl-C; Textual's default only asks them to press Ctrl-Q.
        Binding("ctrl+c", "quit", "quit", show=False, priority=True),
        Binding("p", "toggle_detection", "pause"),
        Binding("e", "toggle_rule", "enable"),
        Binding("s", "snapshot", "snapshot"),
        Binding("slash", "filter", "filter"),
        Binding("question_mark", "help", "help"),
    ]

    def __init__(self, feed: Feed, state: DashboardState) -> None:
        super().__init__()
        self.feed = feed
        self.state = state

    def compose(self) -> ComposeResult:
        yield Header(icon="◉")
        # Held, not queried: a timer or a late message may land while the screen is torn down.
        self.cameras = CamerasTable(id="cameras")
        self.counts = CountsTable(id="counts")
        self.rules = RulesTable(id="rules")
        self.events = EventsTable(id="events")
        yield self.cameras
        yield self.counts
        yield self.rules
        yield self.events
        yield FilterInput(placeholder="filter events: words, Enter to keep, Esc to clear", id="filter")
        yield Footer()

    def on_mount(self) -> None:
        for table, title in (
            (self.cameras, "cameras"),
            (self.counts, "counts"),
            (self.rules, "rules"),
            (self.events, "events"),
        ):
            table.border_title = title
        self.show_state()
        self.feed.start(self)
        # Live durations and sparklines move with time alone; once a second is enough for both.
        self.set_interval(1.0, self.show_time)

    def on_unmount(self) -> None:
        self.feed.stop()

    @on(StateMessage)
    def _apply(self, message: StateMessage) -> None:
        message.apply(self.state)
        self.show_state()

    def on_feed_ended(self, _message: FeedEnded) -> None:
        self.exit()

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8)

    def show_state(self) -> None:
        """Render the whole state; tables update only the cells that changed."""
        self.sub_title = self.state.headline()
        self.cameras.show(self.state)
        self.counts.show(self.state)
        self.rules.show(self.state)
        self.events.show(self.state)

    def show_time(self) -> None:
        """Render what changes with time alone: rule durations and count sparklines."""
        self.rules.show(self.state)
        self.counts.show(self.state)

    def action_toggle_detection(self) -> None:
        camera = self.cameras.selected_key()
        if camera is None:
            self.notify("no camera to pause", severity="warning")
            return
        detecting = not self.state.cameras[camera].detecting
        if self._send(SetDetection(camera, detecting)):
            self.state.set_detecting(camera, detecting)
            self.show_state()
            self.notify(f"detection {'resumed' if detecting else 'paused'} on {camera}")

    def action_toggle_rule(self) -> None:
        name = self.rules.selected_key()
        if name is None:
            self.notify("no rule to enable or disable", severity="warning")
            return
        row = self.state.rules[name]
        if self._send(SetRuleEnabled(name, not row.enabled)):
            self.state.update_rule(RuleUpdate(name, row.camera, enabled=not row.enabled))
            self.show_state()
            self.notify(f"rule {name} {'enabled' if not row.enabled else 'disabled'}")

    def action_snapshot(self) -> None:
        camera = self.cameras.selected_key()
        if camera is None:
            self.notify("no camera to take a snapshot of", severity="warning")
            return
        if self._send(SaveSnapshot(camera)):
            self.notify(f"snapshot of {camera} requested")

    def action_filter(self) -> None:
        box = self.query_one(FilterInput)
        box.display = True
        box.focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.state.event_filter = event.value
        self.events.show(self.state)

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.state.event_filter = event.value
        event.input.display = False
        self.events.show(self.state)
        self.events.focus()

    def _send(self, command: Command) -> bool:
        try:
            self.feed.send(command)
        except WatcherError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return False
        return True
