"""Settings of the ingest service; the only module of the service that reads the environment.

| variable | default | meaning |
| --- | --- | --- |
| ``CHORUS_SECRET_KEY`` | (required) | Decrypts the accounts' tokens in the credentials bucket |
| ``CHORUS_<VK/X/TELEGRAM/FACEBOOK>_API_URL`` | real APIs | Where each network's API is (an emulator in tests) |
| ``CHORUS_INGEST_BACKFILL_DAYS`` | 3 | On an account's first reading, fetch what was written this many days back (0: never) |
| ``CHORUS_INGEST_POLL_INTERVAL_S`` | 30 | Pause after a poll that found nothing, for polling sources (search, feed, mentions) |
| ``CHORUS_INGEST_<NETWORK>_POLL_INTERVAL_S`` | the above | The same, for one network (VK, X, TELEGRAM, FACEBOOK) |
| ``CHORUS_INGEST_LONG_POLL_WAIT_S`` | 25 | How long one VK / Telegram long poll waits for news |
| ``CHORUS_INGEST_POLL_TIMEOUT_S`` | 120 | A poll taking longer is abandoned and retried (a hung connection) |
| ``CHORUS_INGEST_BACKOFF_MIN_S`` / ``_MAX_S`` | 1 / 60 | Exponential backoff (with jitter) after transient errors |
| ``CHORUS_INGEST_LEASE_TTL_S`` | 10 | A replica that stops renewing an account's lease loses it after this long |
| ``CHORUS_INGEST_LEASE_RENEW_S`` | 3 | How often leases are renewed and free accounts picked up |
| ``CHORUS_INGEST_STATUS_INTERVAL_S`` | 2 | Counters and times in the status bucket are written at most this often |
| ``CHORUS_INGEST_THREADS`` | 128 | Worker threads for blocking network clients (vk_api holds one per long poll) |
| ``CHORUS_FACEBOOK_VERIFY_TOKEN`` | (none) | The verify token of the Facebook webhook subscription (enables ``GET /webhooks/facebook``) |
| ``CHORUS_FACEBOOK_APP_SECRET`` | (none) | The app secret that signs webhook deliveries (``X-Hub-Signature-256``) |
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from chorus.backbone.settings import (
    DEFAULT_NATS_URL,
    CommonSettings,
    ConfigError,
    common,
    data_dir,
    env_float,
    env_int,
    env_str,
    nats_urls,
)
from chorus.events.values import Network
from chorus.networks.base import Endpoints
from chorus.networks.credentials import SecretKeyError, load_key

DEFAULT_PORT = 8101


@dataclass(frozen=True)
class Timing:
    """How fast ingest polls, retries and hands accounts over; tests shorten all of it."""

    poll_interval_s: dict[Network, float] = field(default_factory=lambda: {n: 30.0 for n in Network})
    long_poll_wait_s: int = 25
    poll_timeout_s: float = 120.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 60.0
    lease_ttl_s: float = 10.0
    lease_renew_s: float = 3.0
    status_interval_s: float = 2.0


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    secret_key: bytes = field(repr=False)
    endpoints: Endpoints = field(default_factory=Endpoints)
    backfill_days: float = 3.0
    timing: Timing = field(default_factory=Timing)
    threads: int = 128
    facebook_verify_token: str | None = field(default=None, repr=False)
    facebook_app_secret: str | None = field(default=None, repr=False)


def load(env: Mapping[str, str]) -> Settings:
    raw_key = env_str(env, "CHORUS_SECRET_KEY", fix="set it to the key the accounts' tokens were stored with "
                                                      "(`chorus up` creates one in the data folder)")
    try:
        key = load_key(raw_key)
    except SecretKeyError as exc:
        raise ConfigError("CHORUS_SECRET_KEY", "is not a valid key", str(exc)) from None
    interval = env_float(env, "CHORUS_INGEST_POLL_INTERVAL_S", 30.0, minimum=0.05)
    timing = Timing(
        poll_interval_s={n: env_float(env, f"CHORUS_INGEST_{n.name}_POLL_INTERVAL_S", interval, minimum=0.05)
                         for n in Network},
        long_poll_wait_s=env_int(env, "CHORUS_INGEST_LONG_POLL_WAIT_S", 25, minimum=1, maximum=90),
        poll_timeout_s=env_float(env, "CHORUS_INGEST_POLL_TIMEOUT_S", 120.0, minimum=1.0),
        backoff_min_s=env_float(env, "CHORUS_INGEST_BACKOFF_MIN_S", 1.0, minimum=0.01),
        backoff_max_s=env_float(env, "CHORUS_INGEST_BACKOFF_MAX_S", 60.0, minimum=0.01),
        lease_ttl_s=env_float(env, "CHORUS_INGEST_LEASE_TTL_S", 10.0, minimum=1.0),
        lease_renew_s=env_float(env, "CHORUS_INGEST_LEASE_RENEW_S", 3.0, minimum=0.1),
        status_interval_s=env_float(env, "CHORUS_INGEST_STATUS_INTERVAL_S", 2.0, minimum=0.0),
    )
    if timing.poll_timeout_s <= timing.long_poll_wait_s:
        raise ConfigError("CHORUS_INGEST_POLL_TIMEOUT_S", "must be longer than the long poll wait",
                          f"set it above CHORUS_INGEST_LONG_POLL_WAIT_S ({timing.long_poll_wait_s})")
    if timing.backoff_max_s < timing.backoff_min_s:
        raise ConfigError("CHORUS_INGEST_BACKOFF_MAX_S", "is below CHORUS_INGEST_BACKOFF_MIN_S",
                          "set the maximum at or above the minimum")
    if timing.lease_renew_s * 2 > timing.lease_ttl_s:
        raise ConfigError("CHORUS_INGEST_LEASE_RENEW_S", "must be at most half of CHORUS_INGEST_LEASE_TTL_S",
                          "renew leases at least twice per TTL, e.g. TTL 10 and renew 3")
    return Settings(
        common=common(env, "ingest", DEFAULT_PORT),
        secret_key=key,
        endpoints=Endpoints.from_env(env),
        backfill_days=env_float(env, "CHORUS_INGEST_BACKFILL_DAYS", 3.0, minimum=0.0),
        timing=timing,
        threads=env_int(env, "CHORUS_INGEST_THREADS", 128, minimum=4, maximum=4096),
        facebook_verify_token=env.get("CHORUS_FACEBOOK_VERIFY_TOKEN", "").strip() or None,
        facebook_app_secret=env.get("CHORUS_FACEBOOK_APP_SECRET", "").strip() or None,
    )


def command_nats_urls(env: Mapping[str, str]) -> list[str]:
    """Where ``chorus ingest`` commands find NATS: ``NATS_URL``, else the run file of a running ``chorus up``
    (``<CHORUS_DATA_DIR>/run/endpoints.json``), else the default local address."""
    if env.get("NATS_URL", "").strip():
        return nats_urls(env["NATS_URL"])
    try:
        found = json.loads((data_dir(env) / "run" / "endpoints.json").read_text())
    except (OSError, ValueError):
        found = {}
    url = found.get("nats_url") if isinstance(found, dict) else None
    return nats_urls(str(url), "nats_url in the run file") if url else nats_urls(DEFAULT_NATS_URL)
