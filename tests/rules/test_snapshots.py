"""`RulesEngine.snapshot`: immutable, whole states that another thread may read at any time."""

from __future__ import annotations

import threading

from tests.rules.kinds.helpers import at, car, rule_of
from watcher.rules import RulesEngine
from watcher.types import Observation, RulesSnapshot, RuleState, Vote

BARE = Vote("no_hardhat", 1.0, 0.9)
FRAMES = 1500


def _crowd(n: int) -> Observation:
    """Frame n: a changing set of bare-headed people, so episodes open and close all the time."""
    people = [i for i in range(1, 7) if (n // (3 * i)) % 2 == 0]
    tracks = tuple(car(i, label="person", since=None) for i in people)
    return at(n / 10, *tracks, votes={"r": dict.fromkeys(people, BARE)})


def _whole(state: RuleState) -> bool:
    """A per-track rule's state agrees with its own open episodes in every field."""
    open_ = state.episodes
    since = min((e.since for e in open_ if e.since is not None), default=None)
    return (
        state.active == bool(open_)
        and state.value == len(open_)
        and (not open_ or state.since == since)
        and state.objects == tuple(o for e in open_ for o in e.objects)
        and [e.track_id for e in open_] == sorted(e.track_id for e in open_)
    )


def test_a_reader_thread_sees_only_whole_snapshots_the_worker_published() -> None:
    rule = rule_of("missing_associate", item="hardhat", for_s=0.2, clear_s=0.2)
    engine = RulesEngine([rule])
    published: dict[int, RulesSnapshot] = {0: engine.snapshot()}
    seen: list[RulesSnapshot] = []
    reading = threading.Event()
    done = threading.Event()

    def worker() -> None:
        reading.wait(10)
        for n in range(FRAMES):
            engine.process(_crowd(n))
            snapshot = engine.snapshot()
            published[snapshot.version] = snapshot
        done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    reading.set()
    while not done.is_set():
        snapshot = engine.snapshot()
        if not seen or snapshot is not seen[-1]:
            seen.append(snapshot)
    thread.join(10)
    seen.append(engine.snapshot())
    versions = [s.version for s in seen]
    assert versions == sorted(versions)
    assert all(published[s.version] is s for s in seen), "a snapshot the worker never published"
    assert all(_whole(s.states[0]) for s in seen)
    assert len(set(versions)) > 2
    assert max(len(s.states[0].episodes) for s in published.values()) >= 3


def test_a_snapshot_does_not_change_after_the_engine_moves_on() -> None:
    engine = RulesEngine([rule_of("missing_associate", item="hardhat", for_s=0, clear_s=0)])
    engine.process(_crowd(0))
    before = engine.snapshot()
    state = before.states[0]
    engine.process(at(1.0))
    assert engine.snapshot().version == before.version + 1
    assert before.states[0] is state
    assert (state.active, state.value, [e.track_id for e in state.episodes]) == (True, 6, [1, 2, 3, 4, 5, 6])
    assert (engine.state("r").active, engine.state("r").value, engine.state("r").episodes) == (False, 0, ())
