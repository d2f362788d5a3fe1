"""Camera status on `<prefix>/<camera>/status`, retained, for the remote dashboard."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.sinks.mqtt.helpers import Recorder
from tests.support.mosquitto import Mosquitto
from watcher.sinks.mqtt import MqttSink
from watcher.status import CameraHealth


def test_sampled_camera_status_is_retained_on_the_status_topic(
    make_sink: Callable[..., MqttSink], recorder: Recorder, mosquitto: Mosquitto
) -> None:
    row = CameraHealth("porch", "reconnecting", "no frame for 5 s", fps=0.0, dropped=3)
    make_sink(health=lambda: [row, CameraHealth("unknown_camera", "streaming")])
    assert recorder.wait_for("watcher/porch/status", row.to_json().encode())
    assert json.loads(row.to_json())["state"] == "reconnecting"
    assert [m.topic for m in recorder.messages if m.topic.endswith("/status")] == ["watcher/porch/status"]
    late = Recorder(mosquitto, "watcher/porch/status")  # a dashboard that connects afterwards
    try:
        assert late.wait_for("watcher/porch/status", row.to_json().encode())
        assert late.on("watcher/porch/status")[0].retain is True
    finally:
        late.close()


def test_a_failing_status_sample_is_logged_and_the_sink_keeps_publishing(
    make_sink: Callable[..., MqttSink], recorder: Recorder
) -> None:
    def broken() -> list[CameraHealth]:
        raise RuntimeError("daemon not ready")

    sink = make_sink(health=broken)
    sink.publish_health([CameraHealth("porch", "streaming", fps=10.0)])
    assert recorder.wait_for(
        "watcher/porch/status", CameraHealth("porch", "streaming", fps=10.0).to_json().encode()
    )
