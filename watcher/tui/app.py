"""`DashboardApp`: a thin Textual app that renders the `DashboardState` and turns keys into commands."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Input

from watcher.commands import Command, SaveSnapshot, SetDetection, SetRuleEnabled
from watcher.errors import WatcherError
from watcher.tui.feed import Feed
from watcher.tui.layout import Panel, panel_heights
from watcher.tui.messages import FeedEnded, Notice, StateMessage
from watcher.tui.state import DashboardState, RuleUpdate
from watcher.tui.widgets import CamerasTable, CountsTable, EventsTable, HelpScreen, NodesTable, RulesTable


class FilterInput(Input):
    """The `/` events filter: Enter keeps the filter, Esc clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "clear filter")]

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Submitted(self, ""))


BARS = 2
"""Rows of the header and footer lines."""
FILTER_ROWS = 3
"""Rows of the events filter box while it is open (app.tcss)."""


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
        Binding("n", "next_node", "node"),
        Binding("slash", "filter", "filter"),
        Binding("question_mark", "help", "help"),
    ]

    def __init__(self, feed: Feed, state: DashboardState) -> None:
        super().__init__()
        self.feed = feed
        self.state = state
        self._fleet = False
        self._heights: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="◉")
        # Held, not queried: a timer or a late message may land while the screen is torn down.
        self.nodes = NodesTable(id="nodes")
        self.cameras = CamerasTable(id="cameras")
        self.counts = CountsTable(id="counts")
        self.rules = RulesTable(id="rules")
        self.events = EventsTable(id="events")
        yield self.nodes
        yield self.cameras
        yield self.counts
        yield self.rules
        yield self.events
        self.filter_box = FilterInput(
            placeholder="filter events: words, Enter to keep, Esc to clear", id="filter"
        )
        yield self.filter_box
        yield Footer()

    def on_mount(self) -> None:
        self.nodes.display = False
        for table, title in (
            (self.nodes, "nodes"),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `n` is listed only while there are nodes to step through.
        return self.state.fleet if action == "next_node" else True

    def show_state(self) -> None:
        """Render the whole state; tables update only the cells that changed."""
        self.sub_title = self.state.headline()
        if self.state.fleet != self._fleet:
            self._fleet = self.state.fleet
            self.nodes.display = self._fleet
            self.refresh_bindings()
        self.nodes.show(self.state)
        self.cameras.show(self.state)
        self.counts.show(self.state)
        self.rules.show(self.state)
        self.events.show(self.state)
        self._fit_panels()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: `self.size` may still be the old one while this handler runs.
        self._fit_panels(event.size.height)

    def _fit_panels(self, height: int | None = None) -> None:
        """Size the tables to their rows within the terminal (`watcher.tui.layout`); events get the rest."""
        rows = self.size.height if height is None else height
        space = rows - BARS - (FILTER_ROWS if self.filter_box.display else 0)
        tables = (self.nodes, self.cameras, self.counts, self.rules)
        panels = [
            Panel(self.nodes.row_count, 0.3, shown=self._fleet),
            Panel(self.cameras.row_count, 0.4),
            Panel(self.counts.row_count, 0.25),
            Panel(self.rules.row_count, 0.25),
        ]
        heights = panel_heights(space, panels)
        if heights != self._heights:
            self._heights = heights
            for table, height in zip(tables, heights, strict=True):
                table.styles.height = height

    def show_time(self) -> None:
        """Render what changes with time alone: rule durations and count sparklines."""
        self.rules.show(self.state)
        self.counts.show(self.state)

    def action_toggle_detection(self) -> None:
        key = self.cameras.selected_key()
        if key is None:
            self.notify("no camera to pause", severity="warning")
            return
        node, camera = key
        detecting = not self.state.cameras[(node, camera)].detecting
        if self._send(SetDetection(camera, detecting), node):
            self.state.set_detecting(camera, detecting, node)
            self.show_state()
            self.notify(f"detection {'resumed' if detecting else 'paused'} on {self._where(node, camera)}")

    def action_toggle_rule(self) -> None:
        key = self.rules.selected_key()
        if key is None:
            self.notify("no rule to enable or disable", severity="warning")
            return
        node, name = key
        row = self.state.rules[(node, name)]
        if self._send(SetRuleEnabled(name, not row.enabled), node):
            self.state.update_rule(RuleUpdate(name, row.camera, enabled=not row.enabled, node=node))
            self.show_state()
            self.notify(f"rule {self._where(node, name)} {'enabled' if not row.enabled else 'disabled'}")

    def action_snapshot(self) -> None:
        key = self.cameras.selected_key()
        if key is None:
            self.notify("no camera to take a snapshot of", severity="warning")
            return
        node, camera = key
        if self._send(SaveSnapshot(camera), node):
            self.notify(f"snapshot of {self._where(node, camera)} requested")

    def action_next_node(self) -> None:
        self._show_node(self.state.next_node())

    @on(DataTable.RowSelected, "#nodes")
    def _node_chosen(self, event: DataTable.RowSelected) -> None:
        node = event.row_key.value
        self.state.node_filter = None if node == self.state.node_filter else node
        self._show_node(self.state.node_filter)

    def _show_node(self, node: str | None) -> None:
        self.show_state()
        self.notify("showing every node" if node is None else f"showing node {node} only")

    def _where(self, node: str, name: str) -> str:
        """A camera or rule as named to the user: with its node when there are several."""
        return f"{name} on {node}" if self.state.fleet else name

    def action_filter(self) -> None:
        self.filter_box.display = True
        self._fit_panels()
        self.filter_box.focus()

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
        self._fit_panels()
        self.events.show(self.state)
        self.events.focus()

    def _send(self, command: Command, node: str) -> bool:
        try:
            self.feed.send(command, node)
        except WatcherError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return False
        return True
