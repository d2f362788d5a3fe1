"""Nothing listens on a network port: a running daemon only connects out (here: to the broker)."""

from __future__ import annotations

from pathlib import Path

import psutil

from tests.reliability.support import WORKER_EVENT, WatcherProcess, write_config
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import poll


def test_a_running_daemon_listens_on_no_port_and_connects_only_to_the_broker(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    path = write_config(tmp_path, f"\n[mqtt]\nenabled = true\nport = {mosquitto.port}\n")
    proc = WatcherProcess(path)
    try:
        assert poll(lambda: proc.saw(WORKER_EVENT) and proc.saw("mqtt: connected"), 60), proc.output[-3000:]
        sockets = psutil.Process(proc.proc.pid).net_connections(kind="inet")
        code, _ = proc.terminate()
    finally:
        proc.kill()
    assert code == 0
    assert [s for s in sockets if s.status == psutil.CONN_LISTEN] == []
    # paho wakes its loop through a loopback socket pair: both ends belong to this process.
    own = {(s.laddr.ip, s.laddr.port) for s in sockets}
    remote = {(s.raddr.ip, s.raddr.port) for s in sockets if s.raddr} - own
    assert remote == {("127.0.0.1", mosquitto.port)}
