"""The dashboard's command line: bad options are one line and exit 2, before any screen is drawn."""

from __future__ import annotations

import pytest

from watcher.cli import main
from watcher.tui import launch
from watcher.tui.mqtt import MqttFeed


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["tui", "--mqtt", "broker:x"], "watcher: --mqtt: port must be a number (got 'x')"),
        (
            ["tui", "--mqtt", "broker", "--password-env", "WATCHER_TEST_UNSET_PASSWORD"],
            "watcher: --password-env: environment variable WATCHER_TEST_UNSET_PASSWORD is not set",
        ),
    ],
)
def test_a_bad_tui_option_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], line: str
) -> None:
    monkeypatch.delenv("WATCHER_TEST_UNSET_PASSWORD", raising=False)
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [line]


def test_tui_requires_the_broker_address(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["tui"])
    assert exit_.value.code == 2
    assert "--mqtt" in capsys.readouterr().err


def test_run_has_a_tui_switch(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--tui" in capsys.readouterr().out


def test_tui_passes_the_node_to_show_and_finds_every_node_unless_a_prefix_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[MqttFeed, str | None]] = []
    monkeypatch.setattr(launch, "run_dashboard", lambda feed, _clock, *, node: calls.append((feed, node)))
    assert main(["tui", "--mqtt", "broker:1884", "--node", "garage"]) == 0
    assert main(["tui", "--mqtt", "broker", "--prefix", "site/porch"]) == 0
    brokers = [feed._broker for feed, _ in calls]
    assert [(b.port, b.prefix, node) for b, (_, node) in zip(brokers, calls, strict=True)] == [
        (1884, None, "garage"),
        (1883, "site/porch", None),
    ]
