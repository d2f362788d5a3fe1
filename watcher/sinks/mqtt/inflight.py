"""`InFlight`: which published messages still wait for their PUBACK, and what each ack completes."""

from __future__ import annotations

from collections.abc import Iterable


class InFlight:
    """Message ids of one connection: outbox rows (one or two publishes each) and cleared discovery topics."""

    def __init__(self) -> None:
        self._rows: dict[int, set[int]] = {}
        self._row_of: dict[int, int] = {}
        self._cleared: dict[int, str] = {}

    def __len__(self) -> int:
        """Outbox rows in flight."""
        return len(self._rows)

    def row(self, seq: int, mids: Iterable[int]) -> None:
        """Outbox row `seq` was published as the messages `mids`."""
        waiting = set(mids)
        self._rows[seq] = waiting
        self._row_of.update(dict.fromkeys(waiting, seq))

    def cleared(self, mid: int, topic: str) -> None:
        """An empty retained config for `topic` was published as `mid`."""
        self._cleared[mid] = topic

    def ack(self, mid: int) -> tuple[int | None, str | None]:
        """(row delivered in full, discovery topic cleared) by this ack; (None, None) for anything else."""
        topic = self._cleared.pop(mid, None)
        seq = self._row_of.pop(mid, None)
        if seq is None:
            return None, topic
        waiting = self._rows.get(seq, set())
        waiting.discard(mid)
        if waiting:
            return None, topic
        self._rows.pop(seq, None)
        return seq, topic

    def clear(self) -> None:
        """The connection is gone: nothing will be acked any more."""
        self._rows.clear()
        self._row_of.clear()
        self._cleared.clear()
