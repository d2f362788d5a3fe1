"""Fuzzing the config loader: whatever the text or structure, the only error is a one-line ConfigError."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher import config
from watcher.config import Config
from watcher.errors import ConfigError
from watcher.rules.spec import KINDS

# Generous per-example deadline: the machine is shared and noisy; a hang or a blow-up is far longer.
FUZZ = settings(max_examples=150, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
PEAK_BYTES = 32 * 1024 * 1024
ENV = {"SECRET": "s3cret", "NUM": "5", "YES": "true"}


def _schema_keys() -> list[str]:
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config.schema())
    return sorted(keys)


KEYS = st.sampled_from(_schema_keys()) | st.text(min_size=1, max_size=12)
SCALARS = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.sampled_from(
        ["demo", "usb:0", "rtsp://u:p@127.0.0.1/x", "${SECRET}", "${NUM}", "${YES}", "${NOPE}", "${", *KINDS]
    )
    | st.text(max_size=20)
    | st.dates()
    | st.times()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=8) | st.fixed_dictionaries(
    {"cameras": st.lists(st.dictionaries(KEYS, VALUES, max_size=6), max_size=3)},
    optional={
        "zones": st.lists(st.dictionaries(KEYS, VALUES, max_size=5), max_size=3),
        "rules": st.lists(st.dictionaries(KEYS, VALUES, max_size=8), max_size=3),
        "detector": st.dictionaries(KEYS, VALUES, max_size=5),
        "mqtt": st.dictionaries(KEYS, VALUES, max_size=5),
        "notify": st.dictionaries(KEYS, VALUES, max_size=3),
    },
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return str(value)


HEADERS = st.sampled_from(
    [
        "[[cameras]]",
        "[[zones]]",
        "[[rules]]",
        "[detector]",
        "[tracker]",
        "[mqtt]",
        "[notify.phone]",
        "[store]",
    ]
)
LINES = (
    HEADERS
    | st.builds(lambda k, v: f"{k} = {_toml_value(v)}", st.sampled_from(_schema_keys()), SCALARS)
    | st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(_schema_keys()), st.text(max_size=15))
    | st.text(max_size=30)
)


def _error_of(load: Callable[[], Config]) -> str | None:
    """The ConfigError message of load(), or None when it returned a Config; anything else propagates."""
    try:
        result = load()
    except ConfigError as exc:
        return str(exc)
    assert isinstance(result, Config)
    return None


def _assert_config_or_one_line_error(load: Callable[[], Config]) -> None:
    message = _error_of(load)
    if message is not None:
        assert message.startswith("fuzz.toml")
        assert "\n" not in message


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_config_or_a_one_line_config_error(text: str) -> None:
    _assert_config_or_one_line_error(lambda: config.loads(text, "fuzz.toml", env=ENV))


@FUZZ
@given(st.lists(LINES, max_size=25))
def test_toml_like_lines_give_a_config_or_a_one_line_config_error(lines: list[str]) -> None:
    _assert_config_or_one_line_error(lambda: config.loads("\n".join(lines), "fuzz.toml", env=ENV))


@settings(FUZZ, max_examples=60)
@given(DOCUMENTS)
def test_arbitrary_structures_give_a_config_or_a_one_line_config_error(data: dict[str, Any]) -> None:
    _assert_config_or_one_line_error(lambda: config.parse(data, "fuzz.toml", env=ENV))


def test_a_large_config_is_parsed_in_bounded_memory() -> None:
    points = [[j / 50, (j * 7 % 50) / 50] for j in range(50)]
    text = "".join(
        f'[[cameras]]\nname = "cam{i}"\nurl = "rtsp://u:${{SECRET}}@10.0.0.{i}/s"\n'
        f'[[zones]]\ncamera = "cam{i}"\nname = "z"\npoints = {points}\n'
        for i in range(100)
    )
    tracemalloc.start()
    try:
        cfg = config.loads(text, "big.toml", env=ENV)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (len(cfg.cameras), len(cfg.zones)) == (100, 100)
    assert peak < PEAK_BYTES, f"{len(text)} bytes of config took {peak} bytes"
