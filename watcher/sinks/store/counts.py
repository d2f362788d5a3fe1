"""Count samples: per-zone label counts, written on change at most once per interval per key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from watcher.sinks.store.tables import CountSampleRow
from watcher.types import Observation

_Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class CountSample:
    """Objects of `label` in `zone` of `camera` at wall-clock epoch `time`."""

    camera: str
    zone: str
    label: str
    count: int
    time: float


class CountSampler:
    """Turns every observation's counts into a few samples: a key is written when its count
    differs from the last one written for it and `interval_s` has passed since that write.

    A label missing from an observation counts 0, so a zone that empties is recorded too.
    Pure: the caller passes both clocks' readings.
    """

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._written: dict[_Key, tuple[int, float]] = {}

    def sample(self, obs: Observation, monotonic: float, wall: float) -> list[CountSample]:
        """The samples to write for this observation (often none)."""
        now: dict[_Key, int] = {
            (obs.camera, zone, label): n for zone, labels in obs.counts.items() for label, n in labels.items()
        }
        for key in self._written:
            if key[0] == obs.camera:
                now.setdefault(key, 0)
        out: list[CountSample] = []
        for key, count in sorted(now.items()):
            last = self._written.get(key)
            if last is not None and (last[0] == count or monotonic - last[1] < self._interval_s):
                continue
            if last is None and count == 0:
                continue
            self._written[key] = (count, monotonic)
            out.append(CountSample(*key, count, wall))
        return out


class CountSamples:
    """The `count_samples` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, samples: Sequence[CountSample]) -> None:
        """Append samples."""
        if not samples:
            return
        with Session(self._engine) as session:
            session.add_all(
                CountSampleRow(camera=s.camera, zone=s.zone, label=s.label, count=s.count, time=s.time)
                for s in samples
            )
            session.commit()

    def since(self, wall: float, camera: str | None = None) -> list[CountSample]:
        """Samples at or after wall-clock epoch `wall`, oldest first."""
        query = select(CountSampleRow).where(col(CountSampleRow.time) >= wall)
        if camera is not None:
            query = query.where(CountSampleRow.camera == camera)
        with Session(self._engine) as session:
            rows = session.exec(query.order_by(col(CountSampleRow.time), col(CountSampleRow.id))).all()
        return [CountSample(r.camera, r.zone, r.label, r.count, r.time) for r in rows]
