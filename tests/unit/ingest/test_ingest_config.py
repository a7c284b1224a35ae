"""Ingest's settings: defaults for the embedded setup, loud errors naming the setting."""
from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from chorus.backbone.settings import ConfigError
from chorus.events.values import Network
from chorus.ingest.config import command_nats_urls, load

KEY = Fernet.generate_key().decode()


def test_defaults_need_only_the_secret_key(tmp_path):
    settings = load({"CHORUS_SECRET_KEY": KEY, "CHORUS_DATA_DIR": str(tmp_path)})
    assert settings.backfill_days == 3 and settings.timing.lease_ttl_s == 10
    assert settings.timing.poll_interval_s[Network.X] == 30 and settings.endpoints.vk is None
    assert KEY not in repr(settings)


def test_a_network_can_be_polled_at_its_own_pace(tmp_path):
    settings = load({"CHORUS_SECRET_KEY": KEY, "CHORUS_DATA_DIR": str(tmp_path), "CHORUS_INGEST_POLL_INTERVAL_S": "20",
                     "CHORUS_INGEST_FACEBOOK_POLL_INTERVAL_S": "90"})
    assert settings.timing.poll_interval_s[Network.FACEBOOK] == 90
    assert settings.timing.poll_interval_s[Network.VK] == 20


@pytest.mark.parametrize("env, name", [
    ({}, "CHORUS_SECRET_KEY"),
    ({"CHORUS_SECRET_KEY": "short"}, "CHORUS_SECRET_KEY"),
    ({"CHORUS_INGEST_BACKFILL_DAYS": "-1"}, "CHORUS_INGEST_BACKFILL_DAYS"),
    ({"CHORUS_INGEST_LEASE_TTL_S": "4", "CHORUS_INGEST_LEASE_RENEW_S": "3"}, "CHORUS_INGEST_LEASE_RENEW_S"),
    ({"CHORUS_INGEST_LONG_POLL_WAIT_S": "30", "CHORUS_INGEST_POLL_TIMEOUT_S": "20"}, "CHORUS_INGEST_POLL_TIMEOUT_S"),
    ({"CHORUS_INGEST_BACKOFF_MIN_S": "5", "CHORUS_INGEST_BACKOFF_MAX_S": "1"}, "CHORUS_INGEST_BACKOFF_MAX_S"),
    ({"CHORUS_INGEST_THREADS": "many"}, "CHORUS_INGEST_THREADS"),
    ({"CHORUS_VK_API_URL": "localhost:8000"}, "CHORUS_VK_API_URL"),
])
def test_a_bad_setting_is_refused_with_its_name(tmp_path, env, name):
    base = {"CHORUS_SECRET_KEY": KEY, "CHORUS_DATA_DIR": str(tmp_path)} if name != "CHORUS_SECRET_KEY" else {}
    with pytest.raises(ConfigError) as raised:
        load({**base, **env, "CHORUS_DATA_DIR": str(tmp_path)})
    assert raised.value.name == name


def test_commands_find_nats_in_the_environment_then_in_the_run_file(tmp_path):
    assert command_nats_urls({"NATS_URL": "nats://a:1", "CHORUS_DATA_DIR": str(tmp_path)}) == ["nats://a:1"]
    assert command_nats_urls({"CHORUS_DATA_DIR": str(tmp_path)}) == ["nats://127.0.0.1:4222"]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "endpoints.json").write_text(json.dumps({"nats_url": "nats://127.0.0.1:4999"}))
    assert command_nats_urls({"CHORUS_DATA_DIR": str(tmp_path)}) == ["nats://127.0.0.1:4999"]
