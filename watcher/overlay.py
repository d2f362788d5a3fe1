"""What the rules see, as items to draw on a frame: each rule's state and timer, `left_object`
regions and learning, per-person votes, measured masks.

`overlay_items` is a pure function of the observation (its per-rule facts) and the engine's
`RulesSnapshot`, so what the annotated video shows is tested without pixels; `draw_overlay` puts
the items on an image. Nothing here knows a kind's internals: it reads the facts the analyzers
left (`Regions`, `Votes`, anything with a frame-sized boolean `mask`) and the rule states.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from watcher.types import Box, Image, Observation, Regions, RulesSnapshot, RuleState, Votes

Tone = Literal["off", "pending", "active", "learning", "vote", "mask"]

TONES: Mapping[Tone, tuple[int, int, int]] = {
    "off": (160, 160, 160),
    "pending": (0, 165, 255),
    "active": (40, 40, 230),
    "learning": (230, 200, 0),
    "vote": (200, 90, 30),
    "mask": (220, 60, 220),
}
"""BGR colour of each tone: grey idle, orange pending, red active, cyan learning, blue votes."""

PANEL_TOP = 28
"""The rule lines start below the frame's header line (time and counts)."""
LINE_H = 20
_SCALE = 0.45
_PAD = 3


@dataclass(frozen=True, slots=True)
class Caption:
    """A line of text on a filled background, its top-left corner at `at` (pixels)."""

    text: str
    at: tuple[int, int]
    tone: Tone


@dataclass(frozen=True, slots=True)
class Outline:
    """A rectangle around something a rule found (a `left_object` region)."""

    box: Box
    tone: Tone


@dataclass(frozen=True, slots=True)
class Tint:
    """A measured mask (an `area` rule's), tinted over the frame."""

    rule: str
    mask: npt.NDArray[np.bool_] = field(compare=False, repr=False)
    tone: Tone = "mask"


Item = Caption | Outline | Tint


def rule_line(state: RuleState, now: float, for_s: float, fact: object | None = None) -> tuple[str, Tone]:
    """One rule as a line of text: off, pending with its timer, or active with its duration; and
    what its facts add (a `left_object` zone's learning, a zone's vote)."""
    tone: Tone
    if not state.enabled:
        text, tone = f"{state.rule} disabled", "off"
    elif state.active:
        held = "" if state.since is None else f" for {max(0.0, now - state.since):.1f} s"
        text, tone = f"{state.rule} {_value(state.value)}{held}", "active"
    elif state.pending_since is not None:
        waited = max(0.0, now - state.pending_since)
        text, tone = f"{state.rule} pending {waited:.1f}/{for_s:g} s", "pending"
    else:
        text, tone = f"{state.rule} off", "off"
    if isinstance(fact, Regions) and fact.learning is not None:
        text += f" | {fact.learning.status} ({fact.learning.known:.0%} known)"
        if fact.learning.status != "learned" and tone == "off":
            tone = "learning"
    elif isinstance(fact, Votes) and 0 in fact.by_key:
        vote = fact.by_key[0]
        text += f" | looks {vote.label} {vote.share:.0%}"
    return text, tone


def overlay_items(obs: Observation, snapshot: RulesSnapshot, for_s: Mapping[str, float]) -> list[Item]:
    """What to draw for the rules of `obs`'s camera (`for_s` by rule name, from the config)."""
    items: list[Item] = []
    states = [s for s in snapshot.states if s.camera == obs.camera]
    tracks = {t.track_id: t for t in obs.tracks}
    for row, state in enumerate(states):
        fact = obs.facts.get(state.rule)
        text, tone = rule_line(state, obs.time, for_s.get(state.rule, 0.0), fact)
        items.append(Caption(text, (6, PANEL_TOP + LINE_H * row), tone))
        if isinstance(fact, Regions):
            for region in fact.regions:
                x1, y1 = int(region.box[0]), int(region.box[1])
                items.append(Outline(region.box, "active" if state.active else "pending"))
                items.append(Caption(f"{state.rule}: object", (x1, max(0, y1 - LINE_H)), "pending"))
        elif isinstance(fact, Votes):
            for key, vote in sorted(fact.by_key.items()):
                track = tracks.get(key)
                if key == 0 or track is None:
                    continue
                # Above the track's own label (drawn at the box's top edge).
                x1, y1 = int(track.box[0]), int(track.box[1])
                items.append(
                    Caption(
                        f"{state.rule}: {vote.label} {vote.share:.0%}", (x1, max(0, y1 - 2 * LINE_H)), "vote"
                    )
                )
        mask = getattr(fact, "mask", None)
        if isinstance(mask, np.ndarray) and mask.dtype == np.bool_ and mask.shape == obs.frame_size[::-1]:
            items.append(Tint(state.rule, mask))
    return items


def draw_overlay(image: Image, items: Sequence[Item]) -> Image:
    """`image` with the items drawn in order (tints first, so text stays readable)."""
    out = image.copy()
    for item in sorted(items, key=lambda i: 0 if isinstance(i, Tint) else 1 if isinstance(i, Outline) else 2):
        colour = TONES[item.tone]
        if isinstance(item, Tint):
            out[item.mask] = (0.55 * out[item.mask] + 0.45 * np.array(colour)).astype(np.uint8)
        elif isinstance(item, Outline):
            x1, y1, x2, y2 = (round(v) for v in item.box)
            cv2.rectangle(out, (x1, y1), (x2, y2), colour, 2)
        else:
            _caption(out, item.text, item.at, colour)
    return out


def _caption(image: Image, text: str, at: tuple[int, int], colour: tuple[int, int, int]) -> None:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, _SCALE, 1)
    # Kept inside the frame: a caption for a box at the right edge moves left rather than lose its end.
    x = max(0, min(at[0], image.shape[1] - w - 2 * _PAD))
    y = max(0, min(at[1], image.shape[0] - h - base - 2 * _PAD))
    cv2.rectangle(image, (x, y), (x + w + 2 * _PAD, y + h + base + 2 * _PAD), colour, -1)
    ink = (0, 0, 0) if sum(colour) > 380 else (255, 255, 255)
    cv2.putText(image, text, (x + _PAD, y + _PAD + h), cv2.FONT_HERSHEY_SIMPLEX, _SCALE, ink, 1, cv2.LINE_AA)


def _value(value: bool | float | int | str | None) -> str:
    if isinstance(value, bool) or value is None:
        return "ON"
    if isinstance(value, float):
        return f"{value:.3g}"
    return f"ON ({value})" if isinstance(value, int) else value
