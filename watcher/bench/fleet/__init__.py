"""Simulated watcher nodes for fleet tests and the load benchmark: the daemon's code past the detector."""

from watcher.bench.fleet.driver import Driver, TrafficAt
from watcher.bench.fleet.listener import Arrival, EventListener
from watcher.bench.fleet.node import SimNode, Traffic, node_config

__all__ = ["Arrival", "Driver", "EventListener", "SimNode", "Traffic", "TrafficAt", "node_config"]
