"""The config file as pydantic models; every error is one line with file and key path."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from watcher.errors import ConfigError
from watcher.rules.spec import (
    KINDS,
)
from watcher.rules.spec import (
    AreaRule as AreaRule,
)
from watcher.rules.spec import (
    LeftObjectRule as LeftObjectRule,
)
from watcher.rules.spec import (
    LineCountRule as LineCountRule,
)
from watcher.rules.spec import (
    MissingAssociateRule as MissingAssociateRule,
)
from watcher.rules.spec import (
    OccupancyRule as OccupancyRule,
)
from watcher.rules.spec import (
    PresenceRule as PresenceRule,
)
from watcher.rules.spec import (
    RuleBase as RuleBase,
)
from watcher.rules.spec import (
    RuleConfig as RuleConfig,
)
from watcher.rules.spec import (
    StateRule as StateRule,
)
from watcher.strict import StrictModel

Point = tuple[float, float]


class MotionConfig(StrictModel):
    """Motion gate: cheap differencing on a downscaled grey frame before detection."""

    enabled: bool = True
    width: int = Field(160, gt=0, description="Width of the downscaled grey frame.")
    threshold: int = Field(25, ge=1, le=255, description="Per-pixel grey difference that counts as motion.")
    min_fraction: float = Field(
        0.002, ge=0, le=1, description="Moving fraction of the frame that opens the gate."
    )
    detect_when: Literal["motion_or_tracks", "always"] = Field(
        "motion_or_tracks", description="Run detection only on motion or live tracks, or on every frame."
    )


class CameraConfig(StrictModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$", description="Identifier used in topics and rules.")
    url: str = Field(description='rtsp://, http(s):// (MJPEG), a file path, "usb:N" or "demo".')
    detect_fps: float = Field(5.0, gt=0, description="Frames per second sent to the detector.")
    realtime: bool | None = Field(None, description="Files: pace reading at the clip's fps (default true).")
    loop: bool = Field(False, description="Files: start again at the end.")
    open_timeout_s: float = Field(10.0, gt=0)
    read_timeout_s: float = Field(5.0, gt=0)
    enabled: bool = True
    motion: MotionConfig = MotionConfig()


class DetectorConfig(StrictModel):
    model: str = Field("yolov8n", description="A name from models/manifest.toml or a path to an .onnx file.")
    layout: Literal["auto", "yolo", "ssd"] = Field("auto", description="Output layout of a custom model.")
    labels: str | None = Field(None, description="Labels file for a custom model (one name per line).")
    input_size: int = Field(320, gt=0, multiple_of=32, description="Letterbox size (YOLO); SSD is fixed.")
    score_threshold: float = Field(0.35, gt=0, le=1)
    nms_iou: float = Field(0.45, gt=0, le=1)
    classes: list[str] = Field(default_factory=list, description="Keep only these labels; empty = all.")
    threads: int = Field(2, ge=1, le=64, description="ONNX Runtime intra-op threads.")


class TrackerConfig(StrictModel):
    type: Literal["bytetrack", "ocsort"] = "bytetrack"
    lost_track_s: float = Field(2.0, gt=0, description="Keep a lost track this long before dropping it.")
    min_hits: int = Field(2, ge=1, description="Detections before a track is reported.")
    stationary_s: float = Field(3.0, ge=0, description="Still this long before a track is stationary.")
    stationary_tolerance: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Movement of the box centre, as a fraction of its size, still counted as still.",
    )


class ZoneConfig(StrictModel):
    camera: str
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    points: list[Point] = Field(min_length=3, description="Polygon in relative coordinates (0..1).")
    anchor: Literal["bottom_center", "center", "top_center"] = "bottom_center"

    @field_validator("points")
    @classmethod
    def _relative(cls, points: list[Point]) -> list[Point]:
        for x, y in points:
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError(f"must be relative coordinates in 0..1 (got [{x}, {y}])")
        return points


class MqttConfig(StrictModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(1883, gt=0, lt=65536)
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    prefix: str = "watcher"
    keepalive_s: int = Field(60, gt=0)
    discovery_prefix: str = "homeassistant"


class NotifyTarget(StrictModel):
    urls: list[str] = Field(min_length=1, description="apprise URLs; use ${ENV} for secrets.")
    title: str = "{rule} on {camera}"
    body: str = "{label} in {zone} at {time}"


class StoreConfig(StrictModel):
    enabled: bool = True
    path: str = Field("watcher.db", description="SQLite file, relative to the config file.")
    snapshots_dir: str = Field("snapshots", description="Snapshot folder, relative to the config file.")


class LoggingConfig(StrictModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
    file: str | None = None
    max_mb: float = Field(10.0, gt=0)
    backups: int = Field(3, ge=0)


class Config(StrictModel):
    node_id: str = Field("watcher", pattern=r"^[a-z0-9_]+$", description="Unique per watcher node.")
    timezone: str = "UTC"
    cameras: list[CameraConfig] = Field(min_length=1)
    detector: DetectorConfig = DetectorConfig()
    tracker: TrackerConfig = TrackerConfig()
    zones: list[ZoneConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    mqtt: MqttConfig = MqttConfig()
    notify: dict[str, NotifyTarget] = Field(default_factory=dict)
    store: StoreConfig = StoreConfig()
    logging: LoggingConfig = LoggingConfig()

    @model_validator(mode="after")
    def _references(self) -> Config:
        cameras = [c.name for c in self.cameras]
        _unique(cameras, "cameras", "name")
        zones: dict[str, set[str]] = {c: set() for c in cameras}
        for i, zone in enumerate(self.zones):
            if zone.camera not in zones:
                raise _RefError(
                    f"zones[{i}].camera", f"unknown camera {zone.camera!r} (have: {', '.join(cameras)})"
                )
            if zone.name in zones[zone.camera]:
                raise _RefError(f"zones[{i}].name", f"duplicate zone {zone.name!r} on camera {zone.camera!r}")
            zones[zone.camera].add(zone.name)
        _unique([r.name for r in self.rules], "rules", "name")
        for i, rule in enumerate(self.rules):
            if rule.camera not in zones:
                raise _RefError(
                    f"rules[{i}].camera", f"unknown camera {rule.camera!r} (have: {', '.join(cameras)})"
                )
            if rule.zone is not None and rule.zone not in zones[rule.camera]:
                have = ", ".join(sorted(zones[rule.camera])) or "none"
                raise _RefError(
                    f"rules[{i}].zone", f"unknown zone {rule.zone!r} on camera {rule.camera!r} (have: {have})"
                )
            for j, target in enumerate(rule.notify):
                if target not in self.notify:
                    raise _RefError(f"rules[{i}].notify[{j}]", f"unknown notify target {target!r}")
        return self

    def camera(self, name: str) -> CameraConfig:
        """The camera called `name`; `KeyError` if there is none."""
        for camera in self.cameras:
            if camera.name == name:
                return camera
        raise KeyError(name)


class _RefError(ValueError):
    """A cross-reference error raised inside a validator; carries its own key path."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem


def _unique(names: list[str], table: str, key: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise _RefError(f"{table}[{i}].{key}", f"duplicate {key} {name!r}")
        seen.add(name)


_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def _substitute(value: Any, path: str, file: str, env: dict[str, str]) -> Any:
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable {name} is not set", file=file, key=path)

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {k: _substitute(v, f"{path}.{k}" if path else k, file, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, f"{path}[{i}]", file, env) for i, v in enumerate(value)]
    return value


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in KINDS:
            continue  # discriminated-union tag, not a key the user wrote
        else:
            out += f".{part}" if out else str(part)
    return out


def _num(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _problem(err: Any) -> str:
    kind, got = err["type"], err.get("input")
    ctx = {k: _num(v) for k, v in err.get("ctx", {}).items()}
    simple: dict[str, Callable[[], str]] = {
        "greater_than": lambda: f"must be > {ctx['gt']} (got {got!r})",
        "greater_than_equal": lambda: f"must be >= {ctx['ge']} (got {got!r})",
        "less_than": lambda: f"must be < {ctx['lt']} (got {got!r})",
        "less_than_equal": lambda: f"must be <= {ctx['le']} (got {got!r})",
        "multiple_of": lambda: f"must be a multiple of {ctx['multiple_of']} (got {got!r})",
        "extra_forbidden": lambda: "unknown key",
        "missing": lambda: "required key is missing",
        "literal_error": lambda: f"must be one of {ctx['expected']} (got {got!r})",
        "string_pattern_mismatch": lambda: f"must match {ctx['pattern']} (got {got!r})",
        "too_short": lambda: f"needs at least {ctx['min_length']} item(s) (got {ctx.get('actual_length')})",
        "union_tag_invalid": lambda: f"unknown kind {ctx.get('tag')!r} (expected one of: {', '.join(KINDS)})",
        "union_tag_not_found": lambda: "required key 'kind' is missing",
    }
    if kind in simple:
        return simple[kind]()
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg'][0].lower()}{err['msg'][1:]} (got {got!r})"


def _first_error(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    inner = err.get("ctx", {}).get("error")
    if isinstance(inner, _RefError):
        return inner.key, inner.problem
    key = _key_path(err["loc"])
    if err["type"].startswith("union_tag"):
        key += ".kind"
    return key, _problem(err)


def parse(data: dict[str, Any], file: str = "config.toml", env: dict[str, str] | None = None) -> Config:
    """Validate parsed TOML; raise `ConfigError` naming file, key path and problem."""
    data = _substitute(data, "", file, dict(os.environ) if env is None else env)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        key, problem = _first_error(exc)
        raise ConfigError(problem, file=file, key=key or None) from None


def loads(text: str, file: str = "config.toml", env: dict[str, str] | None = None) -> Config:
    """Parse TOML text into a `Config`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(
            f"invalid TOML: {problem}", file=file, line=int(match.group(1)) if match else None
        ) from None
    return parse(data, file, env)


def load(path: str | Path, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=str(path)) from None
    return loads(text, file=str(path), env=env)


def schema() -> dict[str, Any]:
    """JSON Schema of the config file, for editors."""
    return Config.model_json_schema()


def iter_rules(config: Config, camera: str) -> Iterator[RuleConfig]:
    """The rules of one camera, in config order."""
    return (rule for rule in config.rules if rule.camera == camera)


def check_classes(config: Config, labels: Sequence[str], file: str = "config.toml") -> None:
    """Every class a rule or the detector filter names must be one the model knows."""
    known = set(labels)
    hint = ", ".join(list(labels)[:6])
    for j, label in enumerate(config.detector.classes):
        if label not in known:
            raise ConfigError(
                f"unknown class {label!r} for model {config.detector.model} (e.g. {hint})",
                file=file,
                key=f"detector.classes[{j}]",
            )
    kept = set(config.detector.classes)
    for i, rule in enumerate(config.rules):
        for j, label in enumerate(rule.classes):
            key = f"rules[{i}].classes[{j}]"
            if label not in known:
                raise ConfigError(
                    f"unknown class {label!r} for model {config.detector.model} (e.g. {hint})",
                    file=file,
                    key=key,
                )
            if kept and label not in kept:
                raise ConfigError(f"class {label!r} is filtered out by detector.classes", file=file, key=key)
