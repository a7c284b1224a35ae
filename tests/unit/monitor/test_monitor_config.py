"""The monitor's settings: defaults for the embedded setup, loud errors naming the variable, no secret shown."""
from __future__ import annotations

import pytest

from chorus.backbone.settings import ConfigError
from chorus.monitor.config import load
from chorus.networks.credentials import generate_key


def test_defaults_suit_the_embedded_setup(tmp_path):
    settings = load({"CHORUS_DATA_DIR": str(tmp_path)})
    assert settings.common.http_port == 8102 and settings.common.database_url.endswith("monitor.db")
    assert settings.secret_key is None and settings.telegram_api is None and settings.alert_language == "ru"
    assert settings.smtp.host is None and settings.smtp.port == 587 and settings.smtp.security == "starttls"
    assert settings.delivery.max_attempts == 10 and settings.batch == 200


def test_values_are_read_and_secrets_never_shown(tmp_path):
    key = generate_key()
    settings = load({"CHORUS_DATA_DIR": str(tmp_path), "CHORUS_SECRET_KEY": key, "CHORUS_SMTP_HOST": "mail.test",
                     "CHORUS_SMTP_SECURITY": "ssl", "CHORUS_SMTP_PASSWORD": "hunter2-smtp",
                     "CHORUS_ALERT_TELEGRAM_BOT_TOKEN": "123:bot-token-secret", "CHORUS_ALERT_LANGUAGE": "EN",
                     "CHORUS_TELEGRAM_API_URL": "http://127.0.0.1:8900/", "CHORUS_ALERT_RETRY_BASE_S": "0.5"})
    assert settings.secret_key == key.encode() and settings.smtp.port == 465 and settings.alert_language == "en"
    assert settings.telegram_api == "http://127.0.0.1:8900" and settings.delivery.retry_base_s == 0.5
    shown = repr(settings)
    assert "hunter2-smtp" not in shown and "bot-token-secret" not in shown and key not in shown


@pytest.mark.parametrize("name, value", [
    ("CHORUS_ALERT_LANGUAGE", "fr"), ("CHORUS_SMTP_SECURITY", "tls"), ("CHORUS_SECRET_KEY", "not-a-key"),
    ("CHORUS_ALERT_MAX_ATTEMPTS", "0"), ("CHORUS_SMTP_PORT", "smtp"), ("CHORUS_MONITOR_BATCH", "-1"),
    ("CHORUS_TELEGRAM_API_URL", "telegram.local"),
])
def test_a_bad_value_is_refused_with_the_name_of_the_setting(tmp_path, name, value):
    with pytest.raises(ConfigError) as caught:
        load({"CHORUS_DATA_DIR": str(tmp_path), name: value})
    assert caught.value.name == name
