"""The dashboard's panels; each renders one part of the `DashboardState`."""

from watcher.tui.widgets.cameras import CamerasTable
from watcher.tui.widgets.counts import CountsTable
from watcher.tui.widgets.events import EventsTable
from watcher.tui.widgets.help import HelpScreen
from watcher.tui.widgets.nodes import NodesTable
from watcher.tui.widgets.rules import RulesTable

__all__ = ["CamerasTable", "CountsTable", "EventsTable", "HelpScreen", "NodesTable", "RulesTable"]
