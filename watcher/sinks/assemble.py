"""Builds the daemon's sinks from the config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from watcher.clock import Clock
from watcher.config import Config
from watcher.errors import StoreOpenError
from watcher.faults import PartFaults
from watcher.sinks.base import Sink
from watcher.sinks.log import LogSink
from watcher.sinks.snapshots import SnapshotListener, build_snapshot_sink, with_snapshots
from watcher.sinks.store import EventStore, StoreSink

if TYPE_CHECKING:
    from watcher.sinks.mqtt import HealthFn, PostFn, StatesFn


def data_path(value: str, base_dir: Path) -> Path:
    """A configured data path: absolute as written, else relative to the config's folder."""
    path = Path(value)
    return path if path.is_absolute() else base_dir / path


def build_sinks(
    config: Config,
    base_dir: Path,
    *,
    post: PostFn | None = None,
    states: StatesFn | None = None,
    health: HealthFn | None = None,
    listen: Callable[[SnapshotListener], None] | None = None,
    store: EventStore | StoreOpenError | None = None,
    faults: PartFaults | None = None,
    clock: Clock | None = None,
) -> list[Sink]:
    """Every sink the config turns on, log first; MQTT applies `/set` commands through `post` and
    publishes camera status sampled by `health`, the failed parts in `faults`, and the snapshots
    asked for by hand (`listen`).

    `store`: the store the caller opened, or why it could not (the store sink then retries it, and
    the MQTT outbox keeps events in memory until the store opens and it goes back to the file);
    None opens it here.
    """
    sinks: list[Sink] = [LogSink()]
    store_sink: StoreSink | None = None
    if config.store.enabled:
        store_sink = StoreSink(
            store if store is not None else EventStore(data_path(config.store.path, base_dir), clock=clock),
            retention_days=config.store.retention_days,
            count_sample_s=config.store.count_sample_s,
            clock=clock,
            faults=faults,
        )
        sinks.append(store_sink)
    # paho and apprise are imported only when configured: ~4 MB of RSS a Pi without them keeps.
    if config.notifies():
        from watcher.sinks.notify import build_notify_sink

        notify = build_notify_sink(config)
        if notify is not None:
            sinks.append(notify)
    if config.mqtt.enabled:
        from watcher.sinks.mqtt import build_mqtt_sink

        # The outbox shares the store's SQLite file (own tables), even when the history is off.
        outbox = data_path(config.store.path, base_dir)
        mqtt = build_mqtt_sink(
            config,
            outbox,
            base_dir,
            post=post,
            states=states,
            health=health,
            faults=faults,
            outbox_failed=store if isinstance(store, StoreOpenError) else None,
        )
        if store_sink is not None and isinstance(store, StoreOpenError):
            store_sink.reopened.append(mqtt.outbox_reopened)
        if listen is not None:
            listen(mqtt.snapshot_saved)
        sinks.append(mqtt)
    # Last, so that every sink above (MQTT too) gets events with their snapshot path.
    snapshots = build_snapshot_sink(config, data_path(config.store.snapshots_dir, base_dir))
    return sinks if snapshots is None else with_snapshots(sinks, snapshots)
