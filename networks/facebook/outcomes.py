"""What a Graph API error means for Chorus: each ``{"error": {...}}`` (or transport failure) is one outcome.

Codes (https://developers.facebook.com/docs/graph-api/guides/error-handling):

- 1, 2 (transient), 368 (temporarily blocked) → ``RetryLater``;
- 4, 17, 32, 613, 80001 (app, user, page, custom and Pages business-use-case throttling) → ``RetryLater``
  after ``estimated_time_to_regain_access`` (minutes, from ``X-Business-Use-Case-Usage``) when sent;
- 190, 102, 463, 467 (token expired, invalid or revoked) → ``TokenInvalid``;
- 10 and 200-299 (a permission the token lacks) → ``PermissionMissing``;
- 100: "object does not exist" / "unsupported get/post request" (subcode 33) → ``NotFound``, any other
  invalid parameter → ``ContentRejected``; 506 (duplicate post) → ``ContentRejected``.

Anything else falls back on the HTTP status. A failure of the transport depends on whether the request
may have been applied: never connected → ``RetryLater``; cut off after sending → ``OutcomeUnknown`` for a
write (reconcile with ``find_sent``), ``RetryLater`` for a read.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)

THROTTLED = {4, 17, 32, 613, 80001}
TOKEN = {190, 102, 463, 467}
_TRANSIENT_RETRY_S = 30.0
_THROTTLE_RETRY_S = 300.0
_BLOCKED_RETRY_S = 3600.0


def graph_error(status: int, body: Any, headers: Mapping[str, str]) -> NetworkError:
    """The outcome of an answer with HTTP ``status`` ≥ 400 or an ``error`` object."""
    error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
    code, subcode = _int(error.get("code")), _int(error.get("error_subcode"))
    message = str(error.get("message") or f"HTTP {status}")[:300]
    raw = {"status": status, "code": code, "error_subcode": subcode, "type": error.get("type"),
           "fbtrace_id": error.get("fbtrace_id")}
    detail = f"Facebook error {code}: {message}" if code is not None else f"Facebook answered HTTP {status}"
    if code in (1, 2) or error.get("is_transient") is True:
        return RetryLater(detail, code=code, retry_after=_TRANSIENT_RETRY_S, raw=raw)
    if code in THROTTLED:
        return RetryLater(detail, code=code, retry_after=regain_after(headers) or _THROTTLE_RETRY_S, raw=raw)
    if code == 368:
        return RetryLater(detail, code=code, retry_after=_BLOCKED_RETRY_S, raw=raw)
    if code in TOKEN:
        return TokenInvalid(detail, code=code, raw=raw)
    if code == 10 or (code is not None and 200 <= code <= 299):
        return PermissionMissing(detail, code=code, raw=raw)
    if code == 100:
        lowered = message.lower()
        if subcode == 33 or "does not exist" in lowered or "unsupported get request" in lowered \
                or "unsupported post request" in lowered:
            return NotFound(detail, code=code, raw=raw)
        return ContentRejected(detail, code=code, raw=raw)
    if code == 506:
        return ContentRejected(detail, code=code, raw=raw)
    if status >= 500:
        return RetryLater(detail, code=code or status, retry_after=_TRANSIENT_RETRY_S, raw=raw)
    if status == 401:
        return TokenInvalid(detail, code=code or status, raw=raw)
    if status == 403:
        return PermissionMissing(detail, code=code or status, raw=raw)
    if status == 404:
        return NotFound(detail, code=code or status, raw=raw)
    if status == 429:
        return RetryLater(detail, code=code or status, retry_after=regain_after(headers) or _THROTTLE_RETRY_S,
                          raw=raw)
    return ContentRejected(detail, code=code or status, raw=raw)


def transport_error(name: str, *, sent: bool, write: bool) -> NetworkError:
    """A request that failed below HTTP; ``sent``: it may have reached Facebook."""
    if sent and write:
        return OutcomeUnknown(f"the connection to Facebook failed after the request was sent ({name}); "
                              "it may have been applied: reconcile before retrying")
    return RetryLater(f"the connection to Facebook failed ({name})")


def regain_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until access is regained, from ``X-Business-Use-Case-Usage`` (which counts in minutes)."""
    usage = parse_header(headers.get("x-business-use-case-usage"))
    minutes = [_int(entry.get("estimated_time_to_regain_access")) or 0
               for entries in usage.values() if isinstance(entries, list)
               for entry in entries if isinstance(entry, dict)]
    longest = max(minutes, default=0)
    return longest * 60.0 if longest > 0 else None


def parse_header(value: str | None) -> dict[str, Any]:
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
