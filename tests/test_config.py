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
        "config.toml: rules[0].for_s: must be a number (got 'ten')",
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


def test_env_variables_give_numbers_and_booleans_where_the_key_wants_one() -> None:
    text = (
        CAMERA
        + 'detect_fps = "${FPS}"\n'
        + RULE
        + 'for_s = "${HOLD}"\n[mqtt]\nenabled = "${MQTT_ON}"\nport = "${PORT:-1883}"\npassword = "${PW}"\n'
    )
    cfg = config.loads(text, env={"FPS": "2.5", "HOLD": "10", "MQTT_ON": "true", "PW": "1234"})
    assert (cfg.cameras[0].detect_fps, cfg.rules[0].for_s) == (2.5, 10.0)
    assert (cfg.mqtt.enabled, cfg.mqtt.port, cfg.mqtt.password) == (True, 1883, "1234")


def test_env_variable_that_is_not_a_number_names_the_key() -> None:
    with pytest.raises(ConfigError) as info:
        config.loads(CAMERA + '[mqtt]\nport = "${PORT}"\n', env={"PORT": "mqtt"})
    assert str(info.value) == "config.toml: mqtt.port: must be an integer (got 'mqtt')"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CAMERA + 'detect_fps = "5"\n', "cameras[0].detect_fps: must be a number, without quotes (got '5')"),
        (CAMERA + 'enabled = "yes"\n', "cameras[0].enabled: must be true or false (got 'yes')"),
        (CAMERA + "[detector]\nthreads = 2.0\n", "detector.threads: must be an integer (got 2.0)"),
        (CAMERA + "[mqtt]\ntls = 1\n", "mqtt.tls: must be true or false (got 1)"),
    ],
    ids=["quoted_number", "yes", "float_for_int", "int_for_bool"],
)
def test_scalar_of_the_wrong_toml_type_is_not_coerced(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.loads(text, env={})
    assert str(info.value) == f"config.toml: {message}"


def test_integers_stand_for_floats_and_arrays_for_pairs() -> None:
    text = CAMERA + "detect_fps = 5\n" + ZONE + RULE.replace("presence", "missing_associate")
    cfg = config.loads(text + 'item = "hardhat"\nband = [0, 1]\nfor_s = 3\n', env={})
    rule = cfg.rules[0]
    assert isinstance(rule, config.MissingAssociateRule)
    assert (cfg.cameras[0].detect_fps, cfg.zones[0].points[2], rule.band, rule.for_s) == (
        5.0,
        (1.0, 1.0),
        (0.0, 1.0),
        3.0,
    )


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
        "config.toml: rules[0].classes[0]: unknown class 'persn' for model yolov8n_int8 (e.g. person, car)"
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


# --- per-camera detector and camera URLs (issue 8)

YARD = '[[cameras]]\nname = "yard"\nurl = "demo"\n'


def test_camera_detector_keys_not_given_come_from_the_global_detector() -> None:
    cfg = config.loads(
        CAMERA
        + 'detector = { model = "ssd_mobilenet_v2" }\n[detector]\nscore_threshold = 0.5\nthreads = 1\n',
        env={},
    )
    assert cfg.detector_for(cfg.cameras[0]) == config.DetectorConfig(
        model="ssd_mobilenet_v2", score_threshold=0.5, threads=1
    )


def test_camera_without_its_own_detector_uses_the_global_one() -> None:
    cfg = config.loads(CAMERA + '[detector]\nmodel = "ssd_mobilenet_v2"\n', env={})
    assert cfg.detector_for(cfg.cameras[0]) is cfg.detector


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CAMERA + YARD + 'detector = { modle = "x" }\n', "cameras[1].detector.modle: unknown key"),
        (
            CAMERA + "detector = { input_size = 300 }\n",
            "cameras[0].detector.input_size: must be a multiple of 32 (got 300)",
        ),
        (CAMERA + 'detector = "ssd"\n', "cameras[0].detector: must be a table (got 'ssd')"),
    ],
    ids=["unknown_key", "bad_value", "not_a_table"],
)
def test_bad_camera_detector_key_names_its_key_path(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        config.loads(text, env={})
    assert str(info.value) == f"config.toml: {message}"


@pytest.mark.parametrize(
    ("key", "url", "problem"),
    [
        ("url", "rtsp://", "URL has no host (got 'rtsp://')"),
        ("url", "rtsp://admin:pw1234@:554/live", "URL has no host (got 'rtsp://***@:554/live')"),
        ("url", "rtsps://:322/stream", "URL has no host (got 'rtsps://:322/stream')"),
        ("url", "http:///video.mjpg", "URL has no host (got 'http:///video.mjpg')"),
        (
            "url",
            "https://u:secret@/v.mjpg?token=abc",
            "URL has no host (got 'https://***@/v.mjpg?token=***')",
        ),
        ("url", "rtsp://cam:99999/x", "malformed URL: Port out of range 0-65535 (got 'rtsp://cam:99999/x')"),
        (
            "url",
            "ftp://cam/clip.mp4",
            "unsupported URL scheme 'ftp' (use rtsp://, http(s)://, a file path, usb:N or demo) "
            "(got 'ftp://cam/clip.mp4')",
        ),
        (
            "url",
            "usb:front",
            "USB camera must be usb:N with N a device number, not 'usb:front' (got 'usb:front')",
        ),
        ("url", "  ", "empty URL (got '  ')"),
        ("detect_url", "rtsp://admin:pw1234@/sub", "URL has no host (got 'rtsp://***@/sub')"),
    ],
)
def test_malformed_camera_url_is_a_config_error_with_credentials_redacted(
    key: str, url: str, problem: str
) -> None:
    keys = f'url = "{url}"\n' if key == "url" else f'url = "rtsp://cam.local/main"\n{key} = "{url}"\n'
    with pytest.raises(ConfigError) as info:
        config.loads('[[cameras]]\nname = "porch"\n' + keys, env={})
    assert str(info.value) == f"config.toml: cameras[0].{key}: {problem}"


@pytest.mark.parametrize(
    "url",
    [
        "demo",
        "usb:0",
        "clips/porch.mp4",
        "/var/lib/watcher/clip.mp4",
        "file:///tmp/clip.mp4",
        "rtsp://admin:pw@192.168.1.20:554/stream2",
        "rtsps://cam.local/live",
        "http://10.0.0.2:8080/video.mjpg",
        "https://cam.local/v.mjpg",
    ],
)
def test_well_formed_camera_urls_are_accepted(url: str) -> None:
    cfg = config.loads(f'[[cameras]]\nname = "porch"\nurl = "{url}"\n', env={})
    assert cfg.cameras[0].url == url


def test_rule_class_is_checked_against_the_model_of_its_own_camera() -> None:
    text = CAMERA + YARD + 'detector = { model = "ssd_mobilenet_v2" }\n' + RULE.replace("porch", "yard")
    cfg = config.loads(text + 'classes = ["person", "backpack"]\n', env={})
    labels = {"porch": ["person", "backpack"], "yard": ["person", "car"]}
    with pytest.raises(ConfigError) as info:
        config.check_classes(cfg, labels, "config.toml")
    assert str(info.value) == (
        "config.toml: rules[0].classes[1]: "
        "unknown class 'backpack' for model ssd_mobilenet_v2 (e.g. person, car)"
    )


def test_unknown_class_in_a_camera_detector_filter_names_the_cameras_key() -> None:
    cfg = config.loads(CAMERA + YARD + 'detector = { classes = ["car", "lorry"] }\n', env={})
    with pytest.raises(ConfigError) as info:
        config.check_classes(cfg, {"porch": ["person"], "yard": ["person", "car"]}, "config.toml")
    assert str(info.value) == (
        "config.toml: cameras[1].detector.classes[1]: "
        "unknown class 'lorry' for model yolov8n_int8 (e.g. person, car)"
    )


def test_rule_class_outside_its_cameras_own_filter_names_that_filter() -> None:
    text = CAMERA + 'detector = { classes = ["car"] }\n' + RULE
    with pytest.raises(ConfigError) as info:
        config.check_classes(config.loads(text, env={}), {"porch": ["person", "car"]}, "config.toml")
    assert str(info.value) == (
        "config.toml: rules[0].classes[0]: class 'person' is filtered out by cameras[0].detector.classes"
    )


def test_camera_whose_model_did_not_load_is_not_class_checked() -> None:
    cfg = config.loads(CAMERA + YARD + RULE.replace("porch", "yard") + 'classes = ["persn"]\n', env={})
    config.check_classes(cfg, {"porch": ["person"]}, "config.toml")
