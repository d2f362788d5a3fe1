"""Connecting: TLS with a private CA, credentials, refusals logged without secrets, config checks."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.sinks.mqtt.helpers import make_config
from tests.support.mosquitto import Mosquitto, mosquitto_missing
from tests.support.waiting import poll
from watcher import config
from watcher.errors import ConfigError
from watcher.sinks.mqtt import MqttSink, Outbox

SECRET = "s3cret-Pa55"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(folder: Path) -> None:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
             "-keyout", "ca.key", "-out", "ca.crt", cwd=folder)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "server.key", "-out", "server.csr", cwd=folder)  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.ext", "-out", "server.crt", cwd=folder)  # fmt: skip


@pytest.fixture
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    folder = tmp_path_factory.mktemp("tls")
    _certificates(folder)
    broker = Mosquitto(folder)
    broker.conf.write_text(
        broker.conf.read_text()
        + f"cafile {folder / 'ca.crt'}\ncertfile {folder / 'server.crt'}\nkeyfile {folder / 'server.key'}\n"
    )
    broker.start()
    yield broker
    broker.stop()


def test_tls_with_the_brokers_ca_connects(tls_broker: Mosquitto, make_sink: Callable[..., MqttSink]) -> None:
    extra = f'tls = true\nca_file = "{tls_broker.workdir / "ca.crt"}"\n'
    sink = make_sink(make_config(tls_broker.port, extra))
    assert poll(lambda: sink.publisher.connected, 10)


def test_tls_with_another_ca_does_not_connect_and_says_why_once(
    tls_broker: Mosquitto,
    tmp_path: Path,
    make_sink: Callable[..., MqttSink],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _certificates(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="watcher.mqtt"):
        sink = make_sink(make_config(tls_broker.port, f'tls = true\nca_file = "{tmp_path / "ca.crt"}"\n'))
        assert poll(lambda: len(caplog.records) >= 2, 10)
    assert not sink.publisher.connected
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "certificate verify failed" in warnings[0].getMessage()


@pytest.fixture
def password_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    if mosquitto_missing():
        pytest.skip(mosquitto_missing() or "")
    folder = tmp_path_factory.mktemp("auth")
    passwords = folder / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "watcher", SECRET], check=True)
    broker = Mosquitto(folder, password_file=passwords)
    broker.start()
    yield broker
    broker.stop()


def test_credentials_from_the_environment_log_in(
    password_broker: Mosquitto, make_sink: Callable[..., MqttSink]
) -> None:
    extra = 'username = "watcher"\npassword = "${MQTT_PASSWORD}"\n'
    sink = make_sink(make_config(password_broker.port, extra, env={"MQTT_PASSWORD": SECRET}))
    assert poll(lambda: sink.publisher.connected, 10)


def test_a_refused_login_is_logged_without_the_password(
    password_broker: Mosquitto, make_sink: Callable[..., MqttSink], caplog: pytest.LogCaptureFixture
) -> None:
    extra = f'username = "watcher"\npassword = "{SECRET}x"\n'
    with caplog.at_level(logging.DEBUG):
        sink = make_sink(make_config(password_broker.port, extra))
        assert poll(lambda: any("refused" in r.getMessage() for r in caplog.records), 10)
    assert not sink.publisher.connected
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused[0].startswith("mqtt: broker refused the connection: ")
    assert all(SECRET not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("mqtt", "message"),
    [
        (
            'ca_file = "ca.crt"',
            "config.toml: mqtt: ca_file, certfile, keyfile and tls_insecure need tls = true",
        ),
        ('tls = true\ncertfile = "c.pem"', "config.toml: mqtt: certfile and keyfile go together"),
        ("qos = 2", "config.toml: mqtt.qos: must be one of 0 or 1 (got 2)"),
        ("outbox_max = 0", "config.toml: mqtt.outbox_max: must be >= 1 (got 0)"),
    ],
)
def test_bad_mqtt_settings_are_one_line_config_errors(mqtt: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.loads(f'[[cameras]]\nname = "a"\nurl = "demo"\n[mqtt]\n{mqtt}\n')
    assert str(caught.value) == message


def test_a_missing_ca_file_is_a_config_error_naming_the_key(tmp_path: Path, mosquitto: Mosquitto) -> None:
    cfg = make_config(mosquitto.port, 'tls = true\nca_file = "nowhere/ca.crt"\n')
    with pytest.raises(ConfigError) as caught:
        MqttSink(cfg, Outbox(tmp_path / "w.db"), base_dir=tmp_path)
    assert str(caught.value) == f"mqtt.ca_file: file not found: {tmp_path / 'nowhere/ca.crt'}"
