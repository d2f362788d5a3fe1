"""`watcher events`, `watcher export` and `watcher notify-test` as a user runs them."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.sinks.conftest import make_event
from tests.sinks.notify.receivers import http_receiver
from tests.support.waiting import free_port
from watcher.cli import main
from watcher.clock import FakeClock
from watcher.sinks import EventStore
from watcher.types import EventType

START = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    """A config whose store holds three events: 3 h ago (a), 30 min ago (a, end), 5 min ago (b)."""
    path = tmp_path / "config.toml"
    path.write_text('[[cameras]]\nname = "demo"\nurl = "demo"\n')
    clock = FakeClock(wall_start=START)
    store = EventStore(tmp_path / "watcher.db", clock=clock)
    store.add(make_event(0, rule="a"))
    clock.advance(150 * 60)
    store.add(make_event(1, EventType.END, rule="a"))
    # 5 min before START + 3 h (module import): "--since 25m" keeps it for the first 20 min of the run.
    clock.advance(25 * 60)
    store.add(make_event(2, rule="b"))
    store.close()
    return path


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def test_events_prints_a_table_oldest_first(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "-c", str(cfg)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "time",
        "type",
        "rule",
        "camera",
        "zone",
        "label",
        "value",
        "start",
        "end",
        "snapshot",
    ]
    assert [line.split() for line in lines[1:]] == [
        [*_at(0).split(), "start", "a", "demo", "path", "person", "2", "12.300", "-", "-"],
        [*_at(150).split(), "end", "a", "demo", "path", "person", "0", "13.300", "16.500", "-"],
        [*_at(175).split(), "start", "b", "demo", "path", "person", "2", "14.300", "-", "-"],
    ]


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--since", "1h"], ["ev-1", "ev-2"]),
        (["--rule", "a"], ["ev-0", "ev-1"]),
        (["--since", "1h", "--rule", "a"], ["ev-1"]),
        (["--since", "25m"], ["ev-2"]),
        (["--since", START.strftime("%Y-%m-%dT%H:%M:%S+00:00")], ["ev-0", "ev-1", "ev-2"]),
    ],
)
def test_events_json_lines_filtered_by_since_and_rule(
    cfg: Path, capsys: pytest.CaptureFixture[str], args: list[str], ids: list[str]
) -> None:
    assert main(["events", "--json", "-c", str(cfg), *args]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == ids


def test_events_json_line_is_the_event_json_with_its_stored_time(
    cfg: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["events", "--json", "--rule", "b", "-c", str(cfg)]) == 0
    (line,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert line == {
        **make_event(2, rule="b").to_json(),
        "created": (START + timedelta(minutes=175)).isoformat(),
    }


def test_events_with_a_bad_since_is_a_one_line_error(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--since", "yesterday", "-c", str(cfg)]) == 2
    assert capsys.readouterr().err == (
        "watcher: --since: expected a duration like 1h, 30m, 2d or a date like 2026-01-31 (got 'yesterday')\n"
    )


def test_events_without_a_store_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[cameras]]\nname = "demo"\nurl = "demo"\n')
    assert main(["events", "-c", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"watcher: sink store: no event store at {tmp_path / 'watcher.db'} (run `watcher run` first)\n"
    )


def test_export_writes_csv_with_a_header(
    cfg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events.csv"
    assert main(["export", "-o", str(out), "--since", "1h", "-c", str(cfg)]) == 0
    assert capsys.readouterr().out == f"{out}: 2 event(s)\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["time"], r["type"], r["rule"], r["end"]) for r in rows] == [
        (_at(150), "end", "a", "16.500"),
        (_at(175), "start", "b", ""),
    ]


def test_export_without_output_writes_csv_to_stdout(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "-c", str(cfg)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "time,type,rule,camera,zone,label,value,start,end,snapshot"
    assert len(lines) == 4


def _notify_config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "notify.toml"
    path.write_text(f'[[cameras]]\nname = "demo"\nurl = "demo"\n[notify.phone]\nurls = ["{url}"]\n')
    return path


def test_notify_test_sends_the_demo_frame_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with http_receiver() as receiver:
        assert main(["notify-test", "phone", "-c", str(_notify_config(tmp_path, receiver.url))]) == 0
    assert capsys.readouterr().out == f"notify-test phone: json://127.0.0.1:{receiver.port}: sent\n"
    payload = receiver.requests[0]["json"]
    assert payload["title"] == "notify_test on demo"
    assert base64.b64decode(payload["attachments"][0]["base64"])[:2] == b"\xff\xd8"  # a JPEG


def test_notify_test_to_an_unreachable_service_exits_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    url = f"json://user:s3cr3t@127.0.0.1:{port}/hook"
    assert main(["notify-test", "phone", "-c", str(_notify_config(tmp_path, url))]) == 1
    out, err = capsys.readouterr()
    # The log line above the result says why (apprise: "A Connection error occurred ...").
    assert out.splitlines()[-1] == f"notify-test phone: json://127.0.0.1:{port}: FAILED"
    assert err == f"watcher: sink notify: phone: not delivered to json://127.0.0.1:{port}\n"
    assert "s3cr3t" not in out + err


def test_notify_test_of_an_unknown_target_names_the_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notify-test", "pager", "-c", str(_notify_config(tmp_path, "json://127.0.0.1"))]) == 2
    assert capsys.readouterr().err == "watcher: NAME: unknown notify target 'pager' (have: phone)\n"
