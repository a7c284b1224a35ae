"""Settings of the inbox service; the only module of the service that reads the environment.

- ``CHORUS_SECRET_KEY``: signs session cookies and encrypts account tokens and destination secrets (the
  credentials store). Without it the inbox signs cookies with a key kept in ``<data dir>/inbox-session.key``
  (created on first start, mode 0600) and cannot connect accounts.
- ``CHORUS_INBOX_SECURE_COOKIES``: ``auto`` (default: Secure when the request came over https),
  ``true`` or ``false``.
- ``CHORUS_INBOX_TRUST_PROXY``: ``true`` when a reverse proxy sets X-Forwarded-For/-Proto (default false):
  only then are they used for throttling by address and for the Secure flag.
- ``CHORUS_<NETWORK>_API_URL``: where the networks are (see ``chorus.networks.base.Endpoints``).
- ``CHORUS_INBOX_RECURRING_AHEAD_HOURS`` (48): how far ahead occurrences of recurring posts are scheduled;
  ``CHORUS_INBOX_RECURRING_INTERVAL_S`` (30): how often that is looked at.
- ``CHORUS_INBOX_LINK_PREVIEW_TIMEOUT_S`` (3): the longest a link preview's fetch may take.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chorus.backbone.settings import CommonSettings, ConfigError, common, env_bool, env_float, env_str
from chorus.networks.base import Endpoints
from chorus.networks.credentials import SecretKeyError, generate_key, load_key

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    secret_key: bytes | None = field(default=None, repr=False)
    session_key: bytes = field(default=b"", repr=False)
    secure_cookies: str = "auto"
    trust_proxy: bool = False
    endpoints: Endpoints = field(default_factory=Endpoints)
    sse_heartbeat_s: float = 15.0
    test_destination_timeout_s: float = 10.0
    recurring_ahead_h: float = 48.0
    recurring_interval_s: float = 30.0
    link_preview_timeout_s: float = 3.0


def _session_key(folder: Path) -> bytes:
    path = folder / "inbox-session.key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as out:
            out.write(generate_key())
    return path.read_text().strip().encode()


def load(env: Mapping[str, str]) -> Settings:
    base = common(env, "inbox", DEFAULT_PORT)
    raw_key = env.get("CHORUS_SECRET_KEY", "").strip()
    secret = None
    if raw_key:
        try:
            secret = load_key(raw_key)
        except SecretKeyError as exc:
            raise ConfigError("CHORUS_SECRET_KEY", "is not a valid key", str(exc)) from None
    secure = env_str(env, "CHORUS_INBOX_SECURE_COOKIES", "auto").lower()
    if secure not in ("auto", "true", "false"):
        raise ConfigError("CHORUS_INBOX_SECURE_COOKIES", f"{secure!r} is not auto, true or false",
                          "set it to auto (Secure over https), true or false")
    return Settings(
        common=base, secret_key=secret, session_key=secret or _session_key(base.data_dir), secure_cookies=secure,
        trust_proxy=env_bool(env, "CHORUS_INBOX_TRUST_PROXY", False), endpoints=Endpoints.from_env(env),
        sse_heartbeat_s=env_float(env, "CHORUS_INBOX_SSE_HEARTBEAT_S", 15.0, minimum=0.5),
        test_destination_timeout_s=env_float(env, "CHORUS_INBOX_TEST_DESTINATION_TIMEOUT_S", 10.0, minimum=0.5),
        recurring_ahead_h=env_float(env, "CHORUS_INBOX_RECURRING_AHEAD_HOURS", 48.0, minimum=1.0),
        recurring_interval_s=env_float(env, "CHORUS_INBOX_RECURRING_INTERVAL_S", 30.0, minimum=0.2),
        link_preview_timeout_s=env_float(env, "CHORUS_INBOX_LINK_PREVIEW_TIMEOUT_S", 3.0, minimum=0.2),
    )
