"""The rules panel: state with since-when and a live duration, and whether the rule is enabled."""

from __future__ import annotations

from rich.text import Text

from watcher.tui.state import DashboardState, RuleRow
from watcher.tui.widgets.format import clock_time, duration, offline, rule_state
from watcher.tui.widgets.table import Row, StateTable


class RulesTable(StateTable):
    """One row per rule, by node, in the order first seen; the cursor row is the rule `e` toggles.

    A rule of a node that went offline shows `node offline`: its retained state is stale.
    """

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
        # Sorted by node only: a stable sort keeps each node's rules in the order first seen.
        for (node, name), row in sorted(state.rules.items(), key=lambda item: item[0][0]):
            if not state.shows(node):
                continue
            online = state.online(node)
            held = "—" if row.since is None or not online else duration((now - row.since).total_seconds())
            rows.append(
                (
                    (node, name),
                    (
                        name,
                        row.camera,
                        row.kind,
                        state_cell(row) if online else offline(),
                        clock_time(row.since),
                        held,
                        _enabled(row),
                    ),
                )
            )
        self.sync(rows, nodes=state.fleet)


def state_cell(row: RuleRow) -> Text:
    """The state, and while a kind is not ready (a `left_object` zone still learning) why not."""
    text = rule_state(row.active, row.value)
    if row.status is not None and row.status != "learned":
        text.append(f" · {row.status}", style="yellow")
    return text


def _enabled(row: RuleRow) -> Text:
    return Text("yes") if row.enabled else Text("no", style="bold yellow")
