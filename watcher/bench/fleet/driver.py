"""`Driver`: steps simulated nodes in real time, as each node's frame loop would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from watcher.bench.fleet.node import SimNode, Traffic

TrafficAt = Callable[[float], Traffic | None]
"""The traffic at `t` seconds since the start, or None when the run is over."""


class Driver:
    """One thread feeding `nodes` an observation per camera every 1/`fps` s of real time.

    When the machine cannot keep up, steps come late rather than piling up: `lag_s` is the
    largest delay of a step behind its schedule.
    """

    def __init__(
        self, nodes: Sequence[SimNode], traffic: TrafficAt, fps: float, start: float | None = None
    ) -> None:
        self.nodes = list(nodes)
        self._traffic = traffic
        self._period = 1.0 / fps
        self._start = start
        self._stop = threading.Event()
        self.lag_s = 0.0
        self._thread = threading.Thread(target=self._run, name="fleet-driver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        start = time.monotonic() if self._start is None else self._start
        tick = 0
        while not self._stop.is_set():
            t = tick * self._period
            traffic = self._traffic(t)
            if traffic is None:
                return
            if self._stop.wait(max(0.0, start + t - time.monotonic())):
                return
            self.lag_s = max(self.lag_s, time.monotonic() - start - t)
            for node in self.nodes:
                node.step(t, traffic)
            tick += 1

    def stop(self) -> None:
        """Stop stepping (a visit under way gets no `end`)."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the traffic to end; False if it has not after `timeout` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
