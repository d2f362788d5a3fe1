"""Starting the dashboard: in-process with the daemon (`watcher run --tui`) or over MQTT (`watcher tui`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from watcher.clock import Clock, SystemClock
from watcher.config import Config
from watcher.detect import Detector
from watcher.errors import ConfigError
from watcher.tui.app import DashboardApp
from watcher.tui.feed import Feed
from watcher.tui.notices import NoticeHandler
from watcher.tui.state import DashboardState


def run_dashboard(feed: Feed, clock: Clock, *, node: str | None = None) -> None:
    """Run the app until the user quits; console log handlers are swapped for notifications meanwhile.

    `node` starts the dashboard showing that node only.
    """
    state = DashboardState(clock)
    state.node_filter = node
    app = DashboardApp(feed, state)
    root = logging.getLogger()
    # A console handler would scribble over the screen; file handlers keep logging as configured.
    consoles = [h for h in root.handlers if type(h) is logging.StreamHandler]
    for handler in consoles:
        root.removeHandler(handler)
    notices = NoticeHandler(app)
    root.addHandler(notices)
    try:
        app.run()
    finally:
        root.removeHandler(notices)
        for handler in consoles:
            root.addHandler(handler)


def run_in_process(config: Config, base_dir: Path, detector: Detector | None = None) -> None:
    """`watcher run --tui`: the daemon on a worker thread, the dashboard on this one."""
    from watcher.daemon import Daemon
    from watcher.tui.local import DashboardSink, LocalFeed

    clock = SystemClock()
    sink = DashboardSink(clock)
    daemon = Daemon(config, base_dir, clock=clock, detector=detector, extra_sinks=[sink])
    # SIGTERM/SIGINT stop the daemon; its thread then tells the app to close.
    daemon.install_signal_handlers()
    run_dashboard(LocalFeed(daemon, sink, clock), clock)


def run_over_mqtt(
    address: str,
    *,
    username: str | None,
    password_env: str | None,
    prefix: str | None = None,
    node: str | None = None,
) -> None:
    """`watcher tui --mqtt HOST[:PORT]`: the dashboard of every node (or the one at `prefix`) that
    publishes to that broker, showing only `node` at start when given."""
    from watcher.tui.mqtt import BrokerAddress, MqttFeed, parse_host

    host, port = parse_host(address)
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise ConfigError(f"environment variable {password_env} is not set", key="--password-env")
    clock = SystemClock()
    broker = BrokerAddress(host, port, username, password, prefix)
    run_dashboard(MqttFeed(broker, clock), clock, node=node)
