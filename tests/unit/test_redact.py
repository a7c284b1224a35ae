"""Secrets never reach a log line, an exception or an event; ordinary prose is left readable."""
from __future__ import annotations

import pytest

from chorus.networks.errors import TokenInvalid, redact


@pytest.mark.parametrize("text, secret", [
    ("POST /method/wall.get access_token=vk1.a.Zx9_q-12345&v=5.199", "vk1.a.Zx9_q-12345"),
    ("Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid", "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid"),
    ("GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe",
     "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
    ("graph error for EAAGm0PX4ZCpsBAKZCZBvYZCZBt0ZD", "EAAGm0PX4ZCpsBAKZCZBvYZCZBt0ZD"),
    ("smtp password: hunter2-secret", "hunter2-secret"),
])
def test_credentials_are_removed(text, secret):
    assert secret not in redact(text)


def test_prose_about_tokens_stays_readable():
    assert redact("the token belongs to another community") == "the token belongs to another community"


def test_network_errors_redact_their_message_and_raw_payload():
    error = TokenInvalid("invalid access_token=vk1.a.secret", raw={"access_token": "vk1.a.secret",
                                                                   "request_params": [{"key": "v"}]})
    assert "vk1.a.secret" not in str(error) and "vk1.a.secret" not in repr(error.raw)
