"""`watcher bench`: the real pipeline on N looping files, per-stage timings and the raw detector's pace."""

from watcher.bench.clip import make_static_clip
from watcher.bench.report import STAGES, BenchResult
from watcher.bench.runner import BenchOptions, run_bench
from watcher.bench.stats import Summary

__all__ = ["STAGES", "BenchOptions", "BenchResult", "Summary", "make_static_clip", "run_bench"]
