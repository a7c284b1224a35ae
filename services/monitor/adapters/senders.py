"""The port every alert transport implements, the outcome it reports, and where destination secrets are.

A sender makes one attempt and says what happened; it never retries by itself (the delivery worker owns
retries, so every attempt is recorded). Outcomes:

- ``delivered``: the destination accepted the alert;
- ``retry``: it may work later (timeout, 5xx, rate limit; ``after`` when the destination said how long);
- ``failed``: it cannot work without a person changing something (404, chat not found, bad address).

``detail`` is shown to admins (the "send a test" button, ``alert.delivery_failed``) and logged, so it
must never contain a secret: senders pass every text they did not write through ``redact``.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from chorus.events import AlertDestination, AlertRaised, DestinationKind
from chorus.networks.credentials import CredentialStore, SecretKeyError, destination_secret_name

DELIVERED, RETRY, FAILED = "delivered", "retry", "failed"


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str
    after: float | None = None  # seconds the destination asked us to wait (Retry-After, retry_after)

    @property
    def delivered(self) -> bool:
        return self.status == DELIVERED

    @classmethod
    def ok(cls, detail: str) -> Outcome:
        return cls(DELIVERED, detail)

    @classmethod
    def retry(cls, detail: str, after: float | None = None) -> Outcome:
        return cls(RETRY, detail, after)

    @classmethod
    def failed(cls, detail: str) -> Outcome:
        return cls(FAILED, detail)


@dataclass(frozen=True)
class DestinationSecret:
    """What the credentials store keeps for a destination: ``tokens`` (secret) and ``settings`` (plain)."""

    tokens: dict[str, str] = field(default_factory=dict, repr=False)
    settings: dict[str, Any] = field(default_factory=dict)

    def values(self) -> list[str]:
        return [v for v in self.tokens.values() if isinstance(v, str) and v]


class SecretUnavailable(Exception):
    """The secrets exist but cannot be read (no or wrong ``CHORUS_SECRET_KEY``, NATS unreachable)."""


class Secrets(abc.ABC):
    """Destination secrets, by destination id. A port: tests pass an in-memory one."""

    @abc.abstractmethod
    async def get(self, destination_id: str) -> DestinationSecret | None:
        """The destination's secret, or None when none is stored. Raises ``SecretUnavailable``."""


class CredentialSecrets(Secrets):
    """Secrets in the encrypted credentials bucket, under ``destination_secret_name(destination_id)``."""

    def __init__(self, credentials: CredentialStore | None) -> None:
        self.credentials = credentials

    async def get(self, destination_id: str) -> DestinationSecret | None:
        if self.credentials is None:
            raise SecretUnavailable("CHORUS_SECRET_KEY is not set, so destination secrets cannot be read")
        try:
            found = await self.credentials.get_secret(destination_secret_name(destination_id))
        except SecretKeyError as exc:
            raise SecretUnavailable(str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - NATS trouble: the attempt is retried later
            raise SecretUnavailable(f"the credentials store cannot be read ({type(exc).__name__})") from None
        if found is None:
            return None
        return DestinationSecret(dict(found.values), dict(found.settings))


class Sender(abc.ABC):
    """Sends one alert to one destination of its kind, once."""

    kind: DestinationKind

    @abc.abstractmethod
    async def send(self, alert: AlertRaised, destination: AlertDestination, *, delivery_id: str,
                   test: bool = False) -> Outcome:
        """One attempt. Never raises for a delivery problem: it becomes the outcome."""

    async def close(self) -> None:
        """Release connections (called once, when the service stops)."""


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value replaced, cut to a length fit for a log line."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return " ".join(text.split())[:500]
