"""A configured paho-mqtt 2.x client: credentials, TLS, last will; one per connection attempt."""

from __future__ import annotations

import ssl
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from watcher.config import MqttConfig
from watcher.errors import ConfigError
from watcher.sinks.mqtt.topics import Topics

ONLINE = b"online"
OFFLINE = b"offline"


def tls_paths(config: MqttConfig, base_dir: Path) -> dict[str, Path | None]:
    """The TLS files resolved against the config's folder; `ConfigError` naming the key if one is missing."""
    out: dict[str, Path | None] = {}
    for key in ("ca_file", "certfile", "keyfile"):
        value = getattr(config, key)
        path = None if value is None else (Path(value) if Path(value).is_absolute() else base_dir / value)
        if path is not None and not path.is_file():
            raise ConfigError(f"file not found: {path}", key=f"mqtt.{key}")
        out[key] = path
    return out


def make_client(
    config: MqttConfig, topics: Topics, tls: dict[str, Path | None], client_id: str
) -> mqtt.Client:
    """A client with auth, TLS and the `offline` will set; not yet connected."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=True,
        protocol=MQTTProtocolVersion.MQTTv311,
    )
    if config.username is not None:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        ca, cert, key = tls["ca_file"], tls["certfile"], tls["keyfile"]
        try:
            client.tls_set(
                ca_certs=None if ca is None else str(ca),
                certfile=None if cert is None else str(cert),
                keyfile=None if key is None else str(key),
                cert_reqs=ssl.CERT_REQUIRED,
            )
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(f"cannot load TLS files: {exc}", key="mqtt.tls") from None
        client.tls_insecure_set(config.tls_insecure)
    client.will_set(topics.availability, OFFLINE, qos=1, retain=True)
    client.reconnect_delay_set(1, 30)
    return client
