"""Apprise senders: log labels without secrets, bad URLs as config errors without the URL."""

from __future__ import annotations

import apprise
import pytest

from watcher.errors import ConfigError
from watcher.sinks.notify import apprise_senders, service_label


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("json://user:s3cr3t@127.0.0.1:8080/hook", "json://127.0.0.1:8080"),
        ("tgram://123456789:AAs3cr3tTOKEN/4242", "tgram://1...N"),
        ("ntfy://ntfy.sh/s3cr3t-topic", "ntfy://ntfy.sh"),
    ],
)
def test_service_label_is_scheme_and_host_with_secrets_masked(url: str, label: str) -> None:
    plugin = apprise.Apprise.instantiate(url)
    assert service_label(plugin) == label
    assert "s3cr3t" not in service_label(plugin)


def test_unusable_url_is_a_config_error_naming_the_key_not_the_url() -> None:
    with pytest.raises(ConfigError) as err:
        apprise_senders("phone", ["json://ok.example", "nosuch://user:s3cr3t@host"], "config.toml")
    assert str(err.value) == (
        "config.toml: notify.phone.urls[1]: not a usable apprise URL (scheme 'nosuch'; "
        "see apprise's list of services)"
    )
