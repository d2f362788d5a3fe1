"""A sink in its own process, for tests that SIGKILL it.

`python -m tests.sinks.mqtt.sink_process PORT DB N [online]`:

With `online`, waits until connected first; queues N events, prints `ready` once they are in the
outbox, then waits to be killed.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from tests.sinks.mqtt.helpers import event, make_config
from tests.support.waiting import poll
from watcher.sinks.mqtt import MqttSink, Outbox


def main(argv: list[str]) -> None:
    port, db, count = int(argv[0]), Path(argv[1]), int(argv[2])
    sink = MqttSink(make_config(port), Outbox(db), base_dir=db.parent, retry_s=(0.05, 0.3))
    sink.start()
    if argv[3:] == ["online"] and not poll(lambda: sink.publisher.connected, 10):
        raise SystemExit("not connected")
    for n in range(count):
        sink.handle_event(event(n), None)
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1:])
