# ruff: noqa: E501 - the table holds exact error lines, longer than code lines
"""Writes tests/data/bad_configs/: one malformed config per row of CASES and the exact error it must give.

Each row is (name, config text, what follows `<name>.toml` in the error line). The corpus is checked in;
run `python -m tests.reliability.make_bad_configs` after editing the table, and
tests/reliability/test_bad_configs.py fails while the files on disk and the table disagree.
`{dir}` in a message stands for the corpus folder (a model path is resolved against it).
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).parents[1] / "data" / "bad_configs"
UNSET_ENV = ("WATCHER_BAD_CONFIG_UNSET", "WATCHER_BAD_CONFIG_CAM_PW")
"""Environment variables the corpus references; the tests make sure they are unset."""

CAM = '[[cameras]]\nname = "porch"\nurl = "demo"\n'
ZONE = '[[zones]]\ncamera = "porch"\nname = "door"\npoints = [[0, 0], [1, 0], [1, 1]]\n'
RULE = '[[rules]]\nname = "r"\nkind = "presence"\ncamera = "porch"\n'


def rule(kind: str, extra: str = "") -> str:
    """A camera, a zone `door` and one rule of `kind` with extra lines."""
    return CAM + ZONE + f'[[rules]]\nname = "r"\nkind = "{kind}"\ncamera = "porch"\n' + extra


CASES: list[tuple[str, str, str]] = [
    # --- TOML syntax
    (
        "toml_unclosed_array_table",
        "[[cameras]\nname = 1\n",
        ":1: invalid TOML: Expected ']]' at the end of an array declaration",
    ),
    ("toml_missing_value", CAM + "[detector]\nmodel =\n", ":5: invalid TOML: Invalid value"),
    (
        "toml_unterminated_string",
        CAM + '[detector]\nmodel = "yolo\n',
        ":5: invalid TOML: Illegal character '\\n'",
    ),
    (
        "toml_duplicate_key",
        CAM.replace('url = "demo"', 'url = "demo"\nurl = "demo"'),
        ":4: invalid TOML: Cannot overwrite a value",
    ),
    (
        "toml_duplicate_table",
        CAM + "[detector]\n[detector]\n",
        ":5: invalid TOML: Cannot declare ('detector',) twice",
    ),
    ("toml_bare_word_value", CAM + "[detector]\nmodel = yolov8n\n", ":5: invalid TOML: Invalid value"),
    (
        "toml_trailing_garbage",
        CAM + "[detector] x\n",
        ":4: invalid TOML: Expected newline or end of document after a statement",
    ),
    (
        "toml_bad_escape",
        CAM + '[detector]\nmodel = "a\\qb"\n',
        ":5: invalid TOML: Unescaped '\\' in a string",
    ),
    (
        "toml_unclosed_inline_table",
        CAM + "motion = {enabled = true\n",
        ":4: invalid TOML: Unclosed inline table",
    ),
    ("toml_binary_junk", "\x00\x01\x02", ":1: invalid TOML: Invalid statement"),
    (
        "toml_only_a_bracket",
        "[",
        ": invalid TOML: Invalid initial character for a key part (at end of document)",
    ),
    (
        "toml_key_without_equals",
        CAM + "detect_fps 5\n",
        ":4: invalid TOML: Expected '=' after a key in a key/value pair",
    ),
    (
        "toml_arrays_nested_too_deeply",
        CAM + "detect_fps = " + "[" * 5000 + "\n",
        ": invalid TOML: arrays or tables nested too deeply",
    ),
    (
        "dotted_keys_nested_too_deeply",
        CAM + "motion." + "a." * 1500 + "b = 1\n",
        ": arrays or tables nested too deeply",
    ),
    # --- top level
    ("empty_file", "", ": cameras: required key is missing"),
    ("cameras_empty_list", "cameras = []\n", ": cameras: needs at least 1 item(s) (got 0)"),
    ("cameras_not_a_list", 'cameras = "porch"\n', ": cameras: must be an array (got 'porch')"),
    (
        "cameras_as_table",
        '[cameras]\nname = "porch"\nurl = "demo"\n',
        ": cameras: must be an array (got {'name': 'porch', 'url': 'demo'})",
    ),
    ("unknown_top_level_key", "verbose = true\n" + CAM, ": verbose: unknown key"),
    ("unknown_top_level_table", CAM + "[web]\nport = 8080\n", ": web: unknown key"),
    ("node_id_uppercase", 'node_id = "Home"\n' + CAM, ": node_id: must match ^[a-z0-9_]+$ (got 'Home')"),
    ("node_id_number", "node_id = 7\n" + CAM, ": node_id: must be a string (got 7)"),
    ("timezone_number", "timezone = 1\n" + CAM, ": timezone: must be a string (got 1)"),
    ("detector_not_a_table", "detector = 5\n" + CAM, ": detector: must be a table (got 5)"),
    ("notify_not_a_table", "notify = 5\n" + CAM, ": notify: must be a table (got 5)"),
    ("zones_not_a_list", 'zones = "door"\n' + CAM, ": zones: must be an array (got 'door')"),
    ("rules_table_not_array", CAM + '[rules]\nname = "r"\n', ": rules: must be an array (got {'name': 'r'})"),
    # --- cameras
    (
        "cameras_all_disabled",
        CAM + "enabled = false\n",
        ": cameras: every camera has enabled = false: nothing to watch",
    ),
    ("camera_missing_name", '[[cameras]]\nurl = "demo"\n', ": cameras[0].name: required key is missing"),
    ("camera_missing_url", '[[cameras]]\nname = "porch"\n', ": cameras[0].url: required key is missing"),
    (
        "camera_name_with_space",
        '[[cameras]]\nname = "front door"\nurl = "demo"\n',
        ": cameras[0].name: must match ^[a-z0-9_]+$ (got 'front door')",
    ),
    (
        "camera_name_uppercase",
        '[[cameras]]\nname = "Porch"\nurl = "demo"\n',
        ": cameras[0].name: must match ^[a-z0-9_]+$ (got 'Porch')",
    ),
    (
        "camera_name_empty",
        '[[cameras]]\nname = ""\nurl = "demo"\n',
        ": cameras[0].name: must match ^[a-z0-9_]+$ (got '')",
    ),
    (
        "camera_name_number",
        '[[cameras]]\nname = 3\nurl = "demo"\n',
        ": cameras[0].name: must be a string (got 3)",
    ),
    (
        "camera_url_number",
        '[[cameras]]\nname = "porch"\nurl = 554\n',
        ": cameras[0].url: must be a string (got 554)",
    ),
    (
        "camera_url_list",
        '[[cameras]]\nname = "porch"\nurl = ["demo"]\n',
        ": cameras[0].url: must be a string (got ['demo'])",
    ),
    (
        "camera_url_rtsp_without_host",
        '[[cameras]]\nname = "porch"\nurl = "rtsp://admin:secret@:554/live"\n',
        ": cameras[0].url: URL has no host (got 'rtsp://***@:554/live')",
    ),
    (
        "camera_detect_url_http_without_host",
        CAM + 'detect_url = "http:///sub.mjpg"\n',
        ": cameras[0].detect_url: URL has no host (got 'http:///sub.mjpg')",
    ),
    (
        "camera_file_missing",
        '[[cameras]]\nname = "porch"\nurl = "nowhere/clip.mp4"\n',
        ": cameras[0].url: video file not found: {dir}/nowhere/clip.mp4",
    ),
    (
        "camera_detect_url_file_missing",
        '[[cameras]]\nname = "porch"\nurl = "demo"\ndetect_url = "nowhere/sub.mp4"\n',
        ": cameras[0].detect_url: video file not found: {dir}/nowhere/sub.mp4",
    ),
    (
        "camera_url_unsupported_scheme",
        '[[cameras]]\nname = "porch"\nurl = "ftp://cam/clip.mp4"\n',
        ": cameras[0].url: unsupported URL scheme 'ftp' (use rtsp://, http(s)://, a file path, usb:N or demo) (got 'ftp://cam/clip.mp4')",
    ),
    (
        "camera_url_usb_not_a_number",
        '[[cameras]]\nname = "porch"\nurl = "usb:front"\n',
        ": cameras[0].url: USB camera must be usb:N with N a device number, not 'usb:front' (got 'usb:front')",
    ),
    ("camera_duplicate_name", CAM + CAM, ": cameras[1].name: duplicate name 'porch'"),
    ("camera_unknown_key", CAM + "fps = 3\n", ": cameras[0].fps: unknown key"),
    ("camera_detect_fps_zero", CAM + "detect_fps = 0\n", ": cameras[0].detect_fps: must be > 0 (got 0)"),
    (
        "camera_detect_fps_negative",
        CAM + "detect_fps = -2\n",
        ": cameras[0].detect_fps: must be > 0 (got -2)",
    ),
    (
        "camera_detect_fps_string",
        CAM + 'detect_fps = "fast"\n',
        ": cameras[0].detect_fps: must be a number (got 'fast')",
    ),
    (
        "camera_detect_fps_nan",
        CAM + "detect_fps = nan\n",
        ": cameras[0].detect_fps: must be a finite number (got nan)",
    ),
    (
        "camera_detect_fps_inf",
        CAM + "detect_fps = inf\n",
        ": cameras[0].detect_fps: must be a finite number (got inf)",
    ),
    (
        "camera_open_timeout_inf",
        CAM + "open_timeout_s = inf\n",
        ": cameras[0].open_timeout_s: must be a finite number (got inf)",
    ),
    (
        "camera_read_timeout_zero",
        CAM + "read_timeout_s = 0\n",
        ": cameras[0].read_timeout_s: must be > 0 (got 0)",
    ),
    ("camera_loop_number", CAM + "loop = 2\n", ": cameras[0].loop: must be true or false (got 2)"),
    ("camera_motion_not_table", CAM + "motion = true\n", ": cameras[0].motion: must be a table (got True)"),
    (
        "camera_motion_unknown_key",
        CAM + "motion = {sensitivity = 3}\n",
        ": cameras[0].motion.sensitivity: unknown key",
    ),
    (
        "camera_motion_threshold_zero",
        CAM + "motion = {threshold = 0}\n",
        ": cameras[0].motion.threshold: must be >= 1 (got 0)",
    ),
    (
        "camera_motion_threshold_256",
        CAM + "motion = {threshold = 256}\n",
        ": cameras[0].motion.threshold: must be <= 255 (got 256)",
    ),
    (
        "camera_motion_min_fraction_above_one",
        CAM + "motion = {min_fraction = 2.0}\n",
        ": cameras[0].motion.min_fraction: must be <= 1 (got 2.0)",
    ),
    (
        "camera_motion_width_negative",
        CAM + "motion = {width = -160}\n",
        ": cameras[0].motion.width: must be > 0 (got -160)",
    ),
    (
        "camera_motion_width_fraction",
        CAM + "motion = {width = 160.5}\n",
        ": cameras[0].motion.width: must be an integer (got 160.5)",
    ),
    (
        "camera_motion_detect_when",
        CAM + 'motion = {detect_when = "never"}\n',
        ": cameras[0].motion.detect_when: must be one of 'motion_or_tracks' or 'always' (got 'never')",
    ),
    (
        "camera_date_as_fps",
        CAM + "detect_fps = 1979-05-27\n",
        ": cameras[0].detect_fps: must be a number (got 1979-05-27)",
    ),
    (
        "second_camera_bad_fps",
        CAM + '[[cameras]]\nname = "yard"\nurl = "demo"\ndetect_fps = -1\n',
        ": cameras[1].detect_fps: must be > 0 (got -1)",
    ),
    # --- detector
    ("detector_unknown_key", CAM + '[detector]\ndevice = "gpu"\n', ": detector.device: unknown key"),
    (
        "detector_layout",
        CAM + '[detector]\nlayout = "detr"\n',
        ": detector.layout: must be one of 'auto', 'yolo', 'yolo_seg' or 'ssd' (got 'detr')",
    ),
    (
        "detector_input_size_not_multiple",
        CAM + "[detector]\ninput_size = 300\n",
        ": detector.input_size: must be a multiple of 32 (got 300)",
    ),
    (
        "detector_input_size_zero",
        CAM + "[detector]\ninput_size = 0\n",
        ": detector.input_size: must be > 0 (got 0)",
    ),
    (
        "detector_score_above_one",
        CAM + "[detector]\nscore_threshold = 1.5\n",
        ": detector.score_threshold: must be <= 1 (got 1.5)",
    ),
    (
        "detector_score_zero",
        CAM + "[detector]\nscore_threshold = 0\n",
        ": detector.score_threshold: must be > 0 (got 0)",
    ),
    (
        "detector_nms_negative",
        CAM + "[detector]\nnms_iou = -0.1\n",
        ": detector.nms_iou: must be > 0 (got -0.1)",
    ),
    ("detector_threads_zero", CAM + "[detector]\nthreads = 0\n", ": detector.threads: must be >= 1 (got 0)"),
    (
        "detector_threads_too_many",
        CAM + "[detector]\nthreads = 65\n",
        ": detector.threads: must be <= 64 (got 65)",
    ),
    (
        "detector_classes_string",
        CAM + '[detector]\nclasses = "person"\n',
        ": detector.classes: must be an array (got 'person')",
    ),
    (
        "detector_classes_numbers",
        CAM + "[detector]\nclasses = [1, 2]\n",
        ": detector.classes[0]: must be a string (got 1)",
    ),
    (
        "detector_labels_number",
        CAM + "[detector]\nlabels = 80\n",
        ": detector.labels: must be a string (got 80)",
    ),
    (
        "detector_model_number",
        CAM + "[detector]\nmodel = 8\n",
        ": detector.model: must be a string (got 8)",
    ),
    (
        "detector_model_missing_file",
        CAM + '[detector]\nmodel = "nowhere/model.onnx"\n',
        ": detector.model: model {dir}/nowhere/model.onnx: file not found",
    ),
    (
        "detector_model_unknown_name",
        CAM + '[detector]\nmodel = "yolov99"\n',
        ": detector.model: model yolov99: unknown model name (known: ssd_mobilenet_v2, yolov8n, yolov8n_int8; or give a path to an .onnx file)",
    ),
    (
        "camera_detector_model_missing_file",
        CAM + 'detector = { model = "nowhere/model.onnx" }\n',
        ": cameras[0].detector.model: model {dir}/nowhere/model.onnx: file not found",
    ),
    (
        "camera_detector_model_not_onnx",
        CAM + 'detector = { model = "./camera_detector_model_not_onnx.toml" }\n',
        ": cameras[0].detector.model: model {dir}/camera_detector_model_not_onnx.toml: not a valid ONNX model (Protobuf parsing failed.)",
    ),
    (
        "camera_detector_model_unknown_name_second_camera",
        CAM + '[[cameras]]\nname = "yard"\nurl = "demo"\ndetector = { model = "yolov99" }\n',
        ": cameras[1].detector.model: model yolov99: unknown model name (known: ssd_mobilenet_v2, yolov8n, yolov8n_int8; or give a path to an .onnx file)",
    ),
    (
        "camera_detector_unknown_key",
        CAM + 'detector = { modle = "x" }\n',
        ": cameras[0].detector.modle: unknown key",
    ),
    (
        "camera_detector_not_a_table",
        CAM + 'detector = "ssd_mobilenet_v2"\n',
        ": cameras[0].detector: must be a table (got 'ssd_mobilenet_v2')",
    ),
    (
        "camera_detector_class_unknown",
        CAM + 'detector = { classes = ["persn"] }\n',
        ": cameras[0].detector.classes[0]: unknown class 'persn' for model yolov8n_int8 (e.g. person, bicycle, car, motorcycle, airplane, bus)",
    ),
    (
        "rule_class_unknown_to_its_cameras_model",
        CAM + 'detector = { model = "ssd_mobilenet_v2" }\n' + RULE + 'classes = ["persn"]\n',
        ": rules[0].classes[0]: unknown class 'persn' for model ssd_mobilenet_v2 (e.g. person, bicycle, car, motorcycle, airplane, bus)",
    ),
    # --- tracker
    (
        "tracker_type",
        CAM + '[tracker]\ntype = "sort"\n',
        ": tracker.type: must be one of 'bytetrack' or 'ocsort' (got 'sort')",
    ),
    ("tracker_unknown_key", CAM + "[tracker]\nbuffer = 30\n", ": tracker.buffer: unknown key"),
    (
        "tracker_lost_track_zero",
        CAM + "[tracker]\nlost_track_s = 0\n",
        ": tracker.lost_track_s: must be > 0 (got 0)",
    ),
    ("tracker_min_hits_zero", CAM + "[tracker]\nmin_hits = 0\n", ": tracker.min_hits: must be >= 1 (got 0)"),
    (
        "tracker_stationary_negative",
        CAM + "[tracker]\nstationary_s = -3\n",
        ": tracker.stationary_s: must be >= 0 (got -3)",
    ),
    (
        "tracker_tolerance_above_one",
        CAM + "[tracker]\nstationary_tolerance = 1.5\n",
        ": tracker.stationary_tolerance: must be <= 1 (got 1.5)",
    ),
    # --- zones
    (
        "zone_missing_camera",
        CAM + '[[zones]]\nname = "door"\npoints = [[0, 0], [1, 0], [1, 1]]\n',
        ": zones[0].camera: required key is missing",
    ),
    (
        "zone_missing_points",
        CAM + '[[zones]]\ncamera = "porch"\nname = "door"\n',
        ": zones[0].points: required key is missing",
    ),
    (
        "zone_unknown_camera",
        CAM + ZONE.replace('camera = "porch"', 'camera = "yard"'),
        ": zones[0].camera: unknown camera 'yard' (have: porch)",
    ),
    (
        "zone_point_outside",
        CAM + ZONE.replace("[1, 1]", "[1.2, 1]"),
        ": zones[0].points: must be relative coordinates in 0..1 (got [1.2, 1.0])",
    ),
    (
        "zone_point_negative",
        CAM + ZONE.replace("[0, 0]", "[-0.1, 0]"),
        ": zones[0].points: must be relative coordinates in 0..1 (got [-0.1, 0.0])",
    ),
    (
        "zone_pixel_coordinates",
        CAM + ZONE.replace("[[0, 0], [1, 0], [1, 1]]", "[[10, 20], [300, 20], [300, 200]]"),
        ": zones[0].points: must be relative coordinates in 0..1 (got [10.0, 20.0])",
    ),
    (
        "zone_two_points",
        CAM + ZONE.replace(", [1, 1]]", "]"),
        ": zones[0].points: needs at least 3 item(s) (got 2)",
    ),
    (
        "zone_point_three_numbers",
        CAM + ZONE.replace("[1, 1]", "[1, 1, 1]"),
        ": zones[0].points[2]: must have at most 2 item(s) (got 3)",
    ),
    (
        "zone_point_one_number",
        CAM + ZONE.replace("[1, 1]", "[1]"),
        ": zones[0].points[2]: needs at least 2 item(s) (got 1)",
    ),
    (
        "zone_point_string",
        CAM + ZONE.replace("[1, 1]", '"1,1"'),
        ": zones[0].points[2]: must be an array (got '1,1')",
    ),
    (
        "zone_points_flat",
        CAM + ZONE.replace("[[0, 0], [1, 0], [1, 1]]", "[0, 0, 1, 0, 1, 1]"),
        ": zones[0].points[0]: must be an array (got 0)",
    ),
    (
        "zone_anchor",
        CAM + ZONE + 'anchor = "feet"\n',
        ": zones[0].anchor: must be one of 'bottom_center', 'center' or 'top_center' (got 'feet')",
    ),
    (
        "zone_name_dash",
        CAM + ZONE.replace('name = "door"', 'name = "front-door"'),
        ": zones[0].name: must match ^[a-z0-9_]+$ (got 'front-door')",
    ),
    ("zone_duplicate", CAM + ZONE + ZONE, ": zones[1].name: duplicate zone 'door' on camera 'porch'"),
    ("zone_unknown_key", CAM + ZONE + 'colour = "red"\n', ": zones[0].colour: unknown key"),
    # --- rules, common
    (
        "rule_missing_kind",
        CAM + '[[rules]]\nname = "r"\ncamera = "porch"\n',
        ": rules[0].kind: required key 'kind' is missing",
    ),
    (
        "rule_unknown_kind",
        CAM + RULE.replace("presence", "teleport"),
        ": rules[0].kind: unknown kind 'teleport' (expected one of: presence, left_object, state, missing_associate, occupancy, area, line_count)",
    ),
    (
        "rule_kind_number",
        CAM + RULE.replace('"presence"', "1"),
        ": rules[0].kind: unknown kind '1' (expected one of: presence, left_object, state, missing_associate, occupancy, area, line_count)",
    ),
    (
        "rule_missing_name",
        CAM + '[[rules]]\nkind = "presence"\ncamera = "porch"\n',
        ": rules[0].name: required key is missing",
    ),
    (
        "rule_missing_camera",
        CAM + '[[rules]]\nname = "r"\nkind = "presence"\n',
        ": rules[0].camera: required key is missing",
    ),
    (
        "rule_name_uppercase",
        CAM + RULE.replace('name = "r"', 'name = "R"'),
        ": rules[0].name: must match ^[a-z0-9_]+$ (got 'R')",
    ),
    (
        "rule_unknown_camera",
        CAM + RULE.replace('camera = "porch"', 'camera = "x"'),
        ": rules[0].camera: unknown camera 'x' (have: porch)",
    ),
    (
        "rule_unknown_zone",
        CAM + RULE + 'zone = "gate"\n',
        ": rules[0].zone: unknown zone 'gate' on camera 'porch' (have: none)",
    ),
    (
        "rule_zone_of_other_camera",
        CAM
        + '[[cameras]]\nname = "yard"\nurl = "demo"\n'
        + ZONE
        + RULE.replace('camera = "porch"', 'camera = "yard"')
        + 'zone = "door"\n',
        ": rules[0].zone: unknown zone 'door' on camera 'yard' (have: none)",
    ),
    ("rule_unknown_key", CAM + RULE + "hold = 3\n", ": rules[0].hold: unknown key"),
    ("rule_negative_for", CAM + RULE + "for_s = -1\n", ": rules[0].for_s: must be >= 0 (got -1)"),
    (
        "rule_for_string",
        CAM + RULE + 'for_s = "ten"\n',
        ": rules[0].for_s: must be a number (got 'ten')",
    ),
    (
        "rule_for_duration_string",
        CAM + RULE + 'for_s = "10s"\n',
        ": rules[0].for_s: must be a number (got '10s')",
    ),
    ("rule_negative_clear", CAM + RULE + "clear_s = -5\n", ": rules[0].clear_s: must be >= 0 (got -5)"),
    (
        "rule_negative_cooldown",
        CAM + RULE + "cooldown_s = -600\n",
        ": rules[0].cooldown_s: must be >= 0 (got -600)",
    ),
    (
        "rule_min_score_above_one",
        CAM + RULE + "min_score = 50\n",
        ": rules[0].min_score: must be <= 1 (got 50)",
    ),
    (
        "rule_min_area_negative",
        CAM + RULE + "min_area = -0.5\n",
        ": rules[0].min_area: must be >= 0 (got -0.5)",
    ),
    (
        "rule_classes_string",
        CAM + RULE + 'classes = "person"\n',
        ": rules[0].classes: must be an array (got 'person')",
    ),
    (
        "rule_report",
        CAM + RULE + 'report = "switch"\n',
        ": rules[0].report: must be one of 'binary_sensor', 'sensor' or 'event' (got 'switch')",
    ),
    (
        "rule_notify_unknown",
        CAM + RULE + 'notify = ["phone"]\n',
        ": rules[0].notify[0]: unknown notify target 'phone'",
    ),
    (
        "rule_notify_string",
        CAM + RULE + 'notify = "phone"\n',
        ": rules[0].notify: must be an array (got 'phone')",
    ),
    (
        "rule_enabled_number",
        CAM + RULE + "enabled = 1.5\n",
        ": rules[0].enabled: must be true or false (got 1.5)",
    ),
    ("rule_duplicate_name", CAM + RULE + RULE, ": rules[1].name: duplicate name 'r'"),
    (
        "rule_class_unknown_to_model",
        CAM + RULE + 'classes = ["persn"]\n',
        ": rules[0].classes[0]: unknown class 'persn' for model yolov8n_int8 (e.g. person, bicycle, car, motorcycle, airplane, bus)",
    ),
    (
        "rule_class_filtered_out",
        CAM + '[detector]\nclasses = ["car"]\n' + RULE,
        ": rules[0].classes[0]: class 'person' is filtered out by detector.classes",
    ),
    (
        "rule_schedule_not_list",
        CAM + RULE + 'schedule = "night"\n',
        ": rules[0].schedule: must be an array (got 'night')",
    ),
    (
        "rule_schedule_bad_time",
        CAM + RULE + 'schedule = [{start = "25:00", end = "06:00"}]\n',
        ": rules[0].schedule[0].start: must be a time HH:MM (got '25:00')",
    ),
    (
        "rule_schedule_missing_end",
        CAM + RULE + 'schedule = [{start = "22:00"}]\n',
        ": rules[0].schedule[0].end: required key is missing",
    ),
    (
        "rule_schedule_bad_day",
        CAM + RULE + 'schedule = [{start = "22:00", end = "06:00", days = ["monday"]}]\n',
        ": rules[0].schedule[0].days[0]: must be one of 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun' (got 'monday')",
    ),
    (
        "rule_schedule_time_as_toml_time",
        CAM + RULE + 'schedule = [{start = 22:00:00, end = "06:00"}]\n',
        ": rules[0].schedule[0].start: must be a string (got 22:00:00)",
    ),
    ("presence_min_count_zero", CAM + RULE + "min_count = 0\n", ": rules[0].min_count: must be >= 1 (got 0)"),
    (
        "presence_min_dwell_negative",
        CAM + RULE + "min_dwell_s = -1\n",
        ": rules[0].min_dwell_s: must be >= 0 (got -1)",
    ),
    ("presence_key_of_other_kind", CAM + RULE + "capacity = 4\n", ": rules[0].capacity: unknown key"),
    ("left_object_missing_zone", rule("left_object"), ": rules[0].zone: required key is missing"),
    (
        "left_object_min_region_zero",
        rule("left_object", 'zone = "door"\nmin_region = 0\n'),
        ": rules[0].min_region: must be > 0 (got 0)",
    ),
    (
        "left_object_learn_negative",
        rule("left_object", 'zone = "door"\nlearn_s = -1\n'),
        ": rules[0].learn_s: must be >= 0 (got -1)",
    ),
    ("state_missing_when", rule("state", 'zone = "door"\n'), ": rules[0].when: required key is missing"),
    (
        "state_k_zero",
        rule("state", 'zone = "door"\nwhen = "open"\nk = 0\n'),
        ": rules[0].k: must be >= 1 (got 0)",
    ),
    (
        "state_check_every_zero",
        rule("state", 'zone = "door"\nwhen = "open"\ncheck_every_s = 0\n'),
        ": rules[0].check_every_s: must be > 0 (got 0)",
    ),
    ("missing_associate_missing_item", rule("missing_associate"), ": rules[0].item: required key is missing"),
    (
        "missing_associate_band_reversed",
        rule("missing_associate", 'item = "hardhat"\nband = [0.5, 0.2]\n'),
        ": rules[0].band: must be [top, bottom] with 0 <= top < bottom <= 1 (got [0.5, 0.2])",
    ),
    (
        "missing_associate_band_three",
        rule("missing_associate", 'item = "hardhat"\nband = [0.0, 0.2, 0.4]\n'),
        ": rules[0].band: must have at most 2 item(s) (got 3)",
    ),
    (
        "occupancy_capacity_zero",
        rule("occupancy", "capacity = 0\n"),
        ": rules[0].capacity: must be >= 1 (got 0)",
    ),
    (
        "occupancy_max_dwell_zero",
        rule("occupancy", "max_dwell_s = 0\n"),
        ": rules[0].max_dwell_s: must be > 0 (got 0)",
    ),
    (
        "area_without_source",
        rule("area"),
        ": rules[0]: needs a mask source: `classes` (object masks), `hsv` (colour) or `examples` (crops)",
    ),
    (
        "area_two_sources",
        rule("area", 'classes = ["car"]\nhsv = {lower = [0, 0, 0], upper = [10, 255, 255]}\n'),
        ": rules[0]: give one mask source, not `classes` and `hsv`",
    ),
    (
        "area_examples_without_label",
        rule("area", 'examples = "examples/lawn"\n'),
        ": rules[0]: `examples` needs `label`: the sub-folder of the examples to measure",
    ),
    (
        "area_examples_missing_label_folder",
        rule("area", 'examples = "examples/lawn"\nlabel = "lawn"\n'),
        ": rules[0].examples: no example images for lawn in {dir}/examples/lawn; add 3-5 crops per label "
        "({dir}/examples/lawn/lawn/, {dir}/examples/lawn/other/), each showing only that surface, cut from "
        "`watcher snapshot CAMERA -o frame.jpg`",
    ),
    (
        "area_check_every_zero",
        rule("area", 'classes = ["car"]\ncheck_every_s = 0\n'),
        ": rules[0].check_every_s: must be > 0 (got 0)",
    ),
    (
        "area_above_one",
        rule("area", 'classes = ["person"]\nabove = 1.5\n'),
        ": rules[0].above: must be <= 1 (got 1.5)",
    ),
    (
        "area_hsv_missing_upper",
        rule("area", "hsv = {lower = [0, 0, 0]}\n"),
        ": rules[0].hsv.upper: required key is missing",
    ),
    (
        "area_hsv_two_numbers",
        rule("area", "hsv = {lower = [0, 0], upper = [10, 255, 255]}\n"),
        ": rules[0].hsv.lower: needs at least 3 item(s) (got 2)",
    ),
    ("line_count_missing_line", rule("line_count"), ": rules[0].line: required key is missing"),
    (
        "line_count_one_point",
        rule("line_count", "line = [[0.5, 0.0]]\n"),
        ": rules[0].line: needs at least 2 item(s) (got 1)",
    ),
    (
        "line_count_point_strings",
        rule("line_count", 'line = [["a", "b"], [0.5, 1.0]]\n'),
        ": rules[0].line[0][0]: must be a number (got 'a')",
    ),
    # --- mqtt
    ("mqtt_port_too_big", CAM + "[mqtt]\nport = 70000\n", ": mqtt.port: must be < 65536 (got 70000)"),
    ("mqtt_port_zero", CAM + "[mqtt]\nport = 0\n", ": mqtt.port: must be > 0 (got 0)"),
    ("mqtt_keepalive_zero", CAM + "[mqtt]\nkeepalive_s = 0\n", ": mqtt.keepalive_s: must be > 0 (got 0)"),
    ("mqtt_unknown_key", CAM + '[mqtt]\npasword = "x"\n', ": mqtt.pasword: unknown key"),
    (
        "mqtt_password_env_unset",
        CAM + '[mqtt]\npassword = "${WATCHER_BAD_CONFIG_UNSET}"\n',
        ": mqtt.password: environment variable WATCHER_BAD_CONFIG_UNSET is not set",
    ),
    (
        "mqtt_host_number",
        CAM + "[mqtt]\nhost = 127\n",
        ": mqtt.host: must be a string (got 127)",
    ),
    (
        "camera_url_env_unset",
        '[[cameras]]\nname = "porch"\nurl = "rtsp://admin:${WATCHER_BAD_CONFIG_CAM_PW}@10.0.0.5/live"\n',
        ": cameras[0].url: environment variable WATCHER_BAD_CONFIG_CAM_PW is not set",
    ),
    # --- notify
    ("notify_missing_urls", CAM + "[notify.phone]\n", ": notify.phone.urls: required key is missing"),
    (
        "notify_empty_urls",
        CAM + "[notify.phone]\nurls = []\n",
        ": notify.phone.urls: needs at least 1 item(s) (got 0)",
    ),
    (
        "notify_urls_string",
        CAM + '[notify.phone]\nurls = "pover://u@t"\n',
        ": notify.phone.urls: must be an array (got 'pover://u@t')",
    ),
    (
        "notify_unknown_key",
        CAM + '[notify.phone]\nurls = ["pover://u@t"]\npriority = 2\n',
        ": notify.phone.priority: unknown key",
    ),
    (
        "notify_target_named_like_a_kind",
        CAM + "[notify.presence]\n",
        ": notify.presence.urls: required key is missing",
    ),
    # --- store / logging
    ("store_unknown_key", CAM + '[store]\nretention = "30d"\n', ": store.retention: unknown key"),
    (
        "store_path_number",
        CAM + "[store]\npath = 5\n",
        ": store.path: must be a string (got 5)",
    ),
    # --- a scalar of the wrong TOML type is an error, never coerced (a quoted number, "yes")
    (
        "camera_detect_fps_quoted",
        CAM + 'detect_fps = "5"\n',
        ": cameras[0].detect_fps: must be a number, without quotes (got '5')",
    ),
    (
        "camera_enabled_yes",
        CAM + 'enabled = "yes"\n',
        ": cameras[0].enabled: must be true or false (got 'yes')",
    ),
    (
        "camera_enabled_quoted_true",
        CAM + 'enabled = "true"\n',
        ": cameras[0].enabled: must be true or false, without quotes (got 'true')",
    ),
    ("camera_loop_one", CAM + "loop = 1\n", ": cameras[0].loop: must be true or false (got 1)"),
    (
        "camera_motion_threshold_quoted",
        CAM + 'motion = { threshold = "25" }\n',
        ": cameras[0].motion.threshold: must be an integer, without quotes (got '25')",
    ),
    (
        "camera_detect_fps_true",
        CAM + "detect_fps = true\n",
        ": cameras[0].detect_fps: must be a number (got True)",
    ),
    (
        "detector_threads_float",
        CAM + "[detector]\nthreads = 2.0\n",
        ": detector.threads: must be an integer (got 2.0)",
    ),
    (
        "detector_input_size_true",
        CAM + "[detector]\ninput_size = true\n",
        ": detector.input_size: must be an integer (got True)",
    ),
    (
        "detector_score_threshold_quoted",
        CAM + '[detector]\nscore_threshold = "0.5"\n',
        ": detector.score_threshold: must be a number, without quotes (got '0.5')",
    ),
    (
        "mqtt_enabled_on",
        CAM + '[mqtt]\nenabled = "on"\n',
        ": mqtt.enabled: must be true or false (got 'on')",
    ),
    (
        "mqtt_port_quoted",
        CAM + '[mqtt]\nport = "1883"\n',
        ": mqtt.port: must be an integer, without quotes (got '1883')",
    ),
    ("mqtt_tls_one", CAM + "[mqtt]\ntls = 1\n", ": mqtt.tls: must be true or false (got 1)"),
    (
        "rule_for_quoted",
        rule("presence", 'for_s = "10"\n'),
        ": rules[0].for_s: must be a number, without quotes (got '10')",
    ),
    (
        "rule_enabled_no",
        rule("presence", 'enabled = "no"\n'),
        ": rules[0].enabled: must be true or false (got 'no')",
    ),
    (
        "rule_min_count_quoted",
        rule("presence", 'min_count = "2"\n'),
        ": rules[0].min_count: must be an integer, without quotes (got '2')",
    ),
    (
        "rule_band_quoted_number",
        rule("missing_associate", 'item = "hardhat"\nband = [0, "0.3"]\n'),
        ": rules[0].band[1]: must be a number, without quotes (got '0.3')",
    ),
    (
        "area_hsv_quoted_number",
        rule("area", 'hsv = { lower = [35, 40, "40"], upper = [85, 255, 255] }\n'),
        ": rules[0].hsv.lower[2]: must be an integer, without quotes (got '40')",
    ),
    (
        "zone_point_quoted_number",
        CAM + ZONE.replace("[1, 1]", '[1, "1"]'),
        ": zones[0].points[2][1]: must be a number, without quotes (got '1')",
    ),
    (
        "store_snapshots_quoted",
        CAM + '[store]\nsnapshots = "false"\n',
        ": store.snapshots: must be true or false, without quotes (got 'false')",
    ),
    (
        "notify_retries_float",
        CAM + '[notify.phone]\nurls = ["json://localhost"]\nretries = 2.5\n',
        ": notify.phone.retries: must be an integer (got 2.5)",
    ),
    (
        "logging_level",
        CAM + '[logging]\nlevel = "LOUD"\n',
        ": logging.level: must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR' (got 'LOUD')",
    ),
    (
        "logging_level_lowercase",
        CAM + '[logging]\nlevel = "info"\n',
        ": logging.level: must be one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR' (got 'info')",
    ),
    (
        "logging_format",
        CAM + '[logging]\nformat = "xml"\n',
        ": logging.format: must be one of 'text' or 'json' (got 'xml')",
    ),
    ("logging_max_mb_zero", CAM + "[logging]\nmax_mb = 0\n", ": logging.max_mb: must be > 0 (got 0)"),
    (
        "logging_backups_negative",
        CAM + "[logging]\nbackups = -1\n",
        ": logging.backups: must be >= 0 (got -1)",
    ),
]


def expected_line(name: str, message: str) -> str:
    """The whole stderr line `watcher check-config -c <name>.toml` prints, run from the corpus folder."""
    return f"watcher: {name}.toml{message}"


def write(corpus: Path = CORPUS) -> int:
    """(Re)write every `<name>.toml` and `<name>.expected`; remove files of rows that are gone."""
    corpus.mkdir(parents=True, exist_ok=True)
    names = {name for name, _, _ in CASES}
    for stale in corpus.iterdir():
        if stale.suffix in (".toml", ".expected") and stale.stem not in names:
            stale.unlink()
    for name, text, message in CASES:
        (corpus / f"{name}.toml").write_text(text, encoding="utf-8")
        (corpus / f"{name}.expected").write_text(expected_line(name, message) + "\n", encoding="utf-8")
    return len(CASES)


if __name__ == "__main__":
    print(f"{write()} bad configs written to {CORPUS}")
