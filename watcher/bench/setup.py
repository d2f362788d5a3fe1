"""The config a bench run uses: N copies of the first camera reading one looping video file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from watcher import config as config_module
from watcher.capture import demo_path
from watcher.config import Config
from watcher.errors import ConfigError
from watcher.source_url import file_path, source_kind


def bench_video(config: Config, base_dir: Path, video: Path | None) -> Path:
    """`video`, else the first camera's file (or the demo clip); ConfigError for a stream."""
    if video is not None:
        if not video.is_file():
            raise ConfigError(f"no such video file: {video}", key="--video")
        return video
    camera = config.cameras[0]
    kind = source_kind(camera.url)
    if kind == "demo":
        return demo_path()
    if kind != "file":
        raise ConfigError(f"camera {camera.name} is not a file; give --video FILE", key="--video")
    path = Path(file_path(camera.url)).expanduser()
    return path if path.is_absolute() else base_dir / path


def bench_config(config: Config, video: Path, cameras: int, mqtt: tuple[str, int] | None = None) -> Config:
    """The first camera, its zones and rules, copied `cameras` times onto `video` (names `<cam>_<i>`).

    MQTT is on only when `mqtt` (host, port) is given, so a bench never publishes unasked.
    """
    first = config.cameras[0]
    data: dict[str, Any] = config.model_dump(mode="json", exclude_none=True)
    names = [first.name if i == 0 else f"{first.name}_{i}" for i in range(cameras)]
    camera = data["cameras"][0]
    data["cameras"] = [{**camera, "name": n, "url": str(video), "loop": True} for n in names]
    zones = [z for z in data["zones"] if z["camera"] == first.name]
    data["zones"] = [{**z, "camera": n} for n in names for z in zones]
    rules = [r for r in data["rules"] if r["camera"] == first.name]
    data["rules"] = [
        {**r, "camera": n, "name": r["name"] if i == 0 else f"{r['name']}_{i}"}
        for i, n in enumerate(names)
        for r in rules
    ]
    # Nothing leaves the machine unasked (no notifications) and the store is a scratch file.
    data.pop("mqtt", None)
    if mqtt is not None:
        mqtt_config = config.mqtt.model_dump(mode="json", exclude_none=True)
        data["mqtt"] = {**mqtt_config, "enabled": True, "host": mqtt[0], "port": mqtt[1]}
    data.pop("notify", None)
    for rule in data["rules"]:
        rule.pop("notify", None)
    if "store" in data:
        data["store"] = {**data["store"], "path": "bench.db", "snapshots_dir": "snapshots"}
    return config_module.parse(data, "bench")
