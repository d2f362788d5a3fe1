"""Config validation: each bad config gives exactly one line naming file, key path and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher import config
from watcher.errors import ConfigError

CAMERA = '[[cameras]]\nname = "porch"\nurl = "demo"\n'
ZONE = '[[zones]]\ncamera = "porch"\nname = "door"\npoints = [[0, 0], [1, 0], [1, 1]]\n'
RULE = '[[rules]]\nname = "r"\nkind = "presence"\ncamera = "porch"\n'

BAD = [
    ("no_cameras", "", "config.toml: cameras: required key is missing"),
    ("empty_cameras", "cameras = []", "config.toml: cameras: needs at least 1 item(s) (got 0)"),
    (
        "negative_fps",
        CAMERA + '[[cameras]]\nname = "b"\nurl = "demo"\ndetect_fps = -2\n',
        "config.toml: cameras[1].detect_fps: must be > 0 (got -2)",
    ),
    ("unknown_camera_key", CAMERA + "fps = 3\n", "config.toml: cameras[0].fps: unknown key"),
    ("unknown_top_key", CAMERA + "colour = 1\n", "config.toml: cameras[0].colour: unknown key"),
    ("unknown_table", "verbose = true\n" + CAMERA, "config.toml: verbose: unknown key"),
    (
        "bad_camera_name",
        '[[cameras]]\nname = "Front Door"\nurl = "demo"\n',
        "config.toml: cameras[0].name: must match ^[a-z0-9_]+$ (got 'Front Door')",
    ),
    ("duplicate_camera", CAMERA + CAMERA, "config.toml: cameras[1].name: duplicate name 'porch'"),
    (
        "input_size_not_multiple",
        CAMERA + "[detector]\ninput_size = 300\n",
        "config.toml: detector.input_size: must be a multiple of 32 (got 300)",
    ),
    (
        "threshold_above_one",
        CAMERA + "[detector]\nscore_threshold = 1.5\n",
        "config.toml: detector.score_threshold: must be <= 1 (got 1.5)",
    ),
    (
        "tracker_type",
        CAMERA + '[tracker]\ntype = "sort"\n',
        "config.toml: tracker.type: must be one of 'bytetrack' or 'ocsort' (got 'sort')",
    ),
    (
        "zone_unknown_camera",
        CAMERA + ZONE.replace('camera = "porch"', 'camera = "yard"'),
        "config.toml: zones[0].camera: unknown camera 'yard' (have: porch)",
    ),
    (
        "zone_point_outside",
        CAMERA + ZONE.replace("[1, 1]", "[1.2, 1]"),
        "config.toml: zones[0].points: must be relative coordinates in 0..1 (got [1.2, 1.0])",
    ),
    (
        "zone_two_points",
        CAMERA + ZONE.replace(", [1, 1]]", "]"),
        "config.toml: zones[0].points: needs at least 3 item(s) (got 2)",
    ),
    (
        "line_in_pixels",
        CAMERA
        + '[[rules]]\nname = "c"\nkind = "line_count"\ncamera = "porch"\nline = [[105, 269], [248, 128]]\n',
        "config.toml: rules[0].line: must be relative coordinates in 0..1 (got [105.0, 269.0])",
    ),
    (
        "duplicate_zone",
        CAMERA + ZONE + ZONE,
        "config.toml: zones[1].name: duplicate zone 'door' on camera 'porch'",
    ),
    (
        "rule_unknown_kind",
        CAMERA + RULE.replace("presence", "teleport"),
        "config.toml: rules[0].kind: unknown kind 'teleport' (expected one of: presence, left_object, state, "
        "missing_associate, occupancy, area, line_count)",
    ),
    (
        "rule_missing_kind",
        CAMERA + '[[rules]]\nname = "r"\ncamera = "porch"\n',
        "config.toml: rules[0].kind: required key 'kind' is missing",
    ),
    (
        "rule_unknown_zone",
        CAMERA + RULE + 'zone = "gate"\n',
        "config.toml: rules[0].zone: unknown zone 'gate' on camera 'porch' (have: none)",
    ),
    (
        "rule_unknown_camera",
        CAMERA + RULE.replace('camera = "porch"', 'camera = "x"'),
        "config.toml: rules[0].camera: unknown camera 'x' (have: porch)",
    ),
    ("rule_unknown_key", CAMERA + RULE + "hold = 3\n", "config.toml: rules[0].hold: unknown key"),
    (
        "rule_negative_for",
        CAMERA + RULE + "for_s = -1\n",
        "config.toml: rules[0].for_s: must be >= 0 (got -1)",
    ),
    (
        "rule_for_not_number",
        CAMERA + RULE + 'for_s = "ten"\n',
        "config.toml: rules[0].for_s: input should be a valid number, unable to parse string as a number "
        "(got 'ten')",
    ),
    (
        "rule_unknown_notify",
        CAMERA + RULE + 'notify = ["phone"]\n',
        "config.toml: rules[0].notify[0]: unknown notify target 'phone'",
    ),
    ("duplicate_rule", CAMERA + RULE + RULE, "config.toml: rules[1].name: duplicate name 'r'"),
    ("mqtt_port", CAMERA + "[mqtt]\nport = 70000\n", "config.toml: mqtt.port: must be < 65536 (got 70000)"),
    (
        "missing_env",
        CAMERA + '[mqtt]\npassword = "${WATCHER_TEST_UNSET}"\n',
        "config.toml: mqtt.password: environment variable WATCHER_TEST_UNSET is not set",
    ),
    (
        "log_level",
        CAMERA + '[logging]\nlevel = "LOUD"\n',
        "config.toml: logging.level: must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR' (got 'LOUD')",
    ),
    (
        "bad_toml",
        "[[cameras]\nname = 1\n",
        "config.toml:1: invalid TOML: Expected ']]' at the end of an array declaration",
    ),
]


@pytest.mark.parametrize(("text", "message"), [(t, m) for _, t, m in BAD], ids=[n for n, _, _ in BAD])
def test_bad_config_gives_one_line_error_with_key_path(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.loads(text, "config.toml", env={})
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_env_variables_are_substituted_in_strings() -> None:
    cfg = config.loads(
        CAMERA + '[mqtt]\npassword = "${PW}"\nusername = "${USER_NAME:-watcher}"\n', env={"PW": "s3cret"}
    )
    assert (cfg.mqtt.password, cfg.mqtt.username) == ("s3cret", "watcher")


def test_example_config_is_valid() -> None:
    cfg = config.load(Path(__file__).parents[1] / "config.example.toml")
    assert [c.name for c in cfg.cameras] == ["demo"]
    assert [r.name for r in cfg.rules] == ["person_on_lawn", "people_at_sign"]


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^.*nope\.toml: cannot read: No such file or directory$"):
        config.load(tmp_path / "nope.toml")


def test_rule_class_unknown_to_the_model_is_a_config_error() -> None:
    cfg = config.loads(CAMERA + RULE + 'classes = ["persn"]\n', env={})
    with pytest.raises(ConfigError) as info:
        config.check_classes(cfg, ["person", "car"], "config.toml")
    assert str(info.value) == (
        "config.toml: rules[0].classes[0]: unknown class 'persn' for model yolov8n (e.g. person, car)"
    )


def test_rule_class_outside_the_detector_filter_is_a_config_error() -> None:
    cfg = config.loads(CAMERA + '[detector]\nclasses = ["car"]\n' + RULE, env={})
    with pytest.raises(ConfigError) as info:
        config.check_classes(cfg, ["person", "car"], "config.toml")
    assert str(info.value) == (
        "config.toml: rules[0].classes[0]: class 'person' is filtered out by detector.classes"
    )


def test_schema_lists_the_top_level_keys() -> None:
    props = config.schema()["properties"]
    assert {"cameras", "detector", "tracker", "zones", "rules", "mqtt", "notify", "store", "logging"} <= set(
        props
    )


def test_rule_recipes_are_valid_with_their_camera() -> None:
    rules_dir = Path(__file__).parents[1] / "rules"
    for recipe in sorted(rules_dir.glob("*.toml")):
        cfg = config.loads('[[cameras]]\nname = "front"\nurl = "demo"\n' + recipe.read_text(), recipe.name)
        assert cfg.rules, recipe.name
