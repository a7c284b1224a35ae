"""A missing or malformed setting stops start-up with a message naming the setting and the fix."""
from __future__ import annotations

import pytest

from chorus.backbone.settings import ConfigError, common, database_url, nats_urls


def test_defaults_need_no_environment(tmp_path):
    settings = common({"CHORUS_DATA_DIR": str(tmp_path)}, "inbox", 8000)
    assert settings.nats_urls == ["nats://127.0.0.1:4222"]
    assert settings.database_url == f"sqlite:///{tmp_path / 'inbox.db'}"
    assert settings.http_port == 8000


@pytest.mark.parametrize("env, name", [
    ({"NATS_URL": "http://localhost:4222"}, "NATS_URL"),
    ({"NATS_URL": " , "}, "NATS_URL"),
    ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
    ({"CHORUS_INBOX_DATABASE_URL": "oracle://x"}, "CHORUS_INBOX_DATABASE_URL"),
    ({"CHORUS_HTTP_PORT": "eighty"}, "CHORUS_HTTP_PORT"),
    ({"CHORUS_HTTP_PORT": "70000"}, "CHORUS_HTTP_PORT"),
    ({"CHORUS_MAX_DELIVER": "0"}, "CHORUS_MAX_DELIVER"),
    ({"CHORUS_DUPLICATE_WINDOW_S": "soon"}, "CHORUS_DUPLICATE_WINDOW_S"),
])
def test_bad_setting_names_itself_and_the_fix(env, name, tmp_path):
    with pytest.raises(ConfigError) as caught:
        common({"CHORUS_DATA_DIR": str(tmp_path), **env}, "inbox", 8000)
    assert caught.value.name == name
    assert str(caught.value).startswith(f"{name}: ") and "Fix:" in str(caught.value)


def test_postgres_url_gets_its_driver_and_a_service_may_have_its_own_database(tmp_path):
    assert database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    env = {"CHORUS_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@h/all",
           "CHORUS_MONITOR_DATABASE_URL": "postgresql://u@h/monitor"}
    assert common(env, "monitor", 1).database_url == "postgresql+psycopg://u@h/monitor"
    assert common(env, "inbox", 1).database_url == "postgresql+psycopg://u@h/all"


def test_several_nats_servers_are_accepted():
    assert nats_urls("nats://a:4222, nats://b:4222") == ["nats://a:4222", "nats://b:4222"]
