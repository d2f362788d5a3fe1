"""Thin command line: parses arguments, loads config, calls into the package."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from watcher import __version__, config, logs, resources
from watcher.config import CameraConfig, Config
from watcher.errors import ConfigError, SinkError, WatcherError

if TYPE_CHECKING:
    from watcher.capture import Source
    from watcher.detect import Detector, ModelInfo
    from watcher.sinks.store import StoredEvent

log = logging.getLogger("watcher")


def _load(path: str | None) -> tuple[Config, Path]:
    """The config and the folder its relative paths resolve against.

    Without `-c`, `./config.toml` is used when present, else the embedded demo config
    (whose data files then go to the current folder).
    """
    if path is None:
        local = Path("config.toml")
        if local.exists():
            return config.load(local), Path.cwd()
        return config.loads(resources.example_config().read_text(), "config.example.toml"), Path.cwd()
    file = Path(path)
    return config.load(file), file.resolve().parent


def _camera(cfg: Config, name: str, key: str = "CAMERA") -> CameraConfig:
    """The camera called `name`; a one-line error naming the cameras there are when it is not one."""
    try:
        return cfg.camera(name)
    except KeyError:
        names = ", ".join(c.name for c in cfg.cameras)
        raise ConfigError(f"unknown camera {name!r} (have: {names})", key=key) from None


@contextmanager
def _open_camera(
    cfg: Config,
    base: Path,
    file: str | None,
    cam: CameraConfig,
    *,
    video: str | None = None,
    detect: bool = False,
) -> Iterator[Source]:
    """`cam`'s video (or the file `video` in its place) open to read flat out, once through; a file
    that is not there is a one-line error at its key (`cameras[i].url` or `--video`).

    `detect`: the stream the rules see (`detect_url` when set), not the main one.
    """
    from watcher.capture import demo_path, detect_stream, open_source, video_file_error
    from watcher.clock import SystemClock

    if video is not None:
        path = Path(video).resolve()
        if not path.is_file():
            raise ConfigError(f"no such video file: {video}", key="--video")
        read = cam.model_copy(update={"url": str(path), "detect_url": None})
    else:
        missing = video_file_error(cam, cfg.cameras.index(cam), base, file, detect=detect)
        if missing is not None:
            raise missing
        read = detect_stream(cam) if detect else cam
    if read.url.strip().lower() == "demo":
        # The demo camera plays in real time and loops; here its clip is read like any file.
        read = read.model_copy(update={"url": str(demo_path())})
    source = open_source(read.model_copy(update={"realtime": False, "loop": False}), SystemClock(), base)
    source.open()
    try:
        yield source
    finally:
        source.close()


def _detectors(
    cfg: Config, base: Path, file: str | None, cameras: Sequence[CameraConfig]
) -> dict[str, Detector]:
    """The detectors of `cameras`; a model problem is a config error at its key (`detector.model`)."""
    from watcher.detectors import load_camera_detectors

    names = {camera.name for camera in cameras}
    loaded = load_camera_detectors(
        cfg, base, only=lambda c: c.name in names, file=file or "config.example.toml"
    )
    if loaded.failures:
        raise next(iter(loaded.failures.values()))
    return loaded.detectors


def _located(exc: ConfigError, file: str | None) -> ConfigError:
    """`exc` naming the config file, when it was raised where the file is not known (the daemon)."""
    if exc.file is not None:
        return exc
    return ConfigError(exc.problem, file=file or "config.example.toml", key=exc.key, line=exc.line)


def _models_in_use(cfg: Config, detectors: dict[str, Detector]) -> str:
    """`model yolov8n_int8 (80 classes)`, or each distinct model when cameras have their own."""
    counts: dict[str, int] = {}
    for camera in (c for c in cfg.cameras if c.name in detectors):
        counts.setdefault(cfg.detector_for(camera).model, len(detectors[camera.name].labels))
    shown = ", ".join(f"{model} ({count} classes)" for model, count in counts.items())
    return f"{'model' if len(counts) == 1 else 'models'} {shown}"


def _check(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(config.schema(), indent=2))
        return 0
    cfg, base = _load(args.config)
    # As `watcher run`: a disabled camera's model is not loaded (it may be off for want of one).
    try:
        enabled = cfg.enabled_cameras()
    except ConfigError as exc:
        raise _located(exc, args.config) from None
    from watcher.capture import missing_video_files

    missing = missing_video_files(cfg, base, args.config or "config.example.toml")
    if missing:
        raise next(iter(missing.values()))
    detectors = _detectors(cfg, base, args.config, enabled)
    from watcher.sinks.notify import apprise_senders

    for name, target in cfg.notify.items():
        apprise_senders(name, target.urls, args.config or "config.example.toml")
    from watcher.rules.kinds.area_mask import check_area_examples
    from watcher.rules.kinds.votes import check_examples

    check_examples(cfg, base, args.config or "config.example.toml")
    check_area_examples(cfg, base, args.config or "config.example.toml")
    rules = len(cfg.rules)
    disabled = len(cfg.cameras) - len(enabled)
    print(
        f"ok: {len(cfg.cameras)} camera(s){f' ({disabled} disabled)' if disabled else ''}, "
        f"{len(cfg.zones)} zone(s), {rules} rule(s), "
        f"{_models_in_use(cfg, detectors)}"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    cfg, base = _load(args.config)
    logs.setup(cfg.logging, base)
    if args.tui:
        from watcher.tui import run_in_process

        try:
            run_in_process(cfg, base)
        except ConfigError as exc:
            raise _located(exc, args.config) from None
        return 0
    from watcher.daemon import Daemon

    try:
        daemon = Daemon(cfg, base)
    except ConfigError as exc:  # every camera's model failed, or a rule names a class the model lacks
        raise _located(exc, args.config) from None
    daemon.install_signal_handlers()
    log.info(
        "watcher %s: %d camera(s), %d rule(s); Ctrl-C to stop",
        __version__,
        len(daemon.pipelines),
        len(cfg.rules),
    )
    daemon.run()
    return 0


def _replay(args: argparse.Namespace) -> int:
    cfg, base = _load(args.config)
    logs.setup(cfg.logging.model_copy(update={"file": None}), base)
    from watcher.replay import ReplayOutputs, replay

    video = Path(args.video)
    if not video.is_file():
        raise ConfigError(f"no such video file: {video}")
    camera = _camera(cfg, args.camera, "--camera").name if args.camera else cfg.cameras[0].name
    detector = _detectors(cfg, base, args.config, [cfg.camera(camera)])[camera]
    outputs = ReplayOutputs(
        events=Path(args.events) if args.events else None,
        observations=Path(args.observations) if args.observations else None,
        annotate=Path(args.annotate) if args.annotate else None,
        report=Path(args.report) if args.report else None,
    )
    result = replay(video, cfg, camera, detector, outputs, progress=sys.stderr.isatty(), base_dir=base)
    print(
        f"{video.name}: {result.frames_read} frames read, {result.frames_processed} processed, "
        f"{result.frames_detected} detected, {len(result.events)} events, {result.seconds:.1f} s "
        f"({result.speed:.1f}x real time)"
    )
    return 0


def _classify(args: argparse.Namespace) -> int:
    from watcher.rules.kinds.votes import classify_file

    cfg, base = _load(args.config)
    vote = classify_file(cfg, base, args.rule, Path(args.image))
    print(f"{args.image}: {vote.label} (share {vote.share:.2f}, nearest similarity {vote.similarity:.3f})")
    return 0


def _rule_and_times(rule: str | None, at: Sequence[str] | None) -> tuple[str, tuple[float, ...]]:
    """The rule and the `--at` seconds; a rule written after the times (`--at 2 7.5 RULE`) is found there."""
    words = list(at or ())
    if rule is None and words and _seconds(words[-1]) is None:
        rule = words.pop()
    if rule is None:
        raise ConfigError(
            "missing: give the rule first: watcher examples RULE --label LABEL --at 2 7.5", key="RULE"
        )
    times: list[float] = []
    for word in words:
        seconds = _seconds(word)
        if seconds is None:
            raise ConfigError(f"must be seconds from the start, e.g. --at 2 7.5 (got {word!r})", key="--at")
        times.append(seconds)
    return rule, tuple(times)


def _seconds(word: str) -> float | None:
    try:
        seconds = float(word)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def _cut_examples(args: argparse.Namespace) -> int:
    from watcher.examples import Pick, cut_examples, example_rule, label_folder
    from watcher.rules.spec import MissingAssociateRule

    name, times = _rule_and_times(args.rule, args.at)
    cfg, base = _load(args.config)
    rule = example_rule(cfg, name)
    folder = label_folder(rule, args.label, base)
    if not times and args.every is None:
        raise ConfigError("give the times to cut (--at 2 7.5 12) or an interval (--every 5)", key="--at")
    if args.every is not None and args.every <= 0:
        raise ConfigError(f"must be > 0 (got {args.every:g})", key="--every")
    cam = cfg.camera(rule.camera)
    if args.video:
        prefix, count = Path(args.video).stem, args.count
    else:
        # A live camera never ends, so stop after 10 crops.
        prefix, count = cam.name, args.count if args.count is not None or times else 10
    detector = None
    if isinstance(rule, MissingAssociateRule):
        detector = _detectors(cfg, base, args.config, [cam])[cam.name]
    # The stream the running rule classifies.
    with _open_camera(cfg, base, args.config, cam, video=args.video, detect=True) as source:
        pick = Pick(times, args.every, count)
        written = cut_examples(cfg, rule, source, pick, folder, prefix=prefix, detector=detector)
    for path in written:
        print(path)
    print(
        f"{len(written)} crop(s) in {folder}; move any that is not {args.label!r} to its label, "
        f"then check: watcher classify IMAGE --rule {rule.name}"
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import cv2

    from watcher.annotate import FrameAnnotator

    cfg, base = _load(args.config)
    cam = _camera(cfg, args.camera)
    with _open_camera(cfg, base, args.config, cam) as source:
        frame = source.read()
    if frame is None:
        raise ConfigError(f"camera {cam.name} gave no frame", key="CAMERA")
    image = frame.image
    if args.zones:
        image = FrameAnnotator([z for z in cfg.zones if z.camera == cam.name]).draw(image, None)
    out = Path(args.output)
    if not cv2.imwrite(str(out), image):
        raise ConfigError(f"cannot write image {out}", key="--output")
    print(f"{out}: {frame.size[0]}x{frame.size[1]} from camera {cam.name}")
    return 0


def _mask(args: argparse.Namespace) -> int:
    import cv2

    from watcher.mask_preview import area_rule, preview, suggest_hsv

    cfg, base = _load(args.config)
    _, rule = area_rule(cfg, args.rule)
    cam = _camera(cfg, rule.camera)
    # The stream the rule measures (`detect_url` when set): its zone and colours are seen there.
    with _open_camera(cfg, base, args.config, cam, video=args.video, detect=True) as source:
        frame = source.read()
        while frame is not None and frame.timestamp < args.at:
            frame = source.read()
    if frame is None:
        raise ConfigError(f"camera {cam.name} gave no frame at {args.at} s", key="--at")
    detector = _detectors(cfg, base, args.config, [cam])[cam.name] if rule.classes else None
    shown = preview(cfg, base, rule.name, frame, detector)
    out = Path(args.output)
    if not cv2.imwrite(str(out), shown.image):
        raise ConfigError(f"cannot write image {out}", key="--output")
    print(
        f"{out}: {rule.name} measures {shown.fraction:.3f} of zone {rule.zone or '(whole frame)'} "
        f"({int(shown.mask.sum())} px) at {frame.timestamp:.1f} s"
    )
    if args.suggest_hsv:
        for i, suggestion in enumerate(suggest_hsv(frame.image, shown.zone)):
            note = "the dominant colour" if i == 0 else f"colour {i + 1}"
            print(f"{suggestion.toml()}   # {note}: covers {suggestion.share:.3f} of the zone")
    return 0


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "1883")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"expected HOST[:PORT] (got {value!r})", key="--mqtt")
    return host, int(port)


def _bench(args: argparse.Namespace) -> int:
    cfg, base = _load(args.config)
    logs.setup(cfg.logging.model_copy(update={"file": None, "level": "WARNING"}), base)
    from watcher.bench import BenchOptions, run_bench

    if args.cameras < 1:
        raise ConfigError(f"must be at least 1 (got {args.cameras})", key="--cameras")
    if args.seconds <= 0:
        raise ConfigError(f"must be > 0 (got {args.seconds})", key="--seconds")
    options = BenchOptions(
        video=Path(args.video) if args.video else None,
        cameras=args.cameras,
        seconds=args.seconds,
        realtime=args.realtime,
        mqtt=_host_port(args.mqtt) if args.mqtt else None,
        in_step=args.in_step,
    )
    first = cfg.cameras[0]
    result = run_bench(cfg, base, options, detector=_detectors(cfg, base, args.config, [first])[first.name])
    print(result.table())
    if args.json:
        result.write_json(Path(args.json))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from watcher.calibrate import calibrate, parse_points, prompt_points

    cfg, _ = _load(args.config)
    _camera(cfg, args.camera)
    if args.image_points and args.world_points:
        image = parse_points(args.image_points, "--image-points")
        world = parse_points(args.world_points, "--world-points")
    else:
        image, world = prompt_points(input)
    size = None
    if args.frame_size:
        width, _, height = args.frame_size.partition("x")
        if not (width.isdigit() and height.isdigit()):
            raise ConfigError(f"expected WIDTHxHEIGHT (got {args.frame_size!r})", key="--frame-size")
        size = (int(width), int(height))
    result = calibrate(args.camera, image, world, size)
    print(result.toml())
    print(f"# reprojection error: {result.error_m:.3f} m (mean of {len(image)} points; 0 with exactly 4)")
    return 0


def _models(args: argparse.Namespace) -> int:
    from watcher.detect import config_model_info, list_models

    infos = list_models()
    if args.config is not None:
        cfg, base = _load(args.config)
        seen: set[Path] = set()
        for detector in [cfg.detector, *(cfg.detector_for(c) for c in cfg.cameras)]:
            info = config_model_info(detector, base)
            if info is not None and info.file not in seen:
                seen.add(info.file)
                infos.append(info)
    rows = [("name", "layout", "input", "classes", "license", "file")]
    for m in infos:
        rows.append(
            (
                m.name,
                m.layout,
                str(m.input_size),
                str(m.class_count),
                m.license,
                _model_file_cell(m),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _model_file_cell(m: ModelInfo) -> str:
    if not m.present:
        return f"{m.file} (missing)"
    return str(m.file) if m.valid else f"{m.file} (does not load)"


def _notify_test(args: argparse.Namespace) -> int:
    from watcher.sinks.notify import sample_snapshot, send_test

    cfg, base = _load(args.config)
    logs.setup(cfg.logging.model_copy(update={"file": None}), base)  # shows why a service failed
    results = send_test(cfg, args.name, sample_snapshot())
    for service, ok in results:
        print(f"notify-test {args.name}: {service}: {'sent' if ok else 'FAILED'}")
    failed = [service for service, ok in results if not ok]
    if failed:
        raise SinkError("notify", f"{args.name}: not delivered to {', '.join(failed)}")
    return 0


def _history(args: argparse.Namespace, cfg: Config, base: Path) -> list[StoredEvent]:
    """The stored events `watcher events` / `watcher export` asked for."""
    from watcher.clock import SystemClock
    from watcher.history import parse_since
    from watcher.sinks.assemble import data_path
    from watcher.sinks.store import EventStore

    path = data_path(cfg.store.path, base)
    if not path.is_file():
        raise SinkError("store", f"no event store at {path} (run `watcher run` first)")
    since = parse_since(args.since, SystemClock().wall(), cfg.timezone) if args.since else None
    store = EventStore(path)
    try:
        return store.history(since, getattr(args, "rule", None), limit=getattr(args, "limit", None))
    finally:
        store.close()


def _events(args: argparse.Namespace) -> int:
    from watcher.history import json_line, table

    cfg, base = _load(args.config)
    events = _history(args, cfg, base)
    lines = [json_line(e, cfg.timezone) for e in events] if args.json else table(events, cfg.timezone)
    for line in lines:
        print(line)
    return 0


def _export(args: argparse.Namespace) -> int:
    from watcher.history import write_csv

    cfg, base = _load(args.config)
    events = _history(args, cfg, base)
    if args.output == "-":
        write_csv(events, sys.stdout, cfg.timezone)
        return 0
    out = Path(args.output)
    try:
        with out.open("w", newline="", encoding="utf-8") as file:
            write_csv(events, file, cfg.timezone)
    except OSError as exc:
        raise ConfigError(f"cannot write {out}: {exc.strerror or exc}", key="--output") from None
    print(f"{out}: {len(events)} event(s)")
    return 0


def _tui(args: argparse.Namespace) -> int:
    from watcher.tui import run_over_mqtt

    run_over_mqtt(
        args.mqtt, username=args.username, password_env=args.password_env, prefix=args.prefix, node=args.node
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="watcher", description=__doc__)
    parser.add_argument("--version", action="version", version=f"watcher {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str,
        func: Callable[[argparse.Namespace], int],
        help_: str,
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("-c", "--config", help="config file (default: ./config.toml, else the demo)")

    p = command("run", _run, "run the daemon")
    with_config(p)
    p.add_argument("--tui", action="store_true", help="with the terminal dashboard (see docs/tui.md)")
    p = command("check-config", _check, "validate a config file (exit 0 valid, 2 invalid)")
    with_config(p)
    p.add_argument("--schema", action="store_true", help="print the config JSON Schema and exit")
    p = command("replay", _replay, "run the pipeline on a recording as fast as possible")
    p.add_argument("video")
    with_config(p)
    p.add_argument("--camera", help="camera whose zones and rules apply (default: the first)")
    p.add_argument("--events", help="write event JSON lines here")
    p.add_argument("--observations", help="write one observation JSON line per processed frame")
    p.add_argument("--annotate", help="write an annotated video (.mp4) here")
    p.add_argument("--report", help="write a timeline of counts and rule states (.png/.svg/.pdf) here")
    p = command("classify", _classify, "print the few-shot vote of a rule's classifier on an image")
    p.add_argument("image")
    p.add_argument("--rule", required=True, help="a state or missing_associate rule of the config")
    with_config(p)
    p = command(
        "examples",
        _cut_examples,
        "cut a state rule's zone crops, or each person's item band, into the rule's example folders",
    )
    # Optional here only so that `--at 2 7.5 RULE`, where --at swallows the rule, still works.
    p.add_argument("rule", nargs="?", metavar="RULE", help="a state or missing_associate rule of the config")
    p.add_argument("--label", required=True, help="the folder to fill: open, closed, no_hardhat, ...")
    p.add_argument("--video", help="a recording to cut from (default: the rule's camera, live)")
    p.add_argument("--at", nargs="+", metavar="SECONDS", help="seconds from the start: 2 7.5")
    p.add_argument("--every", type=float, metavar="SECONDS", help="one frame every N seconds")
    p.add_argument("--count", type=int, help="at most N frames (default: 10 from a live camera with --every)")
    with_config(p)
    p = command("calibrate", _calibrate, "map image points to ground metres (prints a ground_plane block)")
    p.add_argument("camera")
    p.add_argument("--image-points", help='e.g. "0.31,0.62 0.70,0.60 0.80,0.98 0.22,0.98" (relative)')
    p.add_argument("--world-points", help='the same points on the ground in metres, e.g. "0,0 4,0 4,6 0,6"')
    p.add_argument("--frame-size", help="WIDTHxHEIGHT when the image points are pixels")
    with_config(p)
    p = command("snapshot", _snapshot, "save one frame of a camera (for drawing zones)")
    p.add_argument("camera")
    p.add_argument("-o", "--output", default="frame.jpg")
    p.add_argument("--zones", action="store_true", help="draw the camera's zones on it")
    with_config(p)
    p = command("bench", _bench, "measure the pipeline per stage against the raw detector")
    with_config(p)
    p.add_argument("--video", help="video file every camera reads, looping (default: the first camera's)")
    p.add_argument("--cameras", type=int, default=1, help="copies of the first camera (default 1)")
    p.add_argument("--seconds", type=float, default=10.0, help="pipeline time to measure (default 10)")
    p.add_argument("--realtime", action="store_true", help="read at the video's fps (default: flat out)")
    p.add_argument("--json", metavar="OUT", help="also write the figures as JSON here")
    p.add_argument("--mqtt", metavar="HOST[:PORT]", help="publish events to this broker and time them")
    p.add_argument(
        "--in-step",
        action="store_true",
        help="all cameras at the same point of the clip (worst case; default: camera i starts i/N in)",
    )
    p = command("mask", _mask, "draw the mask an area rule measures on one frame; suggest an HSV range")
    p.add_argument("rule", help="an area rule of the config")
    p.add_argument("-o", "--output", default="mask.png", help="PNG to write (default: mask.png)")
    p.add_argument("--video", help="read this recording instead of the rule's camera")
    p.add_argument(
        "--at", type=float, default=0.0, metavar="SECONDS", help="the frame at this time (default 0)"
    )
    p.add_argument("--suggest-hsv", action="store_true", help="print HSV ranges of the zone's main colours")
    with_config(p)
    models = command("models", _models, "model files")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    p = models_sub.add_parser("list", help="list model files with classes, input size and license")
    p.add_argument(
        "-c", "--config", help="also list the .onnx files this config names, with their detected layout"
    )
    p = command("tui", _tui, "terminal dashboard of the watcher nodes that publish to an MQTT broker")
    p.add_argument("--mqtt", required=True, metavar="HOST[:PORT]", help="the broker (port 1883 by default)")
    p.add_argument("--username", help="broker user name")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the broker password")
    p.add_argument("--node", help="show only this node at start (its topic prefix); n steps through nodes")
    p.add_argument("--prefix", help="follow only the node with this topic prefix (default: every node found)")
    p = command("notify-test", _notify_test, "send a test notification with a sample snapshot")
    p.add_argument("name", help="a [notify.<name>] target of the config")
    with_config(p)
    p = command("events", _events, "list stored events, oldest first")
    p.add_argument("--since", help="e.g. 1h, 30m, 2d, or a date 2026-01-31")
    p.add_argument("--rule", help="only this rule")
    p.add_argument("--limit", type=int, default=1000, help="at most this many, the latest (default 1000)")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    with_config(p)
    p = command("export", _export, "write stored events as CSV")
    p.add_argument("-o", "--output", default="-", help="CSV file (default: stdout)")
    p.add_argument("--since", help="e.g. 1h, 30m, 2d, or a date 2026-01-31")
    with_config(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `watcher` console script."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return 2
    except WatcherError as exc:
        print(f"watcher: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
