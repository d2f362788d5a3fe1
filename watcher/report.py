"""`watcher replay --report OUT.png`: a timeline of object counts and rule states, readable at a glance.

Each rule's lane shows its events as solid bars, the time its condition was pending (held, but not
yet for `for_s`) as hatched bars, and a kind's readiness other than ready (a `left_object` zone
still learning its empty look, and why) as grey bars labelled with the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from watcher.errors import ConfigError
from watcher.types import WHOLE_FRAME, Event, EventType, Observation, RulesSnapshot

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


@dataclass(frozen=True, slots=True)
class StateSample:
    """The rules' states at one processed frame, as far as the report draws them."""

    time: float
    pending: frozenset[str]
    """Rules whose condition holds but not yet for `for_s`."""
    waiting: Mapping[str, str]
    """Rule to its kind's status while that is not "learned" (a `left_object` zone learning)."""


@dataclass(frozen=True, slots=True)
class Band:
    """A stretch of one rule's lane: `pending`, or the kind's status (why it is not ready)."""

    rule: str
    start: float
    end: float
    label: str


def state_sample(time: float, snapshot: RulesSnapshot) -> StateSample:
    """What the report keeps of the engine's snapshot after the frame at `time`."""
    return StateSample(
        time,
        frozenset(s.rule for s in snapshot.states if s.pending_since is not None),
        {s.rule: s.status for s in snapshot.states if s.status is not None and s.status != "learned"},
    )


def bands(samples: Sequence[StateSample], end: float) -> list[Band]:
    """Runs of equal labels per rule, each until the sample where it changed (the last until `end`)."""
    found: list[Band] = []
    open_: dict[tuple[str, str], float] = {}
    for sample_ in samples:
        now = {(rule, "pending") for rule in sample_.pending}
        now |= set(sample_.waiting.items())
        for key in [k for k in open_ if k not in now]:
            found.append(Band(key[0], open_.pop(key), sample_.time, key[1]))
        for key in sorted(now - open_.keys()):
            open_[key] = sample_.time
    found += [Band(rule, start, end, label) for (rule, label), start in open_.items()]
    return sorted(found, key=lambda b: (b.rule, b.start, b.label))


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
    states: Sequence[StateSample] = (),
) -> None:
    """Write the timeline: counts per label on top, one lane per rule below (bars = active,
    hatched = pending, grey = not ready, with the reason)."""
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
    _lanes(bottom, lanes, spans(events), duration, bands(states, duration))
    bottom.set_xlabel("video time (s)")
    bottom.set_xlim(0, max(duration, times[-1] if times else 0.0, 1e-3))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _lanes(ax: object, lanes: list[str], bars: list[Span], duration: float, states: list[Band]) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    colours = ["tab:red", "tab:blue", "tab:green", "tab:purple", "tab:orange", "tab:brown"]
    for row, rule in enumerate(lanes):
        colour = colours[row % len(colours)]
        for band in (b for b in states if b.rule == rule):
            width = max(band.end - band.start, 0.05)
            if band.label == "pending":
                ax.broken_barh(
                    [(band.start, width)], (row - 0.25, 0.5), facecolor="none", edgecolor=colour, hatch="///"
                )
            else:
                ax.broken_barh([(band.start, width)], (row - 0.35, 0.7), color="0.8")
                ax.text(
                    band.start, row, f" {band.label}", va="center", fontsize=7, color="0.25", clip_on=True
                )
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
