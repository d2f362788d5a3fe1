"""The fleet load benchmark's own code, run for a few seconds with 2 nodes on a real mosquitto."""

from __future__ import annotations

import itertools

import pytest

from tests.support.mosquitto import mosquitto_missing
from watcher.bench.fleet import Traffic
from watcher.bench.fleet.host import Phase, traffic_at
from watcher.bench.fleet.load import FleetOptions, run_fleet
from watcher.bench.fleet.report import fleet_json, format_fleet

QUIET = Traffic(period_s=60.0, visit_s=10.0)
BUSY = Traffic(period_s=1.0, visit_s=0.5)
FPS = 4.0


def expected_events(traffic: Traffic, slots: int, seconds: float) -> int:
    """Starts plus ends a presence rule (for_s = clear_s = 0) makes from the script's own steps."""
    steps = [k / FPS for k in range(round(seconds * FPS))]
    total = 0
    for slot in range(slots):
        seen = [False, *(traffic.present(t, slot) for t in steps)]
        total += sum(a != b for a, b in itertools.pairwise(seen))
    return total


@pytest.mark.parametrize(
    ("t", "expected"),
    [(0.0, QUIET), (1.99, QUIET), (2.0, BUSY), (4.99, BUSY), (5.0, None)],
)
def test_traffic_follows_the_phases_and_ends_after_the_last(t: float, expected: Traffic | None) -> None:
    phases = (Phase("quiet", 2.0, QUIET), Phase("busy", 3.0, BUSY))
    assert traffic_at(phases, t) == expected


def test_two_nodes_deliver_every_event_once_with_their_cost_measured() -> None:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    options = FleetOptions(
        nodes=2, cameras=2, procs=1, fps=FPS, phases=(Phase("busy", 3.0, BUSY),), drain_s=20
    )
    result = run_fleet(options)
    [phase] = result.phases
    made = expected_events(BUSY, slots=4, seconds=3.0)
    assert made == 23
    assert (phase.made, phase.delivered, phase.lost, phase.duplicates) == (made, made, 0, 0)
    assert (result.left, result.dropped) == (0, 0)
    assert phase.latency_ms.count == made
    assert 0 < phase.latency_ms.p50 <= phase.latency_ms.p95 <= phase.max_latency_ms
    assert phase.broker.rss_mb > 0
    assert phase.nodes.rss_mb > 0
    assert format_fleet(result).splitlines()[0].startswith("fleet: 2 nodes x 2 cameras in 1 process,")
    assert fleet_json(result)["phases"][0]["delivered"] == made
