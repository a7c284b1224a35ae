"""Settings of the publisher service; the only module of the service that reads the environment.

- ``CHORUS_SECRET_KEY`` (required): decrypts the accounts' tokens in the credentials store.
- ``CHORUS_<NETWORK>_API_URL``: where the networks are (``chorus.networks.base.Endpoints``).
- ``CHORUS_PUBLISHER_RATE_<VK|X|TELEGRAM|FACEBOOK>``: each account's pace, ``per_second[/burst]``
  (defaults in ``lanes.DEFAULT_RATES``: VK 2.5/3, X 1/5, Facebook 1/5, Telegram 0.333/5).
- ``CHORUS_PUBLISHER_MAX_IN_FLIGHT`` (64): network calls at once across all accounts.
- ``CHORUS_PUBLISHER_RETRY_BASE_S`` (5) and ``_RETRY_MAX_S`` (900): backoff when a network gave no delay.
- ``CHORUS_PUBLISHER_SETTLE_S`` (15): wait before reading back an unknown outcome (what was just written
  may take a moment to be listed by the network).
- ``CHORUS_PUBLISHER_RECONCILE_ROUNDS`` (5): failed read-backs before a person is asked to check.
- ``CHORUS_PUBLISHER_CALL_TIMEOUT_S`` (120): the longest one network call may take.
- ``CHORUS_PUBLISHER_REPLY_MAX_AGE_MINUTES`` (1440): a reply not sent by then fails instead.
- ``CHORUS_PUBLISHER_LATENESS_MINUTES`` (60): the lateness limit of workspaces whose settings never said.
- ``CHORUS_PUBLISHER_HORIZON_S`` (60): how far ahead the due loop reads the schedule.
- ``CHORUS_PUBLISHER_LEASE_S`` (15): the sender's lease; a standby instance takes over after it lapses.
- ``CHORUS_MEDIA_BUCKET`` (``chorus_media``): the Object Store bucket of uploaded images.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from chorus.backbone.settings import CommonSettings, ConfigError, common, env_float, env_int, env_str
from chorus.events.values import Network
from chorus.networks.base import Endpoints
from chorus.networks.credentials import SecretKeyError, load_key
from chorus.publisher.domain import Policy
from chorus.publisher.lanes import DEFAULT_RATES, Rate

DEFAULT_PORT = 8103


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    secret_key: bytes = field(repr=False)
    endpoints: Endpoints = field(default_factory=Endpoints)
    policy: Policy = field(default_factory=Policy)
    rates: dict[Network, Rate] = field(default_factory=lambda: dict(DEFAULT_RATES))
    max_in_flight: int = 64
    lateness_minutes: int = 60
    horizon_s: float = 60.0
    lease_s: float = 15.0
    media_bucket: str = "chorus_media"


def _rate(env: Mapping[str, str], network: Network) -> Rate:
    name = f"CHORUS_PUBLISHER_RATE_{network.value.upper()}"
    raw = env.get(name, "").strip()
    if not raw:
        return DEFAULT_RATES[network]
    per_second, _, burst = raw.partition("/")
    try:
        rate = Rate(float(per_second), int(burst) if burst else 1)
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not a rate", "write calls per second, optionally /burst, e.g. 2.5/3") \
            from None
    if rate.per_second <= 0 or rate.burst < 1:
        raise ConfigError(name, f"{raw!r} is not a positive rate", "e.g. 2.5/3 (2.5 per second, bursts of 3)")
    return rate


def load(env: Mapping[str, str]) -> Settings:
    raw_key = env.get("CHORUS_SECRET_KEY", "").strip()
    if not raw_key:
        raise ConfigError("CHORUS_SECRET_KEY", "is not set",
                          "set it to the key the accounts were connected with (chorus up keeps one in the data "
                          "folder's secret.key)")
    try:
        key = load_key(raw_key)
    except SecretKeyError as exc:
        raise ConfigError("CHORUS_SECRET_KEY", "is not a valid key", str(exc)) from None
    policy = Policy(
        retry_base_s=env_float(env, "CHORUS_PUBLISHER_RETRY_BASE_S", 5.0, minimum=0.01),
        retry_max_s=env_float(env, "CHORUS_PUBLISHER_RETRY_MAX_S", 900.0, minimum=0.01),
        settle_s=env_float(env, "CHORUS_PUBLISHER_SETTLE_S", 15.0),
        reconcile_rounds=env_int(env, "CHORUS_PUBLISHER_RECONCILE_ROUNDS", 5, minimum=1, maximum=100),
        call_timeout_s=env_float(env, "CHORUS_PUBLISHER_CALL_TIMEOUT_S", 120.0, minimum=1.0),
        reply_max_age=timedelta(minutes=env_int(env, "CHORUS_PUBLISHER_REPLY_MAX_AGE_MINUTES", 1440, minimum=1)),
    )
    return Settings(
        common=common(env, "publisher", DEFAULT_PORT), secret_key=key, endpoints=Endpoints.from_env(env),
        policy=policy, rates={n: _rate(env, n) for n in Network},
        max_in_flight=env_int(env, "CHORUS_PUBLISHER_MAX_IN_FLIGHT", 64, minimum=1, maximum=10000),
        lateness_minutes=env_int(env, "CHORUS_PUBLISHER_LATENESS_MINUTES", 60, minimum=0),
        horizon_s=env_float(env, "CHORUS_PUBLISHER_HORIZON_S", 60.0, minimum=1.0),
        lease_s=env_float(env, "CHORUS_PUBLISHER_LEASE_S", 15.0, minimum=1.0),
        media_bucket=env_str(env, "CHORUS_MEDIA_BUCKET", "chorus_media"),
    )
