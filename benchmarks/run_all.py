"""Runs the issue-7 scenarios with `watcher bench` and writes benchmarks/results/*.json.

Run: .venv/bin/python benchmarks/run_all.py [SECONDS [SCENARIO...]]   (about 4 x SECONDS in all)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from watcher import config, resources
from watcher.bench import BenchOptions, BenchResult, make_static_clip, run_bench

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BOTTLE = HERE.parent / "tests" / "data" / "bottle-detection.mp4"


def scenario(
    name: str, cfg_file: Path | None, options: BenchOptions, model: str | None = None
) -> BenchResult:
    """One bench run, optionally with another model; prints its table and writes results/<name>.json."""
    if cfg_file is None:
        cfg, base = config.loads(resources.example_config().read_text(), "config.example.toml"), HERE
    else:
        cfg, base = config.load(cfg_file), cfg_file.parent
    if model is not None:
        cfg = cfg.model_copy(update={"detector": cfg.detector.model_copy(update={"model": model})})
    result = run_bench(cfg, base, options)
    print(f"== {name}\n{result.table()}\n", flush=True)
    result.write_json(RESULTS / f"{name}.json")
    return result


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    only = set(sys.argv[2:])
    if not only or "every_frame" in only:
        scenario("every_frame", HERE / "every_frame.toml", BenchOptions(seconds=seconds))
    if not only or "every_frame_int8" in only:
        options = BenchOptions(seconds=seconds)
        scenario("every_frame_int8", HERE / "every_frame.toml", options, model="yolov8n_int8")
    if not only or "demo_realtime" in only:
        scenario("demo_realtime", None, BenchOptions(seconds=seconds, realtime=True))
    if only and not only & {"static_4cam", "static_4cam_in_step"}:
        return
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_static_clip(BOTTLE, Path(tmp) / "static.mp4")
        if not only or "static_4cam" in only:
            options = BenchOptions(video=clip, cameras=4, seconds=seconds, realtime=True)
            scenario("static_4cam", HERE / "static_4cam.toml", options)
        if not only or "static_4cam_in_step" in only:
            # The worst case: all four cameras see the hand at the same moment and detect at once.
            options = BenchOptions(video=clip, cameras=4, seconds=seconds, realtime=True, in_step=True)
            scenario("static_4cam_in_step", HERE / "static_4cam.toml", options)


if __name__ == "__main__":
    main()
