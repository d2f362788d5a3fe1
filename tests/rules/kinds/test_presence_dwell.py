from __future__ import annotations

from typing import Any

import pytest

from tests.rules.kinds.helpers import at, car, rule_of, run
from watcher.rules.kinds import Presence


@pytest.mark.parametrize(
    ("fields", "dwell", "first_seen", "counted"),
    [
        pytest.param({"min_dwell_s": 5}, 4.0, 0.0, False, id="not_long_enough_in_zone"),
        pytest.param({"min_dwell_s": 5}, 5.0, 0.0, True, id="long_enough_in_zone"),
        pytest.param({"min_dwell_s": 5, "zone": None}, 0.0, 6.0, False, id="whole_frame_seen_too_briefly"),
        pytest.param({"min_dwell_s": 5, "zone": None}, 0.0, 4.0, True, id="whole_frame_seen_long_enough"),
    ],
)
def test_presence_counts_an_object_only_after_min_dwell(
    fields: dict[str, Any], dwell: float, first_seen: float, counted: bool
) -> None:
    track = car(label="person", dwell={"kerb": dwell}, first_seen=first_seen)
    reading = Presence(rule_of("presence", **fields)).read(at(10.0, track))  # type: ignore[arg-type]
    assert reading.value == (1 if counted else 0)


def test_loitering_starts_once_the_dwell_is_reached() -> None:
    stream = [at(float(t), car(label="person", dwell={"kerb": float(t)})) for t in range(8)]
    assert run(rule_of("presence", min_dwell_s=5), stream) == [("start", 5.0, None, 1)]
