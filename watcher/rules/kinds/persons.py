"""People across track breaks, and their smoothed item votes (`missing_associate`).

A tracker loses a person behind a pole or in a crowd and finds them again under a new track id.
Judged per track, that person would start a new episode (and a new for_s) each time. `Persons`
links a new track to a person lost a moment ago when it appears where that person could have
walked to, about as tall; the person keeps their id (their first track id), their recent votes
and so their episode. It also says which persons need their band classified this frame: only
those whose vote is not settled yet, and settled ones after `RECHECK_S` or when their box grew or
shrank by `RESIZE`, which bounds the classifier's cost on a busy scene.

A person flagged with the rule's alarm label (`no_<item>`) keeps it until the opposite vote has
held for `CLEAR_HOLD_S` (hysteresis): a classifier that misreads a bare head as a hat for a few
seconds (a head turned, a bright background) does not end their episode only for a new one to
start a moment later.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from watcher.types import Box, Track, Vote

WINDOW = 5
"""Classified votes a person's smoothed vote is taken over."""
SETTLE = 3
"""A vote is settled when the last this many classified votes agree."""
UNSETTLED_EVERY_S = 0.4
"""An unsettled person is classified at most this often: votes of frames further apart agree less
by chance, and a crowd of newcomers costs a few crops a second, not one each per frame."""
RECHECK_S = 10.0
"""A settled person is classified again after this long (a hat taken off is seen within it) ..."""
RESIZE = 1.5
"""... or sooner when their box grew or shrank by this factor since (walked nearer or further:
the band is a new view). Moving sideways changes where the band is, not what it shows."""
RELINK_S = 2.0
"""How long a lost person may come back under a new track (at least; the rule's clear_s if longer)."""
REACH = (0.5, 1.0)
"""A new track may start this far (in person heights) from where the lost person was last seen:
the first term plus the second per second lost (a walk of about one body height per second)."""
HEIGHT_RATIO = 1.5
"""... and be at most this much taller or shorter."""
CLEAR_HOLD_S = 15.0
"""A flagged person is cleared only when their smoothed vote has been another label this long,
settled. On vtest the classifier read one bare head as a hat for ~11 s running (24 of 25 looks
0.4 s apart, most with all three neighbours agreeing); an alarm that ends late is a lesser harm
than one that ends and starts again for the same person."""
CONFIRM_EVERY_S = 2.0
"""While a flagged person's clearing is pending, their band is looked at this often (settled) to
confirm it; a returning `no_<item>` look cancels the clearing."""


@dataclass(frozen=True, slots=True)
class PersonVote:
    """One person's smoothed vote, as the rule and the annotation read it."""

    person: int
    """The person's id: the track id they were first seen with."""
    vote: Vote | None
    """The majority of their recent classified votes (while flagged, the flagged vote until
    another label has held for `CLEAR_HOLD_S`); None before the first."""
    settled: bool
    """Their last `SETTLE` votes agree, so their band is looked at again only after `RECHECK_S` or
    when their box grows or shrinks by `RESIZE`."""


@dataclass(slots=True)
class _Person:
    id: int
    track_id: int
    box: Box
    seen: float
    votes: deque[Vote] = field(default_factory=lambda: deque(maxlen=WINDOW))
    classified_box: Box | None = None
    classified: float | None = None
    flagged: Vote | None = None
    """Their last smoothed vote with the sticky label, while the person keeps it (hysteresis)."""
    clearing_since: float | None = None
    """When their smoothed vote, flagged, turned to another label (a clearing is pending)."""

    @property
    def settled(self) -> bool:
        recent = list(self.votes)[-SETTLE:]
        return len(recent) == SETTLE and len({v.label for v in recent}) == 1

    def smoothed(self) -> Vote | None:
        """Share-weighted majority of the recent votes; ties go to the latest vote's label."""
        if not self.votes:
            return None
        weights: dict[str, float] = {}
        for vote in self.votes:
            weights[vote.label] = weights.get(vote.label, 0.0) + max(vote.share, 1e-3)
        latest = self.votes[-1].label
        label = max(weights, key=lambda name: (weights[name], name == latest))
        similarity = max(v.similarity for v in self.votes if v.label == label)
        return Vote(label, weights[label] / sum(weights.values()), similarity)

    def decide(self, t: float, sticky: str | None) -> None:
        """After a look: flag the person when their smoothed vote is `sticky`; clear them only once
        another label has held, settled, for `CLEAR_HOLD_S`."""
        vote = self.smoothed()
        if vote is None or sticky is None:
            return
        if vote.label == sticky:
            self.flagged, self.clearing_since = vote, None
        elif self.flagged is not None:
            self.clearing_since = t if self.clearing_since is None else self.clearing_since
            if self.settled and t - self.clearing_since >= CLEAR_HOLD_S - 1e-6:
                self.flagged, self.clearing_since = None, None

    def decision(self) -> Vote | None:
        """What the rule reads: the flagged vote while it holds, else the smoothed vote."""
        return self.flagged if self.flagged is not None else self.smoothed()


class Persons:
    """The persons one `missing_associate` rule has seen, keyed by their first track id."""

    def __init__(self, relink_s: float = RELINK_S, sticky: str | None = None) -> None:
        self._relink_s = max(relink_s, RELINK_S)
        self._sticky = sticky
        """The alarm label a person keeps until another has held for `CLEAR_HOLD_S` (None: no hysteresis)."""
        self._by_track: dict[int, _Person] = {}
        """Each person under the id of their live (or last) track."""
        self._retired: dict[int, tuple[_Person, float]] = {}
        """Tracks a person left for a new one, and when: the tracker may find the old one again."""

    def update(self, t: float, tracks: Sequence[Track]) -> None:
        """Follow this frame's person tracks: known tracks move their person, new ones link or start one."""
        current = {track.track_id for track in tracks}
        new = [tr for tr in tracks if tr.track_id not in self._by_track and tr.track_id not in self._retired]
        for track in tracks:
            if track.track_id in self._retired and track.track_id not in self._by_track:
                self._reclaim(track.track_id, current)
        for track_id, person in self._relinks(new, t, current).items():
            # One key per person, their live track; the lost track may come back (`_reclaim`).
            del self._by_track[person.track_id]
            self._retired[person.track_id] = (person, t)
            self._by_track[track_id] = person
        for track in tracks:
            person = self._by_track.setdefault(
                track.track_id, _Person(track.track_id, track.track_id, track.box, t)
            )
            person.track_id, person.box, person.seen = track.track_id, track.box, t
        # Forget persons gone for longer than a relink could bridge, and old retired tracks.
        for tid in [tid for tid, p in self._by_track.items() if t - p.seen > self._relink_s]:
            del self._by_track[tid]
        for tid in [tid for tid, (_, when) in self._retired.items() if t - when > self._relink_s]:
            del self._retired[tid]

    def _reclaim(self, track_id: int, current: set[int]) -> None:
        """The tracker found a retired track again: it is its person, and if the track linked in
        its place is live too, that one was someone else after all and becomes a person of its own."""
        person, _ = self._retired.pop(track_id)
        other = person.track_id
        if other in current and self._by_track.get(other) is person:
            self._by_track[other] = _Person(other, other, person.box, person.seen)
        else:
            self._by_track.pop(other, None)
        self._by_track[track_id] = person

    def _relinks(self, new: Sequence[Track], t: float, current: set[int]) -> dict[int, _Person]:
        """New track id to the lost person it continues: nearest pairs first, each person once."""
        lost = [p for tid, p in self._by_track.items() if tid not in current and t - p.seen <= self._relink_s]
        pairs: list[tuple[float, int, _Person]] = []
        for track in new:
            for person in lost:
                height = max(person.box[3] - person.box[1], 1.0)
                new_height = max(track.box[3] - track.box[1], 1.0)
                if not 1 / HEIGHT_RATIO <= new_height / height <= HEIGHT_RATIO:
                    continue
                dx = (track.box[0] + track.box[2] - person.box[0] - person.box[2]) / 2
                dy = (track.box[1] + track.box[3] - person.box[1] - person.box[3]) / 2
                distance = (dx * dx + dy * dy) ** 0.5 / height
                if distance <= REACH[0] + REACH[1] * (t - person.seen):
                    pairs.append((distance, track.track_id, person))
        links: dict[int, _Person] = {}
        for _, track_id, person in sorted(pairs, key=lambda pair: (pair[0], pair[1], pair[2].id)):
            if track_id not in links and all(person is not p for p in links.values()):
                links[track_id] = person
        return links

    def person_of(self, track_id: int) -> int:
        """The person id of a track seen in the last `update`."""
        return self._by_track[track_id].id

    def needs_vote(self, track: Track, t: float) -> bool:
        """True when the track's person is due a classification at `t` (see `UNSETTLED_EVERY_S`,
        `CONFIRM_EVERY_S`, `RECHECK_S`, `RESIZE`)."""
        person = self._by_track[track.track_id]
        if person.classified is None or person.classified_box is None:
            return True
        since = t - person.classified
        if not person.settled:
            return since >= UNSETTLED_EVERY_S - 1e-6
        every = RECHECK_S if person.clearing_since is None else CONFIRM_EVERY_S
        was = max(person.classified_box[3] - person.classified_box[1], 1.0)
        now = max(track.box[3] - track.box[1], 1.0)
        return since >= every - 1e-6 or not 1 / RESIZE <= now / was <= RESIZE

    def add_vote(self, track: Track, vote: Vote, t: float) -> None:
        """Record a classified vote of the track's person, for the box and time it was classified at."""
        person = self._by_track[track.track_id]
        person.votes.append(vote)
        person.classified_box = track.box
        person.classified = t
        person.decide(t, self._sticky)

    def votes(self, tracks: Iterable[Track]) -> Mapping[int, PersonVote]:
        """Each track's person and vote (flagged while that holds, else smoothed), by track id."""
        out: dict[int, PersonVote] = {}
        for track in tracks:
            person = self._by_track[track.track_id]
            out[track.track_id] = PersonVote(person.id, person.decision(), person.settled)
        return out
