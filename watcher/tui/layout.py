"""How many terminal rows each dashboard panel gets: the overview panels whole, the lists what is left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CHROME = 2
"""Rows a panel spends besides its rows: the border line with its title, and the column header."""
FLOOR = CHROME + 1
"""A panel that has rows shows at least one of them."""
EVENTS_FLOOR = CHROME + 1
"""The events panel, which takes whatever is left, never gets less."""
EVENTS_SHARE = 0.25
"""Of the space, what the events panel keeps before a table a few rows short of whole takes them."""


@dataclass(frozen=True)
class Panel:
    """A table above the events panel: its rows now and the share of the screen it may grow to."""

    rows: int
    share: float
    shown: bool = True

    @property
    def wants(self) -> int:
        return self.rows + CHROME if self.shown else 0


def panel_heights(space: int, panels: Sequence[Panel]) -> list[int]:
    """The height of each panel, in priority order, within `space` rows shared with the events panel.

    Each shown panel first gets a floor (its chrome and one row, or all of a shorter table); the
    rows left over go to the panels in order, each up to all its rows or its share of `space`,
    whichever is less (never below its floor). Listed first, the nodes and cameras of a small fleet
    are then seen whole on an 80x24 terminal, and the counts and rules panels scroll. Last, a
    table the rows still left can show whole (past its share) gets them, as long as the events
    panel keeps `EVENTS_SHARE` of the space: four counts whole beat one more line of events.
    """
    heights = [min(panel.wants, FLOOR) for panel in panels]
    left = space - EVENTS_FLOOR - sum(heights)
    for i, panel in enumerate(panels):
        cap = max(min(panel.wants, int(panel.share * space)), heights[i])
        extra = max(0, min(cap - heights[i], left))
        heights[i] += extra
        left -= extra
    spare = left - max(0, int(EVENTS_SHARE * space) - EVENTS_FLOOR)
    for i, panel in enumerate(panels):
        missing = panel.wants - heights[i]
        if 0 < missing <= spare:
            heights[i] += missing
            spare -= missing
    return heights
