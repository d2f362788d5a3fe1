"""The nodes panel (a fleet over MQTT): each node's `online`/`offline`, since when, and what it runs."""

from __future__ import annotations

from rich.text import Text

from watcher.tui.state import DashboardState, NodeRow
from watcher.tui.widgets.format import clock_time
from watcher.tui.widgets.table import Row, StateTable


def availability_text(row: NodeRow) -> Text:
    """`online` in green, `offline` (a stop, or the node's last will) in red."""
    styles = {"online": "green", "offline": "bold red"}
    return Text(row.availability, style=styles.get(row.availability, ""))


class NodesTable(StateTable):
    """One row per watcher node found on the broker, in name order; Enter shows only that node."""

    COLUMNS = (
        ("node", "node"),
        ("status", "status"),
        ("since", "since"),
        ("cameras", "cameras"),
        ("rules", "rules on"),
    )

    def show(self, state: DashboardState) -> None:
        """Render the nodes of `state`; the title says which node the other panels show."""
        rows: list[Row] = []
        for node, row in state.nodes.items():
            cameras = sum(1 for n, _ in state.cameras if n == node)
            rules = [r for (n, _), r in state.rules.items() if n == node]
            on = f"{sum(r.active for r in rules)}/{len(rules)}"
            rows.append(((node,), (node, availability_text(row), clock_time(row.since), str(cameras), on)))
        self.sync(rows)
        shown = "all shown" if state.node_filter is None else f"showing {state.node_filter}"
        self.border_title = f"nodes ({shown}; n: next)"
