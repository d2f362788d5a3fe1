"""One watcher node for fleet tests: the real MQTT sink of a small config, driven from stdin.

`python -m tests.support.fleet_node NODE PORT FOLDER [BRIDGE_STATE_TOPIC]` connects to
127.0.0.1:PORT as node NODE (prefix NODE; `[mqtt] bridge_state_topic` when BRIDGE_STATE_TOPIC is
given), publishes its camera status, counts and rule states, prints `ready` once the broker has
them, then obeys one word per line on stdin: `event` (a `start` of its rule, printed
back as `sent`). End of input closes the sink cleanly (`offline`); SIGKILL leaves the broker to
publish the node's last will, as a crash or a pulled plug would.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from watcher import config
from watcher.sinks.mqtt import MqttSink, Outbox
from watcher.status import CameraHealth
from watcher.types import Event, EventObject, EventType, Observation, RulesSnapshot, RuleState

CAMERAS = ("cam", "door")
"""Two cameras on every node, with the same names on every node: the names users pick collide."""
RULE = "someone"

CONFIG = """
node_id = "{node}"
[[cameras]]
name = "cam"
url = "demo"
[[cameras]]
name = "door"
url = "demo"
[[rules]]
name = "someone"
kind = "presence"
camera = "cam"
classes = ["person"]
snapshot = false
[mqtt]
enabled = true
host = "127.0.0.1"
port = {port}
"""


def health(node: str) -> list[CameraHealth]:
    """Each camera streaming, at a frame rate that tells the nodes apart on screen."""
    fps = 10.0 + len(node)
    return [CameraHealth(camera, "streaming", None, fps, 5.0, 40.0, 1.0, 0) for camera in CAMERAS]


def event(node: str, n: int) -> Event:
    """A `start` of the node's rule with one person; its id names the node."""
    person = EventObject(n, "person", 0.9, (1.0, 2.0, 3.0, 4.0))
    return Event(f"{node}-{n}", EventType.START, RULE, "presence", "cam", None, float(n), None, 1, (person,))


def states_after(start: Event, version: int) -> RulesSnapshot:
    """The engine's snapshot once `start` happened: its rule active since the event's start."""
    state = RuleState(
        RULE,
        "cam",
        "presence",
        True,
        start.value,
        start.start_time,
        objects=start.objects,
        last_event=start.id,
    )
    return RulesSnapshot((state,), version)


def main(node: str, port: int, folder: Path, bridge_state: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(node=node, port=port)
    if bridge_state is not None:
        text += f'bridge_state_topic = "{bridge_state}"\n'
    cfg = config.loads(text, str(folder / "config.toml"))
    sink = MqttSink(cfg, Outbox(folder / "outbox.db"), base_dir=folder, health=lambda: health(node))
    sink.start()
    for people, camera in enumerate(CAMERAS, start=1):
        sink.handle_observation(Observation(camera, 0, 0.0, (640, 480), (), {"*": {"person": people}}))
    deadline = time.monotonic() + 20
    while not sink.publisher.connected or sink.board.has_dirty:
        if time.monotonic() > deadline:
            sys.exit(f"{node}: not connected to 127.0.0.1:{port}")
        time.sleep(0.05)
    print("ready", flush=True)
    sent = 0
    for line in sys.stdin:
        if line.strip() == "event":
            sent += 1
            start = event(node, sent)
            sink.handle_states(states_after(start, sent))  # as the node's engine hands them over
            sink.handle_event(start, None)
            print("sent", flush=True)
    sink.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), *sys.argv[4:5])
