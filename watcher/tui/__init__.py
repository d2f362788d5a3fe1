"""The terminal dashboard: one state model, fed in-process or over MQTT, rendered by a thin Textual app."""

from watcher.tui.app import DashboardApp
from watcher.tui.feed import Feed
from watcher.tui.launch import run_dashboard, run_in_process, run_over_mqtt
from watcher.tui.state import DashboardState, RuleUpdate

__all__ = [
    "DashboardApp",
    "DashboardState",
    "Feed",
    "RuleUpdate",
    "run_dashboard",
    "run_in_process",
    "run_over_mqtt",
]
