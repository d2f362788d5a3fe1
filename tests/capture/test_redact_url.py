import pytest

from watcher.capture import redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://user:pass@h", "rtsp://***@h"),
        ("rtsp://admin:s3cr3t@192.168.1.10:554/stream1", "rtsp://***@192.168.1.10:554/stream1"),
        ("http://user@cam.local/video.mjpg", "http://***@cam.local/video.mjpg"),
        (
            "http://cam.local/video.cgi?user=admin&pwd=hunter2&res=hd",
            "http://cam.local/video.cgi?user=***&pwd=***&res=hd",
        ),
        ("rtsp://cam.local:554/live", "rtsp://cam.local:554/live"),
        ("/videos/porch.mp4", "/videos/porch.mp4"),
        ("usb:0", "usb:0"),
        ("demo", "demo"),
    ],
)
def test_redact_url_hides_credentials_and_keeps_the_rest(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_url_hides_credentials_even_when_the_url_does_not_parse() -> None:
    assert redact_url("rtsp://u:p@[::1/x") == "rtsp://***@[::1/x"
