from __future__ import annotations

from typing import Any

import pytest

from tests.rules.kinds.helpers import at, rule_of, run
from watcher.rules.kinds import Area, build_kind
from watcher.types import AreaMeasure

HSV = {"lower": [20, 80, 80], "upper": [35, 255, 255]}


def measured(fraction: float) -> dict[str, AreaMeasure]:
    return {"r": AreaMeasure(px=fraction * 1000.0, fraction=fraction, m2=fraction * 20.0)}


@pytest.mark.parametrize(
    ("fields", "fraction", "holds"),
    [
        pytest.param({}, 0.0, False, id="nothing_covered"),
        pytest.param({}, 0.01, True, id="anything_covered"),
        pytest.param({"above": 0.3}, 0.3, False, id="at_above_threshold"),
        pytest.param({"above": 0.3}, 0.31, True, id="over_above_threshold"),
        pytest.param({"below": 0.2}, 0.1, True, id="under_below_threshold"),
        pytest.param({"below": 0.2}, 0.25, False, id="over_below_threshold"),
        pytest.param({"above": 0.1, "below": 0.5}, 0.3, True, id="inside_band"),
        pytest.param({"above": 0.1, "below": 0.5}, 0.6, False, id="outside_band"),
    ],
)
def test_area_holds_on_thresholds_of_the_covered_fraction(
    fields: dict[str, Any], fraction: float, holds: bool
) -> None:
    reading = Area(rule_of("area", hsv=HSV, **fields)).read(at(0.0, areas=measured(fraction)))  # type: ignore[arg-type]
    assert reading.holds is holds


@pytest.mark.parametrize(
    ("measure", "value"),
    [("fraction", 0.25), ("px", 250.0), ("m2", 5.0)],
)
def test_area_value_follows_measure(measure: str, value: float) -> None:
    kind = Area(rule_of("area", hsv=HSV, measure=measure))  # type: ignore[arg-type]
    assert kind.read(at(0.0, areas=measured(0.25))).value == value


def test_area_without_a_measurement_does_not_hold() -> None:
    reading = Area(rule_of("area", hsv=HSV)).read(at(0.0))  # type: ignore[arg-type]
    assert (reading.holds, reading.value) == (False, 0.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "needs a mask source: `classes` .*, `hsv` .* or `examples`"),
        ({"classes": ["car"], "hsv": HSV}, "give one mask source, not `classes` and `hsv`"),
        ({"examples": "examples/lawn"}, "`examples` needs `label`"),
        ({"hsv": HSV, "label": "lawn"}, "`label` goes with `examples`"),
    ],
)
def test_area_needs_exactly_one_mask_source(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rule_of("area", **fields)


def test_area_accepts_each_mask_source() -> None:
    for fields in ({"classes": ["car"]}, {"hsv": HSV}, {"examples": "examples/lawn", "label": "lawn"}):
        rule_of("area", **fields)


def test_lawn_cover_sensor_starts_updates_and_ends_on_its_threshold() -> None:
    fractions = [0.1, 0.4, 0.5, 0.2, 0.6, 0.1, 0.1, 0.1]
    stream = [at(float(t), areas=measured(f)) for t, f in enumerate(fractions)]
    assert run(rule_of("area", hsv=HSV, above=0.3, clear_s=2), stream) == [
        ("start", 1.0, None, 0.4),
        ("update", 1.0, None, 0.5),
        ("update", 1.0, None, 0.6),
        ("end", 1.0, 5.0, 0.0),
    ]


def test_area_is_registered_under_its_kind() -> None:
    assert isinstance(build_kind(rule_of("area", hsv=HSV)), Area)
