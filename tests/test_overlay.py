"""What the annotated video draws of the rules: the items, exactly, and where their pixels land."""

from __future__ import annotations

import numpy as np
import pytest

from watcher.overlay import (
    LINE_H,
    PANEL_TOP,
    TONES,
    Caption,
    Outline,
    Tint,
    draw_overlay,
    overlay_items,
    rule_line,
)
from watcher.types import (
    AreaMeasure,
    Learning,
    Observation,
    Region,
    Regions,
    RulesSnapshot,
    RuleState,
    Track,
    Vote,
    Votes,
)

SIZE = (320, 240)
PARCEL = Region((100.0, 120.0, 160.0, 180.0), 3600.0, 2.0, 2.5)
PERSON = Track(7, "person", 0.9, (200.0, 80.0, 260.0, 230.0))


def _state(rule: str, kind: str = "presence", **fields: object) -> RuleState:
    base: dict[str, object] = {"active": False, "value": 0, "since": None}
    return RuleState(rule, "cam", kind, **(base | fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "fact", "line"),
    [
        (_state("door"), None, ("door off", "off")),
        (_state("door", pending_since=8.5), None, ("door pending 1.5/2 s", "pending")),
        (_state("door", active=True, value=True, since=4.0), None, ("door ON for 6.0 s", "active")),
        (_state("crowd", active=True, value=3, since=9.0), None, ("crowd ON (3) for 1.0 s", "active")),
        (_state("lawn", active=True, value=0.4251, since=0.0), None, ("lawn 0.425 for 10.0 s", "active")),
        (_state("door", enabled=False), None, ("door disabled", "off")),
        (
            _state("parcel", "left_object"),
            Regions((), Learning("learning: a person is in the zone", 0.634)),
            ("parcel off | learning: a person is in the zone (63% known)", "learning"),
        ),
        (
            _state("parcel", "left_object", pending_since=9.0),
            Regions((PARCEL,), Learning("learned", 0.95)),
            ("parcel pending 1.0/2 s | learned (95% known)", "pending"),
        ),
        (
            _state("gate", "state"),
            Votes({0: Vote("open", 0.8, 0.9)}),
            ("gate off | looks open 80%", "off"),
        ),
    ],
)
def test_a_rule_line_says_its_state_its_timer_and_what_its_facts_add(
    state: RuleState, fact: object, line: tuple[str, str]
) -> None:
    assert rule_line(state, 10.0, 2.0, fact) == line


def _scene() -> tuple[Observation, RulesSnapshot, np.ndarray]:
    mask = np.zeros(SIZE[::-1], dtype=bool)
    mask[200:230, 10:60] = True
    facts = {
        "parcel": Regions((PARCEL,), Learning("learned", 1.0)),
        "no_hardhat": Votes({7: Vote("no_hardhat", 0.75, 0.8), 9: Vote("hardhat", 1.0, 0.9)}),
        "lawn": AreaMeasure.of(1500.0, 0.25, None, mask),
    }
    obs = Observation("cam", 30, 10.0, SIZE, (PERSON,), {}, facts=facts)
    snapshot = RulesSnapshot(
        (
            _state("parcel", "left_object", active=True, value=1, since=6.0),
            _state("no_hardhat", "missing_associate", pending_since=9.5),
            _state("lawn", "area", active=True, value=0.25, since=0.0),
            RuleState("elsewhere", "other", "presence", False, 0, None),
        )
    )
    return obs, snapshot, mask


def test_overlay_items_are_the_rule_lines_regions_votes_and_masks_of_the_camera() -> None:
    obs, snapshot, mask = _scene()
    items = overlay_items(obs, snapshot, {"parcel": 2.0, "no_hardhat": 1.0, "lawn": 0.0})
    assert items == [
        Caption("parcel ON (1) for 4.0 s | learned (100% known)", (6, PANEL_TOP), "active"),
        Outline(PARCEL.box, "active"),
        Caption("parcel: object", (100, 120 - LINE_H), "pending"),
        Caption("no_hardhat pending 0.5/1 s", (6, PANEL_TOP + LINE_H), "pending"),
        # Track 9 is not in this frame: its vote has nowhere to go.
        Caption("no_hardhat: no_hardhat 75%", (200, 80 - 2 * LINE_H), "vote"),
        Caption("lawn 0.25 for 10.0 s", (6, PANEL_TOP + 2 * LINE_H), "active"),
        Tint("lawn", mask),
    ]
    tint = items[-1]
    assert isinstance(tint, Tint)
    assert (tint.mask == mask).all()


def test_drawn_items_land_on_their_pixels_and_nowhere_else() -> None:
    obs, snapshot, _mask = _scene()
    image = np.full((SIZE[1], SIZE[0], 3), 128, dtype=np.uint8)
    out = draw_overlay(image, overlay_items(obs, snapshot, {}))
    assert tuple(out[150, 100]) == TONES["active"]  # the region's outline, left edge
    assert tuple(out[150, 130]) == (128, 128, 128)  # inside the region: left alone
    assert tuple(out[PANEL_TOP + 1, 7]) == TONES["active"]  # the parcel line's background
    assert tuple(out[PANEL_TOP + LINE_H + 1, 7]) == TONES["pending"]
    expected_tint = (0.55 * 128 + 0.45 * np.array(TONES["mask"])).astype(np.uint8)
    assert tuple(out[225, 55]) == tuple(expected_tint)  # the lawn mask, clear of any text
    changed = (out != 128).any(axis=2)
    assert not changed[235:, 100:].any()  # below everything drawn


def test_a_caption_at_the_right_edge_moves_left_to_stay_whole() -> None:
    image = np.full((SIZE[1], SIZE[0], 3), 128, dtype=np.uint8)
    out = draw_overlay(image, [Caption("no_hardhat: no_hardhat 100%", (300, 100), "vote")])
    drawn = (out != 128).any(axis=2).nonzero()[1]
    assert (drawn.max(), drawn.min() < 300) == (SIZE[0] - 1, True)
