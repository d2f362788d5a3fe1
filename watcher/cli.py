"""Thin command line: parses arguments, loads config, calls into the package."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from watcher import __version__, config, logs, resources
from watcher.config import Config
from watcher.errors import ConfigError, ModelError, WatcherError

if TYPE_CHECKING:
    from watcher.detect import Detector

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


def _detector(cfg: Config, base: Path, file: str | None) -> Detector:
    """The configured detector; a model problem is reported as a config error on `detector.model`."""
    from watcher.detect import load_detector

    try:
        detector = load_detector(cfg.detector, base)
    except ModelError as exc:
        raise ConfigError(str(exc), file=file or "config.example.toml", key="detector.model") from None
    config.check_classes(cfg, detector.labels, file or "config.example.toml")
    return detector


def _check(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(config.schema(), indent=2))
        return 0
    cfg, base = _load(args.config)
    detector = _detector(cfg, base, args.config)
    rules = len(cfg.rules)
    print(
        f"ok: {len(cfg.cameras)} camera(s), {len(cfg.zones)} zone(s), {rules} rule(s), "
        f"model {cfg.detector.model} ({len(detector.labels)} classes)"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    cfg, base = _load(args.config)
    logs.setup(cfg.logging, base)
    from watcher.daemon import Daemon

    daemon = Daemon(cfg, base, detector=_detector(cfg, base, args.config))
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
    camera = args.camera or cfg.cameras[0].name
    try:
        cfg.camera(camera)
    except KeyError:
        names = ", ".join(c.name for c in cfg.cameras)
        raise ConfigError(f"unknown camera {camera!r} (have: {names})", key="--camera") from None
    detector = _detector(cfg, base, args.config)
    outputs = ReplayOutputs(
        events=Path(args.events) if args.events else None,
        observations=Path(args.observations) if args.observations else None,
        annotate=Path(args.annotate) if args.annotate else None,
    )
    result = replay(video, cfg, camera, detector, outputs, progress=sys.stderr.isatty(), base_dir=base)
    print(
        f"{video.name}: {result.frames_read} frames read, {result.frames_processed} processed, "
        f"{len(result.events)} events, {result.seconds:.1f} s ({result.speed:.1f}x real time)"
    )
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    import cv2

    from watcher.annotate import FrameAnnotator
    from watcher.capture import open_source
    from watcher.clock import SystemClock

    cfg, base = _load(args.config)
    try:
        cam = cfg.camera(args.camera)
    except KeyError:
        names = ", ".join(c.name for c in cfg.cameras)
        raise ConfigError(f"unknown camera {args.camera!r} (have: {names})", key="CAMERA") from None
    source = open_source(cam.model_copy(update={"realtime": False}), SystemClock(), base)
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
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


def _models(args: argparse.Namespace) -> int:
    from watcher.detect import list_models

    rows = [("name", "layout", "input", "classes", "license", "file")]
    for m in list_models():
        rows.append(
            (
                m.name,
                m.layout,
                str(m.input_size),
                str(m.class_count),
                m.license,
                str(m.file) if m.present else f"{m.file} (missing)",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
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
    p = command("snapshot", _snapshot, "save one frame of a camera (for drawing zones)")
    p.add_argument("camera")
    p.add_argument("-o", "--output", default="frame.jpg")
    p.add_argument("--zones", action="store_true", help="draw the camera's zones on it")
    with_config(p)
    models = command("models", _models, "model files")
    models_sub = models.add_subparsers(dest="models_command", required=True)
    models_sub.add_parser("list", help="list model files with classes, input size and license")
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
