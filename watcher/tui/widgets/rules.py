"""The rules panel: state with since-when and a live duration, and whether the rule is enabled."""

from __future__ import annotations

from rich.text import Text

from watcher.tui.state import DashboardState, RuleRow
from watcher.tui.widgets.format import clock_time, duration, rule_state
from watcher.tui.widgets.table import Row, StateTable


class RulesTable(StateTable):
    """One row per rule in the order first seen; the cursor row is the rule `e` toggles."""

    COLUMNS = (
        ("rule", "rule"),
        ("camera", "camera"),
        ("kind", "kind"),
        ("state", "state"),
        ("since", "since"),
        ("for", "for"),
        ("enabled", "enabled"),
    )

    def show(self, state: DashboardState) -> None:
        """Render the rules of `state`; durations are measured on its clock."""
        now = state.clock.wall()
        rows: list[Row] = []
        for name, row in state.rules.items():
            held = "—" if row.since is None else duration((now - row.since).total_seconds())
            rows.append(
                (
                    name,
                    (
                        name,
                        row.camera,
                        row.kind,
                        rule_state(row.active, row.value),
                        clock_time(row.since),
                        held,
                        _enabled(row),
                    ),
                )
            )
        self.sync(rows)


def _enabled(row: RuleRow) -> Text:
    return Text("yes") if row.enabled else Text("no", style="bold yellow")
