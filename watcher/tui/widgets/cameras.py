"""The cameras panel: capture state, rates, detector time, motion and dropped frames."""

from __future__ import annotations

from rich.text import Text

from watcher.status import CameraHealth
from watcher.tui.state import DashboardState
from watcher.tui.widgets.format import offline
from watcher.tui.widgets.table import Row, StateTable

_STATE_STYLES = {"streaming": "green", "starting": "cyan", "reconnecting": "yellow", "error": "bold red"}
_REASON_CHARS = 24
"""Enough to tell a timeout from a refusal; the log has the whole reason."""


def status_text(row: CameraHealth) -> Text:
    """The capture state (with its reason), and `paused` while detection is off."""
    text = Text(row.state, style=_STATE_STYLES.get(row.state, ""))
    if row.reason:
        reason = row.reason if len(row.reason) <= _REASON_CHARS else row.reason[: _REASON_CHARS - 1] + "…"
        text.append(f": {reason}")
    if not row.detecting:
        text.append(" paused", style="bold yellow")
    return text


class CamerasTable(StateTable):
    """One row per camera of the shown nodes; the cursor row is the camera `p` and `s` act on.

    A camera of a node that went offline shows `node offline`: its retained status is stale.
    """

    COLUMNS = (
        ("camera", "camera"),
        ("status", "status"),
        ("fps", "fps"),
        ("detect_fps", "det/s"),
        ("detect_ms", "ms"),
        ("motion", "motion"),
        ("dropped", "drop"),
    )

    def show(self, state: DashboardState) -> None:
        """Render the cameras of `state`."""
        rows: list[Row] = [
            ((node, name), _cells(row) if state.online(node) else (name, offline(), *_UNKNOWN))
            for (node, name), row in sorted(state.cameras.items())
            if state.shows(node)
        ]
        self.sync(rows, nodes=state.fleet)


_UNKNOWN = ("—",) * 5
"""The rates of a camera whose node is offline: the last ones it sent say nothing about now."""


def _cells(row: CameraHealth) -> tuple[str | Text, ...]:
    return (
        row.camera,
        status_text(row),
        f"{row.fps:.1f}",
        f"{row.detect_fps:.1f}",
        f"{row.detect_ms:.0f}",
        f"{row.motion:.1f}%",
        str(row.dropped),
    )
