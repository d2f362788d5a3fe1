"""The load benchmark's table and JSON."""

from __future__ import annotations

from typing import Any

from watcher.bench.fleet.load import FleetResult, PhaseResult

_HEAD = (
    f"{'phase':<10} {'ev/s':>6} {'made':>6} {'deliv':>6} {'lost':>5} {'dup':>4} "
    f"{'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} | {'broker %':>8} {'MB':>5} | {'nodes %':>7} {'MB':>6}"
    f" | {'sub %':>5}"
)


def _row(p: PhaseResult) -> str:
    return (
        f"{p.name:<10} {p.rate:>6.1f} {p.made:>6} {p.delivered:>6} {p.lost:>5} {p.duplicates:>4} "
        f"{p.latency_ms.p50:>7.1f} {p.latency_ms.p95:>7.1f} {p.max_latency_ms:>7.0f} | "
        f"{p.broker.cpu_percent:>8.1f} {p.broker.rss_mb:>5.1f} | {p.nodes.cpu_percent:>7.1f} "
        f"{p.nodes.rss_mb:>6.0f} | {p.listener.cpu_percent:>5.1f}"
    )


def format_fleet(result: FleetResult) -> str:
    """A table of the phases (CPU: 100 = one core) and the run's totals."""
    o = result.options
    lines = [
        f"fleet: {o.nodes} nodes x {o.cameras} cameras in {o.procs} process{'es' if o.procs > 1 else ''}, "
        f"observations at {o.fps:g} fps per camera, one local mosquitto",
        _HEAD,
        *(_row(p) for p in result.phases),
        f"per node: {result.node_rss_mb:.1f} MB resident (sink, outbox, threads, MQTT client); "
        f"steps late by up to {result.lag_s:.2f} s; {result.left} event(s) left in outboxes, "
        f"{result.dropped} dropped",
    ]
    return "\n".join(lines)


def _phase_json(p: PhaseResult) -> dict[str, Any]:
    usage = {
        who: {"cpu_percent": round(u.cpu_percent, 1), "rss_mb": round(u.rss_mb, 1)}
        for who, u in (("broker", p.broker), ("nodes", p.nodes), ("subscriber", p.listener))
    }
    return {
        "name": p.name,
        "seconds": p.seconds,
        "rate": round(p.rate, 2),
        "made": p.made,
        "delivered": p.delivered,
        "lost": p.lost,
        "duplicates": p.duplicates,
        "latency_ms": {**p.latency_ms.to_json(), "max": round(p.max_latency_ms, 3)},
        **usage,
    }


def fleet_json(result: FleetResult) -> dict[str, Any]:
    """The same figures as plain data."""
    o = result.options
    return {
        "options": {
            "nodes": o.nodes,
            "cameras": o.cameras,
            "procs": o.procs,
            "fps": o.fps,
            "phases": [
                {
                    "name": p.name,
                    "seconds": p.seconds,
                    "period_s": p.traffic.period_s,
                    "visit_s": p.traffic.visit_s,
                }
                for p in o.phases
            ],
        },
        "phases": [_phase_json(p) for p in result.phases],
        "node_rss_mb": round(result.node_rss_mb, 2),
        "lag_s": round(result.lag_s, 3),
        "left": result.left,
        "dropped": result.dropped,
    }
