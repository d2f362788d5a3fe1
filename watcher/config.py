"""The config file as pydantic models; every error is one line with file and key path."""

from __future__ import annotations

import json
import os
import re
import string
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from datetime import time as dt_time
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator

from watcher.errors import ConfigError
from watcher.ground import GroundError, GroundPlane
from watcher.includes import expand_includes
from watcher.rules.schedule import zone_info
from watcher.rules.spec import (
    KINDS,
    RelativePoints,
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
from watcher.source_url import redact_url, source_kind
from watcher.strict import Pair, StrictModel

Point = Pair
EventTypeName = Literal["start", "update", "end"]
TEMPLATE_FIELDS = ("rule", "camera", "zone", "label", "count", "time", "type")
"""Placeholders of notification templates."""


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
    refresh_s: float = Field(
        5.0,
        ge=0,
        allow_inf_nan=False,
        description="With nothing moving and no live track, detect anyway after this many seconds, so "
        "still things (people at desks, a parked car) are seen; 0 = only on motion. Detection also runs "
        "on the first frame after start and after a reconnect.",
    )


class GroundPlaneConfig(StrictModel):
    """Four or more image points (relative 0..1) and where they lie on the ground, in metres."""

    image_points: RelativePoints = Field(min_length=4, description="Relative (0..1) points in the image.")
    world_points: list[Point] = Field(min_length=4, description="The same points on the ground, metres.")

    @model_validator(mode="after")
    def _plane(self) -> GroundPlaneConfig:
        try:
            GroundPlane(self.image_points, self.world_points)
        except GroundError as exc:
            raise ValueError(str(exc)) from None
        return self


class DetectorConfig(StrictModel):
    """The object detector: model and thresholds; under a camera, keys not set come from `[detector]`."""

    model: str = Field(
        "yolov8n_int8",
        description="A name from models/manifest.toml (yolov8n_int8; yolov8n: the float32 original; "
        "ssd_mobilenet_v2: Apache-2.0) or a path to an .onnx file.",
    )
    layout: Literal["auto", "yolo", "yolo_seg", "ssd"] = Field(
        "auto",
        description="Output layout of a custom model; `auto` tells it from the outputs. `yolo_seg`: a "
        "YOLOv8/YOLO11-seg export, whose instance masks `area` and `occupancy` rules can measure.",
    )
    labels: str | None = Field(None, description="Labels file for a custom model (one name per line).")
    input_size: int = Field(320, gt=0, multiple_of=32, description="Letterbox size (YOLO); SSD is fixed.")
    score_threshold: float = Field(0.35, gt=0, le=1)
    nms_iou: float = Field(0.45, gt=0, le=1)
    classes: list[str] = Field(default_factory=list, description="Keep only these labels; empty = all.")
    threads: int = Field(2, ge=1, le=64, description="ONNX Runtime intra-op threads.")


class CameraConfig(StrictModel):
    name: str = Field(pattern=r"^[a-z0-9_]+$", description="Identifier used in topics and rules.")
    url: str = Field(description='rtsp://, http(s):// (MJPEG), a file path, "usb:N" or "demo".')
    detect_url: str | None = Field(
        None, description="A lower-resolution substream the detector reads instead of `url` (as Frigate)."
    )
    detect_fps: float = Field(
        5.0, gt=0, allow_inf_nan=False, description="Frames per second sent to the detector."
    )
    stationary_detect_fps: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="While nothing moves and every track is stationary, detect only this often and "
        "reuse the last detections in between (needs the motion gate; unset: always detect_fps).",
    )
    realtime: bool | None = Field(None, description="Files: pace reading at the clip's fps (default true).")
    loop: bool = Field(False, description="Files: start again at the end.")
    # inf would overflow OpenCV's integer millisecond timeouts in the capture thread.
    open_timeout_s: float = Field(10.0, gt=0, allow_inf_nan=False)
    read_timeout_s: float = Field(5.0, gt=0, allow_inf_nan=False)
    enabled: bool = True
    motion: MotionConfig = MotionConfig()
    ground_plane: GroundPlaneConfig | None = Field(
        None, description="Image-to-ground calibration for metres and m² (`watcher calibrate`)."
    )
    detector: DetectorConfig | None = Field(
        None,
        description='This camera\'s own detector keys, e.g. `{ model = "ssd_mobilenet_v2" }`; keys not '
        "given come from `[detector]`. Cameras with the same model and threads share it in memory.",
    )

    @field_validator("url", "detect_url")
    @classmethod
    def _source_url(cls, url: str | None) -> str | None:
        if url is not None:
            try:
                source_kind(url)
            except ValueError as exc:
                raise ValueError(f"{exc} (got {redact_url(url)!r})") from None
        return url


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
    points: RelativePoints = Field(min_length=3, description="Polygon in relative coordinates (0..1).")
    anchor: Literal["bottom_center", "center", "top_center"] = "bottom_center"


class MqttConfig(StrictModel):
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(1883, gt=0, lt=65536)
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    prefix: str = Field(
        "watcher", description="Topic prefix; defaults to node_id, so nodes on one broker never collide."
    )
    keepalive_s: int = Field(60, gt=0)
    discovery_prefix: str = "homeassistant"
    node_name: str | None = Field(
        None, description='Name of the node device in Home Assistant; default "watcher <node_id>".'
    )
    qos: Literal[0, 1] = Field(
        1, description="QoS of retained states, counts and discovery; events are always QoS 1."
    )
    outbox_max: int = Field(
        10000,
        ge=1,
        le=1_000_000,
        description="Events kept while the broker is down; past it the oldest are dropped.",
    )
    bridge_state_topic: str | None = Field(
        None,
        description=(
            "The `notification_topic` of the mosquitto bridge this node publishes through (1 up, 0 down):"
            " Home Assistant and the fleet dashboard show the node unavailable while it reads 0."
        ),
    )
    tls: bool = Field(False, description="Connect with TLS (port 8883 usually).")
    ca_file: str | None = Field(None, description="CA certificate (PEM); default: the system's CAs.")
    certfile: str | None = Field(None, description="Client certificate (PEM) for mutual TLS.")
    keyfile: str | None = Field(None, description="Client key (PEM) for mutual TLS.")
    tls_insecure: bool = Field(
        False, description="Skip the broker hostname check (never on untrusted networks)."
    )

    @field_validator("bridge_state_topic")
    @classmethod
    def _topic_name(cls, value: str | None) -> str | None:
        # Home Assistant subscribes to it as an availability topic: one exact topic, no filter.
        if value is not None and (not value or "+" in value or "#" in value or "\0" in value):
            raise ValueError(f"expected one topic name, without + or # (got {value!r})")
        return value

    @model_validator(mode="after")
    def _tls_files(self) -> MqttConfig:
        if not self.tls and (self.ca_file or self.certfile or self.keyfile or self.tls_insecure):
            raise ValueError("ca_file, certfile, keyfile and tls_insecure need tls = true")
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("certfile and keyfile go together")
        if self.bridge_state_topic is not None and self.bridge_state_topic.startswith(f"{self.prefix}/"):
            # The bridge forwards the node's topics: its own local `0` would follow it up and land
            # on the central broker after the `1` of its next connection.
            raise ValueError(
                f"bridge_state_topic {self.bridge_state_topic!r} must not be under the node's prefix "
                f"{self.prefix + '/'!r}, which the bridge forwards"
            )
        return self


class NotifyTarget(StrictModel):
    urls: list[str] = Field(min_length=1, description="apprise URLs; use ${ENV} for secrets.")
    title: str = Field(
        "{rule} on {camera}",
        description="Template with {rule} {camera} {zone} {label} {count} {time} {type}.",
    )
    body: str = Field("{count} {label} in {zone} at {time}", description="Template, like `title`.")
    on: list[EventTypeName] = Field(
        default_factory=lambda: list[EventTypeName](["start"]),
        description="Event types that send a notification.",
    )
    rate_limit_s: float = Field(60.0, ge=0, description="At most one notification per rule this often.")
    retries: int = Field(3, ge=0, le=10, description="Retries after a failed send, with backoff.")

    @field_validator("title", "body")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"invalid template: {exc}") from None
        unknown = sorted(names - set(TEMPLATE_FIELDS))
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}} (have: {', '.join(TEMPLATE_FIELDS)})")
        return value


class StoreConfig(StrictModel):
    enabled: bool = True
    path: str = Field("watcher.db", description="SQLite file, relative to the config file.")
    snapshots_dir: str = Field("snapshots", description="Snapshot folder, relative to the config file.")
    snapshots: bool = Field(True, description="Save a JPEG with the boxes drawn for each event.")
    snapshot_quality: int = Field(85, ge=10, le=100, description="JPEG quality of snapshots.")
    retention_days: float = Field(30.0, gt=0, description="Delete events, samples and snapshots older.")
    snapshots_max_mb: float = Field(500.0, gt=0, description="Delete the oldest snapshots past this total.")
    count_sample_s: float = Field(60.0, gt=0, description="Min seconds between count samples.")


class LoggingConfig(StrictModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
    file: str | None = None
    max_mb: float = Field(10.0, gt=0)
    backups: int = Field(3, ge=0)


class Config(StrictModel):
    node_id: str = Field("watcher", pattern=r"^[a-z0-9_]+$", description="Unique per watcher node.")
    timezone: str = Field("UTC", description="IANA time zone of rule schedules, e.g. Europe/Berlin.")
    cameras: list[CameraConfig] = Field(min_length=1)
    detector: DetectorConfig = DetectorConfig()
    tracker: TrackerConfig = TrackerConfig()
    zones: list[ZoneConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    mqtt: MqttConfig = MqttConfig()
    notify: dict[str, NotifyTarget] = Field(default_factory=dict)
    store: StoreConfig = StoreConfig()
    logging: LoggingConfig = LoggingConfig()
    include: list[str] = Field(
        default_factory=list, description="Recipe files whose [[zones]] and [[rules]] are added."
    )

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, name: str) -> str:
        try:
            zone_info(name)
        except ConfigError as exc:
            raise ValueError(exc.problem) from None
        return name

    @model_validator(mode="before")
    @classmethod
    def _prefix_from_node_id(cls, data: Any) -> Any:
        # Two nodes on one broker must not share topics: the prefix follows node_id unless set.
        if isinstance(data, dict) and isinstance(data.get("node_id"), str):
            mqtt = data.get("mqtt", {})
            if isinstance(mqtt, dict) and "prefix" not in mqtt:
                data = {**data, "mqtt": {**mqtt, "prefix": data["node_id"]}}
        return data

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

    @model_validator(mode="after")
    def _ground_measures(self) -> Config:
        calibrated = {c.name for c in self.cameras if c.ground_plane is not None}
        for i, rule in enumerate(self.rules):
            measure = getattr(rule, "measure", None)
            if measure in ("length_m", "length_utilisation", "m2") and rule.camera not in calibrated:
                raise _RefError(
                    f"rules[{i}].measure",
                    f"{measure!r} needs a ground_plane on camera {rule.camera!r} (see `watcher calibrate`)",
                )
            if measure in ("length_m", "length_utilisation") and rule.zone is None:
                raise _RefError(f"rules[{i}].measure", f"{measure!r} needs a `zone` (the kerb)")
        return self

    def camera(self, name: str) -> CameraConfig:
        """The camera called `name`; `KeyError` if there is none."""
        for camera in self.cameras:
            if camera.name == name:
                return camera
        raise KeyError(name)

    def enabled_cameras(self) -> list[CameraConfig]:
        """The cameras `watcher run` watches; a `ConfigError` at `cameras` when every one is disabled."""
        enabled = [camera for camera in self.cameras if camera.enabled]
        if not enabled:
            raise ConfigError("every camera has enabled = false: nothing to watch", key="cameras")
        return enabled

    def notifies(self) -> bool:
        """True when a rule sends notifications (targets no rule names send nothing)."""
        return any(rule.notify for rule in self.rules)

    def detector_for(self, camera: CameraConfig) -> DetectorConfig:
        """The camera's effective detector: the keys it sets in its own `detector` over `[detector]`."""
        own = camera.detector
        if own is None:
            return self.detector
        return self.detector.model_copy(update={key: getattr(own, key) for key in own.model_fields_set})

    def detector_key(self, index: int, key: str) -> str:
        """Where camera `index` takes detector `key` from: `cameras[i].detector.<key>` or `detector.<key>`."""
        own = self.cameras[index].detector
        return (
            f"cameras[{index}].detector.{key}" if own and key in own.model_fields_set else f"detector.{key}"
        )


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


def _substitute(value: Any, path: str, file: str, env: dict[str, str], used: set[str]) -> Any:
    """`value` with every `${NAME}` replaced; the key paths of the strings that had one go in `used`."""
    if isinstance(value, str):

        def repl(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            used.add(path)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable {name} is not set", file=file, key=path)

        return _ENV.sub(repl, value)
    if isinstance(value, dict):
        return {
            k: _substitute(v, f"{path}.{_toml_key(k)}" if path else _toml_key(k), file, env, used)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_substitute(v, f"{path}[{i}]", file, env, used) for i, v in enumerate(value)]
    return value


# An environment variable is always text: `port = "${MQTT_PORT}"` is read as the number it holds.
_FROM_TEXT: dict[str, TypeAdapter[Any]] = {
    "bool_type": TypeAdapter(bool),
    "int_type": TypeAdapter(int),
    "float_type": TypeAdapter(float),
}


def _typed_env(data: dict[str, Any], exc: ValidationError, used: set[str]) -> bool:
    """Convert, in place, each substituted string that failed only for not being a number or boolean."""
    changed = False
    for err in exc.errors():
        adapter = _FROM_TEXT.get(err["type"])
        loc = _data_loc(err["loc"])
        if adapter is None or _key_path(loc) not in used:
            continue
        try:
            value = adapter.validate_python(err["input"])
        except ValidationError:
            continue
        node: Any = data
        for part in loc[:-1]:
            node = node[part]
        node[loc[-1]] = value
        changed = True
    return changed


def _data_loc(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """An error location as a path into the TOML data: without the rule's discriminated-union tag."""
    if len(loc) > 2 and loc[0] == "rules" and loc[2] in KINDS:
        return loc[:2] + loc[3:]
    return loc


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in _data_loc(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_toml_key(part)}" if out else _toml_key(part)
    return out


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be, else quoted, so a message stays on one line."""
    return key if _BARE_KEY.match(key) else json.dumps(key)


def _num(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


class _Shown(str):
    """A TOML value shown as written (`1979-05-27`), not as its Python repr."""

    def __repr__(self) -> str:
        return str(self)


def _unquote(got: Any, kind: type) -> str:
    """`, without quotes` when a quoted TOML string holds a value of the expected kind."""
    if not isinstance(got, str):
        return ""
    text = got.strip()
    if kind is bool:
        return ", without quotes" if text in ("true", "false") else ""
    try:
        kind(text)
    except ValueError:
        return ""
    return ", without quotes"


def _problem(err: Any) -> str:
    kind, got = err["type"], err.get("input")
    if isinstance(got, date | dt_time):
        got = _Shown(got.isoformat())
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
        "too_long": lambda: f"must have at most {ctx['max_length']} item(s) (got {ctx.get('actual_length')})",
        "model_type": lambda: f"must be a table (got {got!r})",
        "dict_type": lambda: f"must be a table (got {got!r})",
        "list_type": lambda: f"must be an array (got {got!r})",
        "tuple_type": lambda: f"must be an array (got {got!r})",
        "bool_type": lambda: f"must be true or false{_unquote(got, bool)} (got {got!r})",
        "int_type": lambda: f"must be an integer{_unquote(got, int)} (got {got!r})",
        "float_type": lambda: f"must be a number{_unquote(got, float)} (got {got!r})",
        "string_type": lambda: f"must be a string (got {got!r})",
        "finite_number": lambda: f"must be a finite number (got {got!r})",
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
    loc, got = err["loc"], err.get("input")
    if err["type"] == "missing" and loc and isinstance(loc[-1], int) and isinstance(got, list | tuple):
        # A short fixed-size array ([x, y], [h, s, v]): name the array, not the absent slot.
        return _key_path(loc[:-1]), f"needs at least {loc[-1] + 1} item(s) (got {len(got)})"
    return key, _problem(err)


# Python's recursion limit, hit by arrays or tables nested hundreds deep, is not a crash to show a user.
_TOO_DEEP = "arrays or tables nested too deeply"


def parse(data: dict[str, Any], file: str = "config.toml", env: dict[str, str] | None = None) -> Config:
    """Validate parsed TOML; raise `ConfigError` naming file, key path and problem."""
    try:
        used: set[str] = set()
        data = _substitute(data, "", file, dict(os.environ) if env is None else env, used)
        try:
            return Config.model_validate(data)
        except ValidationError as exc:
            if not _typed_env(data, exc, used):
                raise
        return Config.model_validate(data)
    except ValidationError as exc:
        key, problem = _first_error(exc)
        raise ConfigError(problem, file=file, key=key or None) from None
    except RecursionError:
        raise ConfigError(_TOO_DEEP, file=file) from None


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
    except RecursionError:
        raise ConfigError(f"invalid TOML: {_TOO_DEEP}", file=file) from None
    data, origins = expand_includes(data, file)
    try:
        return parse(data, file, env)
    except ConfigError as exc:
        raise origins.relocate(exc) from None


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


def check_classes(
    config: Config, labels: Sequence[str] | Mapping[str, Sequence[str]], file: str | None = "config.toml"
) -> None:
    """Every class a rule or a detector filter names must be one its camera's model knows.

    `labels` are the model's class names, or per camera name when cameras have their own models
    (a camera missing from the mapping, whose model failed to load, is not checked).
    """
    for i, camera in enumerate(config.cameras):
        known = labels if not isinstance(labels, Mapping) else labels.get(camera.name)
        if known is not None:
            _check_camera_classes(config, i, known, file)


def _check_camera_classes(config: Config, index: int, labels: Sequence[str], file: str | None) -> None:
    camera = config.cameras[index]
    detector = config.detector_for(camera)
    hint = ", ".join(list(labels)[:6])
    unknown = f"for model {detector.model} (e.g. {hint})"
    filter_key = config.detector_key(index, "classes")
    for j, label in enumerate(detector.classes):
        if label not in labels:
            raise ConfigError(f"unknown class {label!r} {unknown}", file=file, key=f"{filter_key}[{j}]")
    kept = set(detector.classes)
    for i, rule in enumerate(config.rules):
        if rule.camera != camera.name:
            continue
        for j, label in enumerate(rule.classes):
            key = f"rules[{i}].classes[{j}]"
            if label not in labels:
                raise ConfigError(f"unknown class {label!r} {unknown}", file=file, key=key)
            if kept and label not in kept:
                raise ConfigError(f"class {label!r} is filtered out by {filter_key}", file=file, key=key)
