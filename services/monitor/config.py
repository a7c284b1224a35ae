"""Settings of the monitor service; the only module of the service that reads the environment.

| variable | default | meaning |
| --- | --- | --- |
| ``CHORUS_SECRET_KEY`` | (none) | Decrypts destination secrets (webhook signing keys, bot tokens, SMTP passwords) |
| ``CHORUS_TELEGRAM_API_URL`` | real API | Telegram Bot API base (the emulator in tests and the demo) |
| ``CHORUS_SMTP_HOST`` / ``_PORT`` | (none) / 587 | Default SMTP server for e-mail destinations |
| ``CHORUS_SMTP_FROM`` | ``chorus@localhost`` | Default sender address |
| ``CHORUS_SMTP_USER`` / ``_PASSWORD`` | (none) | Default SMTP login |
| ``CHORUS_SMTP_SECURITY`` | ``starttls`` | ``starttls``, ``ssl`` or ``none`` |
| ``CHORUS_ALERT_TELEGRAM_BOT_TOKEN`` | (none) | Bot used by Telegram destinations that have no bot of their own |
| ``CHORUS_ALERT_LANGUAGE`` | ``ru`` | Language of alert titles and messages: ``ru`` or ``en`` |
| ``CHORUS_ALERT_MAX_AGE_MINUTES`` | 1440 | Items and health events older than this raise no alert (history, backfill) |
| ``CHORUS_ALERT_MAX_ATTEMPTS`` | 10 | Delivery attempts per alert and destination before giving up |
| ``CHORUS_ALERT_RETRY_BASE_S`` | 5 | First retry delay; doubles each attempt |
| ``CHORUS_ALERT_RETRY_MAX_S`` | 900 | Longest retry delay |
| ``CHORUS_ALERT_TIMEOUT_S`` | 10 | Timeout of one delivery attempt |
| ``CHORUS_MONITOR_BATCH`` | 200 | Items classified per batch |

Per-destination SMTP settings stored with the destination's secret (``host``, ``port``, ``user``, ``from``,
``security``) take precedence over the ``CHORUS_SMTP_*`` defaults; see docs/monitor.md.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chorus.backbone.settings import CommonSettings, ConfigError, common, env_float, env_int, env_str
from chorus.networks.base import Endpoints
from chorus.networks.credentials import SecretKeyError, load_key

DEFAULT_PORT = 8102
SMTP_SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpDefaults:
    host: str | None = None
    port: int = 587
    sender: str = "chorus@localhost"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "starttls"


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 10
    retry_base_s: float = 5.0
    retry_max_s: float = 900.0
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    secret_key: bytes | None = field(default=None, repr=False)
    telegram_api: str | None = None
    telegram_bot_token: str | None = field(default=None, repr=False)
    smtp: SmtpDefaults = field(default_factory=SmtpDefaults)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    alert_language: str = "ru"
    alert_max_age_minutes: int = 1440
    batch: int = 200


def load(env: Mapping[str, str]) -> Settings:
    return Settings(
        common=common(env, "monitor", DEFAULT_PORT),
        secret_key=_secret_key(env),
        telegram_api=Endpoints.from_env(env).telegram,
        telegram_bot_token=env.get("CHORUS_ALERT_TELEGRAM_BOT_TOKEN", "").strip() or None,
        smtp=_smtp(env),
        delivery=DeliverySettings(
            max_attempts=env_int(env, "CHORUS_ALERT_MAX_ATTEMPTS", 10, minimum=1, maximum=100),
            retry_base_s=env_float(env, "CHORUS_ALERT_RETRY_BASE_S", 5.0, minimum=0.01),
            retry_max_s=env_float(env, "CHORUS_ALERT_RETRY_MAX_S", 900.0, minimum=0.01),
            timeout_s=env_float(env, "CHORUS_ALERT_TIMEOUT_S", 10.0, minimum=0.1),
        ),
        alert_language=_choice(env, "CHORUS_ALERT_LANGUAGE", "ru", ("ru", "en")),
        alert_max_age_minutes=env_int(env, "CHORUS_ALERT_MAX_AGE_MINUTES", 1440, minimum=1),
        batch=env_int(env, "CHORUS_MONITOR_BATCH", 200, minimum=1, maximum=5000),
    )


def _secret_key(env: Mapping[str, str]) -> bytes | None:
    raw = env.get("CHORUS_SECRET_KEY", "").strip()
    if not raw:
        return None
    try:
        return load_key(raw)
    except SecretKeyError as exc:
        raise ConfigError("CHORUS_SECRET_KEY", "is not a valid key", str(exc)) from None


def _smtp(env: Mapping[str, str]) -> SmtpDefaults:
    security = _choice(env, "CHORUS_SMTP_SECURITY", "starttls", SMTP_SECURITY)
    default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    return SmtpDefaults(
        host=env.get("CHORUS_SMTP_HOST", "").strip() or None,
        port=env_int(env, "CHORUS_SMTP_PORT", default_port, minimum=1, maximum=65535),
        sender=env_str(env, "CHORUS_SMTP_FROM", "chorus@localhost"),
        user=env.get("CHORUS_SMTP_USER", "").strip() or None,
        password=env.get("CHORUS_SMTP_PASSWORD") or None,
        security=security,
    )


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env_str(env, name, default).lower()
    if value not in allowed:
        raise ConfigError(name, f"{value!r} is not one of {', '.join(allowed)}", f"set {name} to one of them")
    return value
