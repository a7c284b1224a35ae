"""The small set of outcomes every network error maps into, so no caller parses a network's error codes.

Adapters raise these; ingest and the publisher decide what to do from the class alone:
``RetryLater`` (wait ``retry_after`` seconds, then try again), ``TokenInvalid`` (emit the token expired
event once, stop using the token), ``PermissionMissing`` and ``ContentRejected`` (a person must act),
``NotFound`` (the target is gone), ``OutcomeUnknown`` (the request may or may not have been applied:
reconcile by reading the network, never re-send blindly).

Messages never contain a token: build them with ``redact`` when a network echoes request parameters.
"""
from __future__ import annotations

import re
from typing import Any

from chorus.events.values import FailureKind


class NetworkError(Exception):
    kind: FailureKind = FailureKind.UNKNOWN

    def __init__(self, detail: str, *, code: int | str | None = None, retry_after: float | None = None,
                 raw: dict[str, Any] | None = None) -> None:
        super().__init__(redact(detail))
        self.detail = redact(detail)
        self.code = code
        self.retry_after = retry_after
        self.raw = _redact_raw(raw or {})


class RetryLater(NetworkError):
    kind = FailureKind.RETRY_LATER


class TokenInvalid(NetworkError):
    kind = FailureKind.TOKEN_INVALID


class PermissionMissing(NetworkError):
    kind = FailureKind.PERMISSION_MISSING


class ContentRejected(NetworkError):
    kind = FailureKind.CONTENT_REJECTED


class NotFound(NetworkError):
    kind = FailureKind.NOT_FOUND


class OutcomeUnknown(NetworkError):
    kind = FailureKind.UNKNOWN


_SECRET_PATTERNS = [
    # "access_token=...", "secret: ...", "Bearer ...": a value right after a name and "=" or ":", or after
    # "Bearer". Plain prose ("the token belongs to...") is left alone.
    re.compile(r"(access_token|token|key|secret|password)(\s*[=:]\s*)([^\s&,;\"']+)|(bearer|oauth)(\s+)([A-Za-z0-9._~+/=\-]{8,})",
               re.IGNORECASE),
    re.compile(r"\bvk1\.a\.[A-Za-z0-9_\-]+"),
    re.compile(r"\b\d{6,12}:[A-Za-z0-9_\-]{30,}\b"),  # Telegram bot tokens
    re.compile(r"\bEAA[A-Za-z0-9]{20,}\b"),  # Facebook tokens
    re.compile(r"/bot[^/\s]+/"),  # Telegram URLs carry the token in the path
]


def redact(text: str) -> str:
    """Remove anything that looks like a credential from a message meant for logs, events or people."""
    text = _SECRET_PATTERNS[0].sub(
        lambda m: f"{m.group(1)}{m.group(2)}***" if m.group(1) else f"{m.group(4)}{m.group(5)}***", text)
    text = _SECRET_PATTERNS[1].sub("vk1.a.***", text)
    text = _SECRET_PATTERNS[2].sub("***:***", text)
    text = _SECRET_PATTERNS[3].sub("EAA***", text)
    return _SECRET_PATTERNS[4].sub("/bot***/", text)


_SECRET_KEYS = {"access_token", "token", "key", "secret", "password", "client_secret", "oauth_token"}


def _redact_raw(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key.lower() in _SECRET_KEYS:
            out[key] = "***"
        elif isinstance(value, dict):
            out[key] = _redact_raw(value)
        elif isinstance(value, list):
            out[key] = [_redact_raw(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, str):
            out[key] = redact(value)
        else:
            out[key] = value
    return out
