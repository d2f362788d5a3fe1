"""`watcher replay --report OUT.png`: a timeline of object counts and rule states, readable at a glance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import ConfigError
from watcher.types import WHOLE_FRAME, Event, EventType, Observation

SUFFIXES = (".png", ".svg", ".pdf")


@dataclass(frozen=True, slots=True)
class CountSample:
    """Whole-frame object counts per label at one processed frame."""

    time: float
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Span:
    """One rule event as a bar: from when the condition began to when it stopped (None: still on)."""

    rule: str
    start: float
    end: float | None
    value: bool | float | int | str | None


def sample(obs: Observation) -> CountSample:
    """The part of an observation the report draws."""
    return CountSample(obs.time, dict(obs.counts.get(WHOLE_FRAME, {})))


def spans(events: Sequence[Event]) -> list[Span]:
    """Pair each start with its end (events of one rule come in order)."""
    open_: dict[str, Span] = {}
    done: list[Span] = []
    for event in events:
        if event.type is EventType.START:
            open_[event.rule] = Span(event.rule, event.start_time, None, event.value)
        elif event.type is EventType.END and event.rule in open_:
            started = open_.pop(event.rule)
            done.append(Span(event.rule, started.start, event.end_time, started.value))
    return done + list(open_.values())


def check_path(path: Path) -> None:
    """ConfigError unless the report can be written as `path` (by suffix)."""
    if path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"report must end in {', '.join(SUFFIXES)} (got {path.name})", key="--report")


def draw_report(
    path: Path,
    *,
    title: str,
    samples: Sequence[CountSample],
    events: Sequence[Event],
    rules: Sequence[str],
    duration: float,
) -> None:
    """Write the timeline: counts per label on top, one lane per rule below (bars = active)."""
    import matplotlib

    matplotlib.use("Agg")  # headless: a daemon host has no display
    import matplotlib.pyplot as plt

    check_path(path)
    labels = sorted({label for s in samples for label in s.counts})
    lanes = list(rules)
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        sharex=True,
        figsize=(12, 3.2 + 0.45 * max(1, len(lanes))),
        gridspec_kw={"height_ratios": [3, max(1.2, 0.5 * len(lanes))]},
    )
    times = [s.time for s in samples]
    for i, label in enumerate(labels):
        # Later lines are thinner, so a label hidden under another's equal count still shows at its edges.
        width = max(1.2, 3.4 - 0.7 * i)
        top.step(times, [s.counts.get(label, 0) for s in samples], where="post", label=label, linewidth=width)
    top.set_ylabel("objects in frame")
    top.set_title(title, loc="left", fontsize=12)
    top.yaxis.get_major_locator().set_params(integer=True)
    top.grid(alpha=0.3)
    if labels:
        top.legend(loc="upper left", ncols=min(6, len(labels)), fontsize=9, frameon=False)
    else:
        top.text(0.5, 0.5, "no objects detected", ha="center", va="center", transform=top.transAxes)
    _lanes(bottom, lanes, spans(events), duration)
    bottom.set_xlabel("video time (s)")
    bottom.set_xlim(0, max(duration, times[-1] if times else 0.0, 1e-3))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _lanes(ax: object, lanes: list[str], bars: list[Span], duration: float) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    colours = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown"]
    for row, rule in enumerate(lanes):
        colour = colours[row % len(colours)]
        for bar in (b for b in bars if b.rule == rule):
            end = duration if bar.end is None else bar.end
            ax.broken_barh(
                [(bar.start, max(end - bar.start, 0.05))], (row - 0.35, 0.7), color=colour, alpha=0.75
            )
            if bar.value not in (None, True, False, 1):
                ax.text(bar.start, row, f" {bar.value}", va="center", fontsize=8, color="white")
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_ylim(-0.6, max(len(lanes), 1) - 0.4)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    if not lanes:
        ax.text(0.5, 0.5, "no rules", ha="center", va="center", transform=ax.transAxes)
