"""The replay report: events paired into bars, bad suffixes refused, a PNG drawn from plain values."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from watcher.errors import ConfigError
from watcher.report import CountSample, Span, check_path, draw_report, spans
from watcher.types import Event, EventType


def _event(type_: EventType, rule: str, start: float, end: float | None = None, value: object = 1) -> Event:
    return Event("id", type_, rule, "presence", "cam", None, start, end, value)  # type: ignore[arg-type]


def test_starts_and_ends_pair_into_spans_and_an_open_start_runs_to_the_end() -> None:
    events = [
        _event(EventType.START, "a", 1.0),
        _event(EventType.START, "b", 2.0, value="open"),
        _event(EventType.UPDATE, "a", 1.0, value=2),
        _event(EventType.END, "a", 1.0, 4.0, 0),
        _event(EventType.START, "a", 6.0),
    ]
    assert spans(events) == [Span("a", 1.0, 4.0, 1), Span("b", 2.0, None, "open"), Span("a", 6.0, None, 1)]


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.html"])
def test_report_with_an_unsupported_suffix_is_a_config_error(name: str) -> None:
    with pytest.raises(ConfigError, match=r"^--report: report must end in \.png, \.svg, \.pdf"):
        check_path(Path(name))


def test_report_draws_counts_and_one_lane_per_rule(tmp_path: Path) -> None:
    samples = [CountSample(t / 2, {"person": t % 3}) for t in range(20)]
    out = tmp_path / "r.png"
    draw_report(
        out,
        title="t",
        samples=samples,
        events=[_event(EventType.START, "a", 2.0)],
        rules=["a", "b"],
        duration=10,
    )
    image = cv2.imread(str(out))
    assert image is not None
    assert image.shape[:2] == (round((3.2 + 0.45 * 2) * 110), 12 * 110)
