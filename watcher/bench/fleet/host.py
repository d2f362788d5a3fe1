"""One process of the load benchmark: it hosts a share of the simulated nodes and reports what they made."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

import psutil

from watcher.bench.fleet.driver import Driver
from watcher.bench.fleet.node import SimNode, Traffic

_CONNECT_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Phase:
    """`seconds` of one traffic pattern."""

    name: str
    seconds: float
    traffic: Traffic


def traffic_at(phases: tuple[Phase, ...], t: float) -> Traffic | None:
    """The traffic of the phase that `t` seconds falls in; None after the last one."""
    end = 0.0
    for phase in phases:
        end += phase.seconds
        if t < end - 1e-9:
            return phase.traffic
    return None


@dataclass(frozen=True, slots=True)
class HostSpec:
    """What one host process runs: its nodes (`cameras` each) against the broker, for `phases`."""

    nodes: tuple[str, ...]
    cameras: int
    first_slot: int
    host: str
    port: int
    workdir: Path
    phases: tuple[Phase, ...]
    fps: float
    drain_s: float


@dataclass(frozen=True, slots=True)
class HostReport:
    """What a host's nodes made, and its memory before and after they were built."""

    sent: dict[str, list[tuple[str, float]]]
    """Node id to (event id, `time.monotonic()` when made), in order."""
    lag_s: float
    left: int
    """Events still in the outboxes after the drain time."""
    dropped: int
    """Events dropped by a full sink queue or outbox."""
    bare_rss_mb: float
    rss_mb: float


def _rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / (1024 * 1024)


def host(spec: HostSpec, conn: Connection) -> None:
    """Process entry: build the nodes, say `ready`, run the phases from the start time sent, report."""
    logging.basicConfig(level=logging.WARNING, format="%(processName)s %(name)s: %(message)s")
    bare = _rss_mb()
    nodes = [
        SimNode(node, spec.cameras, spec.host, spec.port, spec.workdir, spec.first_slot + i * spec.cameras)
        for i, node in enumerate(spec.nodes)
    ]
    deadline = time.monotonic() + _CONNECT_TIMEOUT_S
    while not all(n.sink.publisher.connected for n in nodes) and time.monotonic() < deadline:
        time.sleep(0.05)
    conn.send(_rss_mb())
    start = float(conn.recv())
    driver = Driver(nodes, partial(traffic_at, spec.phases), spec.fps, start=start)
    driver.start()
    driver.join()
    for node in nodes:
        node.runner.flush(spec.drain_s)
    deadline = time.monotonic() + spec.drain_s
    while any(n.outbox_len for n in nodes) and time.monotonic() < deadline:
        time.sleep(0.1)
    report = HostReport(
        sent={n.node_id: n.sent for n in nodes},
        lag_s=driver.lag_s,
        left=sum(n.outbox_len for n in nodes),
        dropped=sum(n.runner.dropped_events + n.sink.outbox.dropped for n in nodes),
        bare_rss_mb=bare,
        rss_mb=_rss_mb(),
    )
    for node in nodes:
        node.close()
    conn.send(report)
