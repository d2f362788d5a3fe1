"""Load: 50 simulated watcher nodes x 4 cameras into one local mosquitto (issue 17; docs/performance.md).

Each node is the daemon's code past the detector (scripted observations -> rules engine -> sink runner ->
MQTT sink + SQLite outbox), with its own MQTT connection, client id and outbox file; nodes share
`--procs` processes. A subscriber on the broker times every event from the moment the engine made it.

    .venv/bin/python benchmarks/fleet_load.py [--bend] [--json benchmarks/results/fleet_load.json]
    .venv/bin/python benchmarks/fleet_load.py --quick      # a smoke run: 5 nodes, 10 s per phase
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from watcher.bench.fleet.load import BEND, BURST, REALISTIC, FleetOptions, run_fleet
from watcher.bench.fleet.report import fleet_json, format_fleet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--cameras", type=int, default=4, help="per node")
    parser.add_argument("--procs", type=int, default=5, help="processes the nodes are spread over")
    parser.add_argument("--fps", type=float, default=4.0, help="observations per second per camera")
    parser.add_argument("--seconds", type=float, default=60.0, help="per phase (the --bend phases: half)")
    parser.add_argument("--bend", action="store_true", help="after the burst: 2x, 4x and 8x its rate")
    parser.add_argument("--quick", action="store_true", help="smoke run: 5 nodes in 1 process, 10 s phases")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    seconds = 10.0 if args.quick else args.seconds
    phases = [replace(REALISTIC, seconds=seconds), replace(BURST, seconds=seconds)]
    if args.bend:
        phases += [replace(p, seconds=seconds / 2) for p in BEND]
    options = FleetOptions(
        nodes=5 if args.quick else args.nodes,
        cameras=args.cameras,
        procs=1 if args.quick else args.procs,
        fps=args.fps,
        phases=tuple(phases),
    )
    result = run_fleet(options)
    sys.stdout.write(format_fleet(result) + "\n")
    if args.json:
        args.json.write_text(json.dumps(fleet_json(result), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
