"""`run_fleet`: many simulated nodes into one broker, phase by phase; what arrived, how fast, at what cost."""

from __future__ import annotations

import itertools
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TypeVar

import psutil

from watcher.bench.fleet.broker import Broker
from watcher.bench.fleet.host import HostReport, HostSpec, Phase, host
from watcher.bench.fleet.listener import Arrival, EventListener
from watcher.bench.fleet.node import Traffic
from watcher.bench.stats import Summary
from watcher.errors import SinkError

_T = TypeVar("_T")
_SAMPLE_S = 0.5
_READY_TIMEOUT_S = 120.0
_QUIET_S = 5.0

REALISTIC = Phase("realistic", 60.0, Traffic(period_s=60.0, visit_s=10.0))
"""Someone passes each camera once a minute: 2 events a minute per camera."""
BURST = Phase("burst", 60.0, Traffic(period_s=4.0, visit_s=2.0))
"""Every camera busy at once, someone every 4 s: 30 events a minute per camera."""
BEND = (
    Phase("2x burst", 30.0, Traffic(period_s=2.0, visit_s=1.0)),
    Phase("4x burst", 30.0, Traffic(period_s=1.0, visit_s=0.5)),
    Phase("8x burst", 30.0, Traffic(period_s=0.5, visit_s=0.25)),
)
"""Rates past the burst, to find where delivery bends (0.5 s is the shortest visit 4 fps can see)."""


@dataclass(frozen=True, slots=True)
class FleetOptions:
    """The fleet: `nodes` x `cameras`, spread over `procs` processes, observations at `fps` per camera."""

    nodes: int = 50
    cameras: int = 4
    procs: int = 5
    fps: float = 4.0
    phases: tuple[Phase, ...] = (REALISTIC, BURST)
    drain_s: float = 60.0
    mosquitto: str | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU (100 = one core, over the phase) and the largest resident memory seen."""

    cpu_percent: float
    rss_mb: float


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """What happened to the events made during one phase."""

    name: str
    seconds: float
    made: int
    delivered: int
    lost: int
    duplicates: int
    latency_ms: Summary
    max_latency_ms: float
    broker: Usage
    nodes: Usage
    listener: Usage

    @property
    def rate(self) -> float:
        """Events made per second, over the fleet."""
        return self.made / self.seconds


@dataclass(frozen=True, slots=True)
class FleetResult:
    """The run: per phase, plus what the node processes said at the end."""

    options: FleetOptions
    phases: list[PhaseResult]
    node_rss_mb: float
    """Resident memory one node adds to its process (its sink, outbox, threads, paho client)."""
    lag_s: float
    left: int
    dropped: int


@dataclass
class _Meter:
    """CPU seconds at each phase boundary and the largest RSS per phase, of a set of processes."""

    processes: list[psutil.Process]
    cpu: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)

    def cpu_now(self) -> float:
        total = 0.0
        for proc in self.processes:
            times = proc.cpu_times()
            total += times.user + times.system
        return total

    def mark(self) -> None:
        self.cpu.append(self.cpu_now())
        self.rss.append(0.0)

    def sample(self) -> None:
        rss = sum(p.memory_info().rss for p in self.processes) / (1024 * 1024)
        self.rss[-1] = max(self.rss[-1], rss)

    def usage(self, phase: int, wall: float) -> Usage:
        return Usage(100.0 * (self.cpu[phase + 1] - self.cpu[phase]) / wall, self.rss[phase])


def _hosts(options: FleetOptions, broker: Broker, workdir: Path) -> list[HostSpec]:
    names = [f"node{i:02d}" for i in range(options.nodes)]
    shares = [names[i :: options.procs] for i in range(options.procs)]
    specs = []
    for share in (s for s in shares if s):
        first = names.index(share[0]) * options.cameras
        specs.append(
            HostSpec(
                tuple(share),
                options.cameras,
                first,
                broker.host,
                broker.port,
                workdir,
                options.phases,
                options.fps,
                options.drain_s,
            )
        )
    return specs


def run_fleet(options: FleetOptions) -> FleetResult:
    """Start a broker, the node processes and a subscriber; run the phases; count and time every event."""
    with tempfile.TemporaryDirectory(prefix="watcher-fleet-") as tmp:
        workdir = Path(tmp)
        broker = Broker(workdir, options.mosquitto)
        try:
            return _run(options, broker, workdir)
        finally:
            broker.stop()


def _run(options: FleetOptions, broker: Broker, workdir: Path) -> FleetResult:
    listener = EventListener(broker.host, broker.port)
    # Fresh interpreters: no threads or paho state inherited from this one, as on separate machines.
    context = multiprocessing.get_context("spawn")
    procs: list[BaseProcess] = []
    conns: list[Connection] = []
    try:
        if not listener.subscribed.wait(10):
            raise SinkError("fleet-bench", "the subscriber did not subscribe within 10 s")
        for spec in _hosts(options, broker, workdir):
            ours, theirs = context.Pipe()
            proc: BaseProcess = context.Process(target=host, args=(spec, theirs), daemon=True)
            proc.start()
            procs.append(proc)
            conns.append(ours)
        ready_rss = [_receive(c, _READY_TIMEOUT_S, float) for c in conns]
        meters = {
            "broker": _Meter([broker.process]),
            "nodes": _Meter([psutil.Process(p.pid) for p in procs if p.pid is not None]),
            "listener": _Meter([psutil.Process()]),
        }
        start = time.monotonic() + 0.5
        for conn in conns:
            conn.send(start)
        walls = _sample(options.phases, start, list(meters.values()))
        total = sum(p.seconds for p in options.phases)
        reports = [_receive(c, options.drain_s + total + 30, HostReport) for c in conns]
        sent = [s for r in reports for node in r.sent.values() for s in node]
        _await_arrivals(listener, {i for i, _ in sent}, options.drain_s)
        arrivals = listener.arrivals()
    finally:
        listener.close()
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
    bare = sum(r.bare_rss_mb for r in reports)
    return FleetResult(
        options,
        _phases(options.phases, start, walls, sent, arrivals, meters),
        (sum(ready_rss) - bare) / options.nodes,
        max(r.lag_s for r in reports),
        sum(r.left for r in reports),
        sum(r.dropped for r in reports),
    )


def _receive(conn: Connection, timeout: float, kind: type[_T]) -> _T:
    if not conn.poll(timeout):
        raise SinkError("fleet-bench", f"a node process did not answer within {timeout:.0f} s")
    got = conn.recv()
    if not isinstance(got, kind):
        raise SinkError("fleet-bench", f"a node process sent {got!r}, not a {kind.__name__}")
    return got


def _sample(phases: Sequence[Phase], start: float, meters: Sequence[_Meter]) -> list[float]:
    """Sample the meters through the phases; the wall seconds each phase really took."""
    time.sleep(max(0.0, start - time.monotonic()))
    marks = [time.monotonic()]
    for meter in meters:
        meter.mark()
    end = start
    for phase in phases:
        end += phase.seconds
        while time.monotonic() < end:
            for meter in meters:
                meter.sample()
            time.sleep(min(_SAMPLE_S, max(0.0, end - time.monotonic())))
        marks.append(time.monotonic())
        for meter in meters:
            meter.sample()
            meter.mark()
    return [b - a for a, b in itertools.pairwise(marks)]


def _await_arrivals(listener: EventListener, ids: set[str], timeout: float) -> None:
    """Until every id arrived, or nothing new came for `_QUIET_S` (the rest were lost), or `timeout`."""
    deadline = time.monotonic() + timeout
    seen, quiet_since = 0, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < _QUIET_S:
        arrivals = listener.arrivals()
        if ids <= {a.id for a in arrivals}:
            return
        if len(arrivals) > seen:
            seen, quiet_since = len(arrivals), time.monotonic()
        time.sleep(0.2)


def _phases(
    phases: Sequence[Phase],
    start: float,
    walls: Sequence[float],
    sent: Sequence[tuple[str, float]],
    arrivals: Sequence[Arrival],
    meters: dict[str, _Meter],
) -> list[PhaseResult]:
    first: dict[str, float] = {}
    count: dict[str, int] = {}
    for arrival in arrivals:
        first.setdefault(arrival.id, arrival.at)
        count[arrival.id] = count.get(arrival.id, 0) + 1
    results = []
    begin = start
    for i, phase in enumerate(phases):
        # Events a late step made after the last phase still belong to it.
        end = begin + phase.seconds if i < len(phases) - 1 else float("inf")
        mine = [(event_id, made) for event_id, made in sent if begin <= made < end]
        latencies = [1000.0 * (first[e] - made) for e, made in mine if e in first]
        results.append(
            PhaseResult(
                phase.name,
                phase.seconds,
                len(mine),
                len(latencies),
                len(mine) - len(latencies),
                sum(count.get(e, 0) - 1 for e, _ in mine if e in count),
                Summary.of(latencies),
                max(latencies, default=0.0),
                meters["broker"].usage(i, walls[i]),
                meters["nodes"].usage(i, walls[i]),
                meters["listener"].usage(i, walls[i]),
            )
        )
        begin += phase.seconds
    return results
