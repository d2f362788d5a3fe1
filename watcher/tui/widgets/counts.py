"""The counts panel: objects per camera, zone and label now, with the last minutes as a sparkline."""

from __future__ import annotations

from rich.text import Text

from watcher.tui.state import SPARK_BUCKET_S, SPARK_BUCKETS, DashboardState
from watcher.tui.widgets.format import sparkline, zone_name
from watcher.tui.widgets.table import Row, StateTable

HISTORY_HEADER = f"last {round(SPARK_BUCKETS * SPARK_BUCKET_S / 60)} min"


class CountsTable(StateTable):
    """One row per (node, camera, zone, label) seen so far; `—` now while the node is offline."""

    COLUMNS = (
        ("camera", "camera"),
        ("zone", "zone"),
        ("label", "label"),
        ("now", "now"),
        ("history", HISTORY_HEADER),
    )

    def show(self, state: DashboardState) -> None:
        """Render the counts of `state`, whole-frame counts first within each camera."""
        bucket = state.bucket()
        rows: list[Row] = []
        for (node, camera, zone, label), series in sorted(state.counts.items()):
            if not state.shows(node):
                continue
            if not state.online(node):
                now = Text("—", style="dim")  # the last count a node sent before it went away
            else:
                now = Text(str(series.value), style="bold" if series.value else "dim")
            spark = Text(sparkline(series.series(bucket)), style="cyan")
            rows.append(((node, camera, zone, label), (camera, zone_name(zone), label, now, spark)))
        self.sync(rows, nodes=state.fleet)
