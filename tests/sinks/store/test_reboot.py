"""An episode active across a reboot (the capture clock starts again): its end carries times on the
new clock, start before end, through a real store file and `watcher events` (docs/store.md, "Restarts")."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watcher.cli import main
from watcher.config import PresenceRule
from watcher.rules import RulesEngine
from watcher.sinks import EventStore, SinkRunner, StoreSink
from watcher.sinks.store.recovery import load_states, save_states
from watcher.testing import FakeClock
from watcher.types import Event, EventType, Observation, RuleState, Track

RULE = PresenceRule(
    name="presence_on_path", kind="presence", camera="demo", zone="path", clear_s=2, report="sensor"
)
W0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""Wall time at which the person came, at capture time 4000 s of the run before the reboot."""
# rule_states as the first release created it, before `seen_at` and `seen_wall`.
OLD_RULE_STATES = """CREATE TABLE rule_states (
	rule VARCHAR NOT NULL,
	camera VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	active BOOLEAN NOT NULL,
	value VARCHAR NOT NULL,
	since FLOAT,
	enabled BOOLEAN NOT NULL,
	updated FLOAT NOT NULL,
	PRIMARY KEY (rule)
)"""


def _obs(t: float, people: int) -> Observation:
    tracks = tuple(Track(i, "person", 0.9, (10, 10, 30, 50), zones=("path",)) for i in range(people))
    return Observation("demo", int(t * 10), t, (100, 100), tracks, {})


def _run(path: Path, clock: FakeClock, stream: list[tuple[float, int]], *, restore: bool) -> list[Event]:
    """One daemon run: restore the saved states, then feed the engine at the clock's capture times
    (it moves to each) and store its events through a StoreSink, as the daemon does; no save at the
    end (a power cut)."""
    engine = RulesEngine([RULE], clock=clock)
    if restore:
        assert engine.restore(load_states(path)) == [RULE.name]
    runner = SinkRunner([StoreSink(EventStore(path, clock=clock), clock=clock)])
    events: list[Event] = []
    for t, n in stream:
        clock.advance(t - clock.monotonic())
        fired = engine.process(_obs(t, n))
        runner.submit_states(engine.snapshot())
        for event in fired:
            runner.submit_event(event)
        events.extend(fired)
    assert runner.close(10)
    return events


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[[cameras]]\nname = "demo"\nurl = "demo"\n')
    return path


def test_end_after_a_reboot_has_its_start_on_the_new_clock_in_the_store_and_watcher_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "watcher.db"
    before = _run(db, FakeClock(4000.0, W0), [(4000.0, 1), (5000.0, 2)], restore=False)
    assert [(e.type, e.start_time) for e in before] == [(EventType.START, 4000.0), (EventType.UPDATE, 4000.0)]
    (saved,) = load_states(db)
    assert (saved.since, saved.seen_at, saved.seen_wall) == (
        4000.0,
        5000.0,
        (W0 + timedelta(seconds=1000)).timestamp(),
    )

    # A 2 h power cut: the host is up again with its monotonic clock at 10 s, 2 h 10 s after the save.
    rebooted = FakeClock(10.0, W0 + timedelta(seconds=1000 + 7210))
    after = _run(db, rebooted, [(10.0, 2), (11.0, 0), (12.0, 0), (13.0, 0)], restore=True)
    # 1000 s watched before the save and 7210 s of downtime (wall clock) before 10 s: the end's span
    # is the wall time from the person's coming (W0) to the first frame without them (W0 + 8211 s).
    assert [(e.type, e.start_time, e.end_time) for e in after] == [(EventType.END, -8200.0, 11.0)]
    assert after[0].to_json()["start_time"] == -8200.0
    assert after[0].to_json()["end_time"] == 11.0

    assert main(["events", "--json", "-c", str(_config(tmp_path))]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["type"], e["start_time"], e["end_time"]) for e in lines] == [
        ("start", 4000.0, None),
        ("update", 4000.0, None),
        ("end", -8200.0, 11.0),
    ]
    assert main(["events", "-c", str(_config(tmp_path))]) == 0
    end_row = capsys.readouterr().out.splitlines()[-1].split()
    assert end_row[-3:] == ["-8200.000", "11.000", "-"]  # start, end, no snapshot


def test_end_after_a_file_camera_started_again_counts_the_time_between_the_runs(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    clock = FakeClock(0.0, W0)
    engine = RulesEngine([RULE], clock=clock)
    clock.advance(3.5)
    engine.process(_obs(3.5, 1))  # the person came at 3.5 s of the clip
    clock.advance(6.5)
    engine.process(_obs(10.0, 1))
    save_states(db, engine.states(), clock.wall().timestamp())  # the daemon stops, saving every state
    # Started again 60 s later, the clip plays from 0 (the host's clock went on; the clip's did not).
    replay = FakeClock(0.0, W0 + timedelta(seconds=10 + 60))
    after = _run(db, replay, [(0.0, 1), (1.0, 0), (2.0, 0), (3.0, 0)], restore=True)
    # The state saved at stop was last swapped at 3.5 s (nothing changed after), so the wall clock
    # counts from there: 6.5 s watched plus 60 s down before 0 s.
    assert [(e.type, e.start_time, e.end_time) for e in after] == [(EventType.END, -66.5, 1.0)]


def test_a_store_written_before_seen_at_is_migrated_and_its_rows_kept(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    updated = (W0 + timedelta(seconds=1000)).timestamp()
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(OLD_RULE_STATES)
        conn.execute(
            "INSERT INTO rule_states VALUES (?, 'demo', 'presence', 1, '2', 4000.0, 1, ?)",
            (RULE.name, updated),
        )
        conn.execute("INSERT INTO rule_states VALUES ('gone', 'demo', 'presence', 0, '0', NULL, 0, 1.0)")
        conn.commit()
    # An old row is taken as seen at its `since`, at the wall time it was saved.
    assert load_states(db) == [
        RuleState("gone", "demo", "presence", False, 0, None, enabled=False),
        RuleState(RULE.name, "demo", "presence", True, 2, 4000.0),
    ]
    assert [(s.seen_at, s.seen_wall) for s in load_states(db)] == [(None, 1.0), (4000.0, updated)]
    with closing(sqlite3.connect(db)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(rule_states)")]
    assert columns[-2:] == ["seen_at", "seen_wall"]

    rebooted = FakeClock(10.0, W0 + timedelta(seconds=1000 + 7210))
    after = _run(db, rebooted, [(10.0, 2), (11.0, 0), (12.0, 0), (13.0, 0)], restore=True)
    # The 1000 s between the person's coming and the save are not known to an old row: the span
    # counts from the save.
    assert [(e.type, e.start_time, e.end_time) for e in after] == [(EventType.END, -7200.0, 11.0)]


def test_an_old_store_opened_by_several_processes_at_once_gets_each_column_once(tmp_path: Path) -> None:
    db = tmp_path / "watcher.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(OLD_RULE_STATES)
        conn.execute("INSERT INTO rule_states VALUES ('a', 'demo', 'presence', 1, '1', 2.0, 1, 5.0)")
        conn.commit()
    # As the daemon and `watcher events` started together: each checks and alters in one write transaction.
    opener = "import sys; from watcher.sinks import EventStore; EventStore(sys.argv[1]).close()"
    openers = [subprocess.Popen([sys.executable, "-c", opener, str(db)]) for _ in range(4)]
    assert [p.wait(60) for p in openers] == [0, 0, 0, 0]
    with closing(sqlite3.connect(db)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(rule_states)")]
        rows = conn.execute("SELECT rule, since, seen_at, seen_wall FROM rule_states").fetchall()
    assert columns == [
        "rule",
        "camera",
        "kind",
        "active",
        "value",
        "since",
        "enabled",
        "updated",
        "seen_at",
        "seen_wall",
    ]
    assert rows == [("a", 2.0, 2.0, 5.0)]
