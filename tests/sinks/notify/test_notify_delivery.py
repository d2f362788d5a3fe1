"""Notifications reach real receivers (HTTP JSON, SMTP) with the snapshot attached, off the frame loop."""

from __future__ import annotations

import base64
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.sinks.notify.receivers import form_receiver, http_receiver, smtp_receiver
from tests.support.waiting import poll
from watcher.clock import FakeClock
from watcher.config import NotifyTarget
from watcher.sinks import SinkRunner
from watcher.sinks.notify import NotifyQueue, NotifySink, Target, apprise_senders
from watcher.testing import FakeSink
from watcher.types import Event, Image

PHOTO = Path(__file__).parents[2] / "data" / "photos" / "vtest-frame000.png"


@pytest.fixture(scope="module")
def frame() -> Image:
    image = cv2.imread(str(PHOTO))
    assert image is not None
    return image


def _sink(url: str, clock: FakeClock | None = None, **target: object) -> NotifySink:
    config = NotifyTarget.model_validate({"urls": [url], "rate_limit_s": 0, **target})
    targets = {"phone": Target("phone", config, apprise_senders("phone", [url]))}
    sink = NotifySink(targets, {"presence_on_path": ["phone"]}, clock=clock or FakeClock())
    sink.start()
    return sink


def _decode(data: bytes) -> Image:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def test_json_receiver_gets_the_rendered_message_with_the_snapshot_attached(
    event: Callable[..., Event], frame: Image
) -> None:
    with http_receiver() as receiver:
        sink = _sink(receiver.url, title="{rule} on {camera}", body="{count} {label} in {zone} ({type})")
        sink.handle_event(event(0), frame)
        assert poll(lambda: sink.queue.sent == 1, 10)
        sink.close()
    (request,) = receiver.requests
    payload = request["json"]
    assert (payload["title"], payload["message"]) == ("presence_on_path on demo", "2 person in path (start)")
    (attachment,) = payload["attachments"]
    assert (attachment["filename"], attachment["mimetype"]) == ("snapshot.jpg", "image/jpeg")
    assert _decode(base64.b64decode(attachment["base64"])).shape == frame.shape


def test_form_receiver_gets_the_snapshot_as_a_file_part_and_no_temporary_file_is_left(
    event: Callable[..., Event], frame: Image, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # form:// (like mailgun, SES, mastodon) reads the attachment from a path, not from memory.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with form_receiver() as receiver:
        sink = _sink(receiver.url, title="{rule}", body="{count} {label}")
        sink.handle_event(event(0), frame)
        assert poll(lambda: sink.queue.sent + sink.queue.failed >= 1, 10)
        sink.close()
    assert (sink.queue.sent, sink.queue.failed) == (1, 0)
    (form,) = receiver.forms
    parts = {p.get_param("name", header="content-disposition"): p for p in form.get_payload()}
    assert parts["title"].get_payload() == "presence_on_path"
    assert parts["message"].get_payload() == "2 person"
    snapshot = parts["file01"]
    assert (snapshot.get_filename(), snapshot.get_content_type()) == ("snapshot.jpg", "image/jpeg")
    assert _decode(snapshot.get_payload(decode=True)).shape == frame.shape
    assert list(tmp_path.iterdir()) == []


def test_attached_snapshot_has_the_event_boxes_drawn(event: Callable[..., Event], frame: Image) -> None:
    with http_receiver() as receiver:
        sink = _sink(receiver.url)
        sink.handle_event(event(0), frame)
        assert poll(lambda: sink.queue.sent == 1, 10)
        sink.close()
    sent = _decode(base64.b64decode(receiver.requests[0]["json"]["attachments"][0]["base64"]))
    diff = np.abs(sent.astype(int) - frame.astype(int)).sum(axis=2) > 60
    x1, y1, _x2, y2 = (int(v) for v in event(0).objects[1].box)  # the larger box, 30x78 px
    assert diff[y1:y2, x1].mean() > 0.5  # its left edge was drawn
    assert diff[300:, 300:].mean() < 0.01  # far from the boxes, only JPEG noise


def test_smtp_server_gets_an_email_with_the_jpeg_attached(event: Callable[..., Event], frame: Image) -> None:
    with smtp_receiver() as smtp:
        sink = _sink(smtp.url)
        sink.handle_event(event(0), frame)
        assert poll(lambda: sink.queue.sent == 1, 15)
        sink.close()
        (mail,) = smtp.messages
    assert mail["Subject"] == "presence_on_path on demo"
    parts = [p for p in mail.walk() if p.get_content_type() == "image/jpeg"]
    assert [p.get_filename() for p in parts] == ["snapshot.jpg"]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert _decode(payload).shape == frame.shape


@pytest.mark.parametrize(("status", "hang"), [(200, True), (500, False)], ids=["hanging", "failing"])
def test_hanging_or_failing_receiver_does_not_hold_up_the_sink_thread(
    event: Callable[..., Event], frame: Image, status: int, hang: bool
) -> None:
    with http_receiver(status, hang=hang) as receiver:
        notify = _sink(receiver.url)
        after = FakeSink("after")
        runner = SinkRunner([notify, after])
        for n in range(20):
            runner.submit_event(event(n), frame)
        # Sends are stuck in (or refused by) the receiver, yet every event passed the notify sink.
        assert receiver.arrived.wait(10)
        assert after.wait_for_events(20, timeout=10)
        assert [e.id for e in after.events] == [f"ev-{n}" for n in range(20)]
        assert notify.queue.sent == 0
        receiver.release.set()
        # Every message tried once before the close, so no send outlives the test (and logs into the next).
        assert poll(lambda: len(receiver.requests) == 20, 20)
        runner.close(10)


def test_failing_receiver_is_retried_and_logged_by_service_without_the_secret(
    event: Callable[..., Event], frame: Image, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FakeClock()
    with http_receiver(status=500) as receiver:
        url = f"json://watcher:s3cr3t-pw@127.0.0.1:{receiver.port}/hook"
        url_shown = f"json://127.0.0.1:{receiver.port}"
        config = NotifyTarget(urls=[url], retries=2)
        queue = NotifyQueue(clock=clock, backoff_s=2.0)
        sink = NotifySink(
            {"phone": Target("phone", config, apprise_senders("phone", [url]))},
            {"presence_on_path": ["phone"]},
            clock=clock,
            queue=queue,
        )
        sink.handle_event(event(0), frame)
        for step in (0.0, 2.0, 4.0):
            clock.advance(step)
            assert queue.run_due() == 1
    assert (len(receiver.requests), queue.sent, queue.failed, queue.pending) == (3, 0, 1, 0)
    ours = [r.getMessage() for r in caplog.records if r.name == "watcher.notify"]
    ours = [message for message in ours if url_shown in message]  # not another test's late thread
    assert ours[-1] == (
        f"notify phone: presence_on_path message to {url_shown} failed (attempt 3 of 3), giving up"
    )
    assert not [r for r in caplog.records if "s3cr3t" in r.getMessage()]
