"""The accelerated soak (tests/soak/soak.py): memory, open files and queues stay flat over 200 000 frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.soak import run_soak
from tests.support.mosquitto import Mosquitto


def test_a_short_soak_runs_every_sink_without_drops(tmp_path: Path, mosquitto: Mosquitto) -> None:
    report = run_soak(600, tmp_path, broker_port=mosquitto.port, every=200, warmup=200)
    assert [s.frames for s in report.samples] == [200, 400, 600]
    assert report.events > 0
    assert (report.dropped_events, report.samples[-1].outbox) == (0, 0)


@pytest.mark.slow
def test_200k_frames_keep_rss_within_5_percent_and_open_files_constant(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    report = run_soak(200_000, tmp_path, broker_port=mosquitto.port, every=10_000, warmup=20_000)
    assert report.rss_growth < 0.05, report.samples
    assert len(report.fds_after_warmup) == 1, report.samples
    assert max(s.outbox for s in report.samples) <= 1000
    assert report.dropped_events == 0
