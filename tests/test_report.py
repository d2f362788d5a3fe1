"""The replay report: events paired into bars, bad suffixes refused, a PNG drawn from plain values."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from watcher.errors import ConfigError
from watcher.report import (
    Band,
    CountSample,
    Span,
    StateSample,
    bands,
    check_path,
    draw_report,
    spans,
    state_sample,
)
from watcher.types import Event, EventType, RulesSnapshot, RuleState


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


def test_pending_and_learning_become_bands_of_their_rules_lanes() -> None:
    learning = {"parcel": "learning: a person is in the zone"}
    samples = [
        StateSample(0.0, frozenset(), learning),
        StateSample(1.0, frozenset(), {"parcel": "learning"}),
        StateSample(2.0, frozenset({"door"}), {}),
        StateSample(3.0, frozenset({"door", "parcel"}), {}),
        StateSample(4.0, frozenset({"parcel"}), {}),
    ]
    assert bands(samples, end=5.0) == [
        Band("door", 2.0, 4.0, "pending"),
        Band("parcel", 0.0, 1.0, "learning: a person is in the zone"),
        Band("parcel", 1.0, 2.0, "learning"),
        Band("parcel", 3.0, 5.0, "pending"),
    ]


def test_a_state_sample_keeps_the_pending_rules_and_the_not_ready_statuses() -> None:
    snapshot = RulesSnapshot(
        (
            RuleState("door", "cam", "presence", False, 0, None, pending_since=1.0),
            RuleState("parcel", "cam", "left_object", False, 0, None, status="learning"),
            RuleState("shelf", "cam", "left_object", True, 1, 0.5, status="learned"),
        )
    )
    assert state_sample(2.0, snapshot) == StateSample(2.0, frozenset({"door"}), {"parcel": "learning"})


def test_report_draws_learning_as_a_grey_band_in_the_rules_lane(tmp_path: Path) -> None:
    out = tmp_path / "r.png"
    states = [StateSample(0.0, frozenset(), {"a": "learning"}), StateSample(5.0, frozenset(), {})]
    draw_report(out, title="t", samples=[], events=[], rules=["a"], duration=10, states=states)
    image = cv2.imread(str(out))
    assert image is not None
    height, width = image.shape[:2]
    grey = (abs(image.astype(int) - 204) <= 2).all(axis=2)  # matplotlib's "0.8"
    row = height // 2 + int(grey[height // 2 :].sum(axis=1).argmax())  # through the band
    xs = grey[row].nonzero()[0]
    # From the axis' left edge to its middle (5 of 10 s), none over the second half.
    assert (xs.min() < 0.06 * width, 0.49 * width < xs.max() < 0.53 * width) == (True, True)
