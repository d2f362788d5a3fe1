"""`watcher --version` prints the installed package's version."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from watcher.cli import main


def test_version_flag_prints_the_package_version_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"watcher {version('watcher')}\n"
