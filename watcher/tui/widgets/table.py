"""`StateTable`: a DataTable that is re-synced from rows, keeping the cursor on the same row key."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text
Key = tuple[str, ...]
Row = tuple[Key, tuple[Cell, ...]]
"""A row key (node first) and its cells, in column order."""

NODE_COLUMN = ("node", "node")
_SEP = "\x1f"
"""Joins a key's parts into one DataTable row key; no node, camera or rule name holds it."""


class StateTable(DataTable[Text]):
    """A read-only table whose subclasses name their columns and turn the state model into rows.

    With `nodes` on (a fleet over MQTT) a `node` column comes first, filled from each key's node.
    """

    COLUMNS: tuple[tuple[str, str], ...] = ()
    """(column key, header) pairs."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._node_column = False
        # Columns exist from the start, so the app may fill rows before this widget is mounted.
        self._add_columns()

    def selected_key(self) -> Key | None:
        """The key of the row under the cursor, if there is one."""
        if not self.row_count:
            return None
        value = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return None if value is None else tuple(value.split(_SEP))

    def cells_of(self, key: Key) -> list[str]:
        """The plain text of the row with `key`, as shown (node cell included)."""
        return [cell.plain for cell in self.get_row(_SEP.join(key))]

    def sync(self, rows: Sequence[Row], *, nodes: bool = False) -> None:
        """Show exactly `rows`: changed cells are updated in place, a new row set is rebuilt."""
        if nodes != self._node_column:
            self._node_column = nodes
            self.clear(columns=True)
            self._add_columns()
        shown = [(_SEP.join(key), _texts(key, cells, nodes)) for key, cells in rows]
        self._fit(shown)
        keys = [key for key, _ in shown]
        if keys == [key.value for key in self.rows]:
            columns = [column.key for column in self.ordered_columns]
            for key, cells in shown:
                for column, old, new in zip(columns, self.get_row(key), cells, strict=True):
                    if old != new:
                        self.update_cell(key, column, new, update_width=True)
            return
        selected = self.selected_key()
        at_top = self.cursor_row == 0
        self.clear()
        for key, cells in shown:
            self.add_row(*cells, key=key)
        # A cursor on the first row follows the head (newest event); elsewhere it stays on its row.
        joined = None if selected is None else _SEP.join(selected)
        if joined in keys and not at_top:
            self.move_cursor(row=keys.index(joined), animate=False)

    def _add_columns(self) -> None:
        for key, label in ((NODE_COLUMN,) if self._node_column else ()) + self.COLUMNS:
            self.add_column(label, key=key)

    def _fit(self, rows: Sequence[tuple[str, tuple[Text, ...]]]) -> None:
        """Size every column to its widest cell now, before anything is drawn (#18).

        DataTable measures new cells only when it is next idle, and caches a cell drawn before
        then (cut to its header's width) until the cell changes again.
        """
        for index, column in enumerate(self.ordered_columns):
            widest = max((cells[index].cell_len for _, cells in rows), default=0)
            column.content_width = max(column.label.cell_len, widest)


def _texts(key: Key, cells: tuple[Cell, ...], nodes: bool) -> tuple[Text, ...]:
    # Plain Text, never markup: names and values come from configs and the broker.
    texts = tuple(cell if isinstance(cell, Text) else Text(cell) for cell in cells)
    return (Text(key[0]), *texts) if nodes else texts
