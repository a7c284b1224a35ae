"""VK errors as Chorus outcomes, so no caller ever sees a vk_api or requests exception.

| VK says | outcome |
| --- | --- |
| 5 (token bad, expired or revoked) | ``TokenInvalid`` |
| 6 (too many requests/s), 9 (flood control), 10 (server), 1 (unknown), 29 (daily quota), HTTP 4xx/5xx | ``RetryLater`` with a delay fitting the cause |
| 14 (captcha) | ``RetryLater(300)``: a server cannot solve captchas; VK asks for one when a token acts too fast, and backing off is what clears it |
| 7, 15, 27, 28, 30, 203, 210-214, 901, 902, 917 | ``PermissionMissing`` |
| 18, 104, or 100 naming the target (``post_id``, ``reply_to_comment``, ``comment_id``, ``peer_id``, ``owner_id``) | ``NotFound`` |
| 100 (other), 914, 219-224, and any other code | ``ContentRejected`` |
| connection refused / connect timeout | ``RetryLater`` (the request never left) |
| dropped connection, read timeout, unreadable answer | ``OutcomeUnknown`` on a write, ``RetryLater`` on a read |
"""
from __future__ import annotations

import requests
from urllib3.exceptions import NewConnectionError
from vk_api.exceptions import ApiError, ApiHttpError

from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)

RETRY_AFTER = {6: 1.0, 9: 60.0, 10: 5.0, 1: 5.0, 29: 3600.0, 14: 300.0}
PERMISSION = {7, 15, 27, 28, 30, 203, 210, 211, 212, 213, 214, 901, 902, 917}
GONE = {18, 104}
TARGET_PARAMS = ("post_id", "reply_to_comment", "comment_id", "peer_id", "owner_id", "user_id")


def from_api_error(error: ApiError, method: str, token_kind: str) -> NetworkError:
    code = int(error.code)
    message = str(error.error.get("error_msg", ""))
    detail = f"VK {method} ({token_kind} token): [{code}] {message}"
    raw = {"error_code": code, "error_msg": message, "method": method}
    if code == 5:
        return TokenInvalid(detail, code=code, raw=raw)
    if code in RETRY_AFTER:
        return RetryLater(detail, code=code, retry_after=RETRY_AFTER[code], raw=raw)
    if code in PERMISSION:
        return PermissionMissing(detail, code=code, raw=raw)
    if code in GONE or (code == 100 and any(p in message for p in TARGET_PARAMS)):
        return NotFound(detail, code=code, raw=raw)
    return ContentRejected(detail, code=code, raw=raw)


def from_http_error(error: ApiHttpError, method: str) -> NetworkError:
    status = error.response.status_code
    retry_after = 5.0 if status >= 500 else 30.0
    return RetryLater(f"VK {method}: HTTP {status}", code=f"http_{status}", retry_after=retry_after)


def from_transport_error(error: Exception, method: str, *, write: bool) -> NetworkError:
    name = type(error).__name__
    if _never_sent(error):
        return RetryLater(f"VK {method}: cannot connect ({name})", code="connect", retry_after=5.0)
    if write:
        return OutcomeUnknown(f"VK {method}: the connection broke before the answer was read ({name}); "
                              "the write may have been applied", code="transport")
    return RetryLater(f"VK {method}: {name} while reading", code="transport", retry_after=5.0)


def _never_sent(error: Exception) -> bool:
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and error.args:
        reason = getattr(error.args[0], "reason", error.args[0])
        return isinstance(reason, NewConnectionError) or isinstance(error.args[0], NewConnectionError)
    return False
