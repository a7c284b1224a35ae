"""Reading settings from an environment mapping, failing loudly with the name of the setting and the fix.

Nothing here reads ``os.environ`` itself: each service's ``config.py`` passes its environment in, so the
services stay the only readers of the environment and tests pass plain dicts.
"""
from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is missing or malformed. The message names the setting and how to fix it."""

    def __init__(self, name: str, problem: str, fix: str) -> None:
        super().__init__(f"{name}: {problem}. Fix: {fix}")
        self.name = name


def env_str(env: Mapping[str, str], name: str, default: str | None = None, *, fix: str = "") -> str:
    value = env.get(name)
    if value is None or value.strip() == "":
        if default is None:
            raise ConfigError(name, "is not set", fix or f"set {name}")
        return default
    return value.strip()


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not a whole number", f"set {name} to a number such as {default}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ConfigError(name, f"{value} is out of range", f"set {name} to a number {bounds}")
    return value


def env_float(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not a number", f"set {name} to a number such as {default}") from None
    if value < minimum:
        raise ConfigError(name, f"{value} is below {minimum}", f"set {name} to at least {minimum}")
    return value


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(name, f"{raw!r} is not a yes/no value", f"set {name} to true or false")


def nats_urls(value: str, name: str = "NATS_URL") -> list[str]:
    """A comma-separated list of ``nats://host:port`` (or tls://, ws://) addresses."""
    urls = [u.strip() for u in value.split(",") if u.strip()]
    if not urls:
        raise ConfigError(name, "is empty", "set it to nats://host:4222 (several servers separated by commas)")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("nats", "tls", "ws", "wss") or not parts.hostname:
            raise ConfigError(name, f"{url!r} is not a NATS address",
                              "use the form nats://host:4222 (several servers separated by commas)")
    return urls


def database_url(value: str, name: str = "DATABASE_URL") -> str:
    """Accepts sqlite:///path and postgresql://...; returns the SQLAlchemy URL with its driver."""
    scheme = value.split(":", 1)[0].lower()
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return value
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg:" + value.split(":", 1)[1]
    raise ConfigError(name, f"unsupported database {scheme!r}",
                      "use sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname")


@dataclass(frozen=True)
class CommonSettings:
    """What every service needs: where the log and its database are, and how it is reached."""

    service: str
    nats_urls: list[str]
    database_url: str
    data_dir: Path
    instance: str
    http_host: str
    http_port: int
    max_deliver: int = 5
    duplicate_window_s: float = 7200.0
    stream_max_bytes: int = -1
    public_host: str = field(default="127.0.0.1")


DEFAULT_NATS_URL = "nats://127.0.0.1:4222"


def data_dir(env: Mapping[str, str]) -> Path:
    return Path(env_str(env, "CHORUS_DATA_DIR", "chorus-data")).expanduser().resolve()


def common(env: Mapping[str, str], service: str, default_port: int) -> CommonSettings:
    folder = data_dir(env)
    # One database per service by default (a SQLite file each). DATABASE_URL points all services at one
    # server (tables are prefixed by service); CHORUS_<SERVICE>_DATABASE_URL gives one service its own.
    own = f"CHORUS_{service.upper()}_DATABASE_URL"
    db = env.get(own, "").strip() or env.get("DATABASE_URL", "").strip()
    name = own if env.get(own, "").strip() else "DATABASE_URL"
    url = database_url(db, name) if db else f"sqlite:///{folder / (service + '.db')}"
    return CommonSettings(
        service=service,
        nats_urls=nats_urls(env_str(env, "NATS_URL", DEFAULT_NATS_URL)),
        database_url=url,
        data_dir=folder,
        instance=env_str(env, "CHORUS_INSTANCE", f"{socket.gethostname()}-{os.getpid()}"),
        http_host=env_str(env, "CHORUS_HTTP_HOST", "127.0.0.1"),
        http_port=env_int(env, "CHORUS_HTTP_PORT", default_port, minimum=0, maximum=65535),
        max_deliver=env_int(env, "CHORUS_MAX_DELIVER", 5, minimum=1, maximum=1000),
        duplicate_window_s=env_float(env, "CHORUS_DUPLICATE_WINDOW_S", 7200.0, minimum=1.0),
        stream_max_bytes=env_int(env, "CHORUS_STREAM_MAX_BYTES", -1, minimum=-1),
        public_host=env_str(env, "CHORUS_PUBLIC_HOST", "127.0.0.1"),
    )
