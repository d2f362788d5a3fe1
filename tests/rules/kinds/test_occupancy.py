from __future__ import annotations

from typing import Any

import pytest

from tests.rules.kinds.helpers import at, car, rule_of, run
from watcher.rules.kinds import Occupancy, build_kind
from watcher.rules.kinds.occupancy import MISSING_S, occupied_length
from watcher.types import AreaMeasure, Observation, Track

AXIS = ((0.0, 0.0), (10.0, 0.0))  # a 10 m kerb along x


def read(obs: Observation, **fields: Any) -> tuple[bool, object, tuple[int, ...]]:
    reading = Occupancy(rule_of("occupancy", **fields)).read(obs)  # type: ignore[arg-type]
    return reading.holds, reading.value, tuple(o.track_id for o in reading.objects)


@pytest.mark.parametrize(
    ("fields", "track", "counted"),
    [
        pytest.param({}, car(), True, id="parked_car_in_zone"),
        pytest.param({}, car(since=None), False, id="moving_car_is_not_parked"),
        pytest.param({"stationary_only": False}, car(since=None), True, id="moving_car_counts_when_asked"),
        pytest.param({}, car(label="person"), False, id="other_class"),
        pytest.param({}, car(label="truck"), True, id="default_classes_include_trucks"),
        pytest.param({}, car(zones=()), False, id="outside_zone"),
        pytest.param({"min_score": 0.95}, car(), False, id="below_min_score"),
        pytest.param({"min_area": 0.1}, car(), False, id="below_min_area"),
        pytest.param({"zone": None}, car(zones=()), True, id="whole_frame"),
    ],
)
def test_occupancy_counts_parked_matching_tracks(fields: dict[str, Any], track: Track, counted: bool) -> None:
    assert read(at(5.0, track), **fields) == ((True, 1, (1,)) if counted else (False, 0, ()))


@pytest.mark.parametrize(
    ("fields", "value"),
    [
        pytest.param({}, 2, id="count"),
        pytest.param({"capacity": 4, "measure": "utilisation"}, 0.5, id="utilisation"),
        pytest.param({"measure": "length_m"}, 6.0, id="occupied_kerb_metres"),
        pytest.param({"measure": "length_utilisation"}, 0.6, id="occupied_share_of_kerb"),
    ],
)
def test_occupancy_value_follows_measure(fields: dict[str, Any], value: object) -> None:
    parked = (
        car(1, footprint=((1.0, 0.5), (4.0, 0.5))),
        car(2, footprint=((6.0, 0.5), (9.0, 0.5))),
    )
    assert read(at(5.0, *parked, zone_axes={"kerb": AXIS}), **fields)[1] == value


def test_occupancy_length_without_ground_plane_is_none() -> None:
    assert read(at(5.0, car()), measure="length_m")[1] is None


@pytest.mark.parametrize(
    ("footprints", "covered"),
    [
        pytest.param([((1.0, 0.0), (3.0, 0.0)), ((2.0, 0.0), (5.0, 0.0))], 4.0, id="overlap_counts_once"),
        pytest.param([((-2.0, 1.0), (2.0, 1.0))], 2.0, id="clipped_at_the_zone_start"),
        pytest.param([((12.0, 0.0), (14.0, 0.0))], 0.0, id="beyond_the_zone"),
        pytest.param([((3.0, 0.0), (1.0, 0.0))], 2.0, id="reversed_corners"),
        pytest.param([((1.0, 0.0), (2.0, 0.0)), ((1.2, 0.0), (1.5, 0.0))], 1.0, id="nested"),
    ],
)
def test_occupied_length_is_the_union_of_footprints_on_the_kerb(
    footprints: list[tuple[tuple[float, float], tuple[float, float]]], covered: float
) -> None:
    assert occupied_length(AXIS, footprints) == (pytest.approx(covered), 10.0)


@pytest.mark.parametrize(
    ("since", "holds"),
    [pytest.param(0.0, True, id="parked_longer_than_max_dwell"), pytest.param(4.0, False, id="not_yet")],
)
def test_occupancy_with_max_dwell_holds_only_for_an_over_stay(since: float, holds: bool) -> None:
    reading = read(at(10.0, car(1, since=since), car(2, since=9.0)), max_dwell_s=8)
    assert reading == ((True, 2, (1,)) if holds else (False, 2, ()))


def test_over_stay_starts_when_the_first_object_passes_max_dwell() -> None:
    stream = [at(float(t), car(since=0.0)) for t in range(0, 13, 2)]
    assert run(rule_of("occupancy", max_dwell_s=7), stream) == [("start", 8.0, None, 1)]


def test_occupancy_sensor_updates_as_cars_park_and_drive_off() -> None:
    def away(i: int) -> Track:
        return car(i, zones=(), since=None)

    stream = [at(0.0, car(1)), at(1.0, car(1), car(2)), at(2.0, away(1), car(2)), at(3.0, away(2)), at(4.0)]
    assert run(rule_of("occupancy", clear_s=1), stream) == [
        ("start", 0.0, None, 1),
        ("update", 0.0, None, 2),
        ("update", 0.0, None, 1),
        ("end", 0.0, 3.0, 0),
    ]


def test_a_parked_car_missed_by_the_detector_counts_until_missing_s() -> None:
    kind = Occupancy(rule_of("occupancy"))  # type: ignore[arg-type]
    values = [kind.read(o).value for o in [at(0.0, car()), at(1.0), at(1.9), at(2.0)]]
    assert (values, MISSING_S) == ([1, 1, 1, 0], 2.0)


def test_a_parked_car_whose_box_moves_in_the_zone_stays_parked() -> None:
    kind = Occupancy(rule_of("occupancy", max_dwell_s=5))  # type: ignore[arg-type]
    kind.read(at(0.0, car(since=0.0)))
    reading = kind.read(at(6.0, car(since=None)))
    assert (reading.holds, reading.value) == (True, 1)


def test_a_car_never_stationary_is_never_parked() -> None:
    kind = Occupancy(rule_of("occupancy"))  # type: ignore[arg-type]
    assert [kind.read(at(float(t), car(since=None))).value for t in range(3)] == [0, 0, 0]


def test_occupancy_utilisation_needs_capacity() -> None:
    with pytest.raises(ValueError, match="needs `capacity`"):
        rule_of("occupancy", measure="utilisation")


def test_occupancy_is_registered_under_its_kind() -> None:
    assert isinstance(build_kind(rule_of("occupancy")), Occupancy)


def test_covered_is_the_share_of_the_zone_the_parked_outlines_cover() -> None:
    measured = {"r": AreaMeasure(px=30.0, fraction=0.123456)}
    assert read(at(5.0, car(), areas=measured), measure="covered") == (True, 0.1235, (1,))


def test_covered_before_any_measurement_is_unknown() -> None:
    assert read(at(5.0, car()), measure="covered") == (True, None, (1,))
