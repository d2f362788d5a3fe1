"""`StateTable`: a DataTable that is re-synced from rows, keeping the cursor on the same row key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text
Row = tuple[str, tuple[Cell, ...]]
"""A row key and its cells, in column order."""


class StateTable(DataTable[Cell]):
    """A read-only table whose subclasses name their columns and turn the state model into rows."""

    COLUMNS: tuple[tuple[str, str], ...] = ()
    """(column key, header) pairs."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        # Columns exist from the start, so the app may fill rows before this widget is mounted.
        for key, label in self.COLUMNS:
            self.add_column(label, key=key)

    def selected_key(self) -> str | None:
        """The key of the row under the cursor, if there is one."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def sync(self, rows: Sequence[Row]) -> None:
        """Show exactly `rows`: changed cells are updated in place, a new row set is rebuilt."""
        keys = [key for key, _ in rows]
        if keys == [key.value for key in self.rows]:
            for key, cells in rows:
                for (column, _), old, new in zip(self.COLUMNS, self.get_row(key), cells, strict=True):
                    if old != new:
                        self.update_cell(key, column, new, update_width=True)
            return
        selected = self.selected_key()
        at_top = self.cursor_row == 0
        self.clear()
        for key, cells in rows:
            self.add_row(*cells, key=key)
        # A cursor on the first row follows the head (newest event); elsewhere it stays on its row.
        if selected in keys and not at_top:
            self.move_cursor(row=keys.index(selected), animate=False)
