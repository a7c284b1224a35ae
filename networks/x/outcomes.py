"""What an X API failure means for Chorus: every tweepy or aiohttp exception becomes one ``NetworkError``.

- 401 → ``TokenInvalid``; 429 → ``RetryLater`` until ``x-rate-limit-reset``; 5xx → ``RetryLater``;
  404 → ``NotFound``; 400 → ``ContentRejected``.
- 403 is three things on X: duplicate content (``ContentRejected``), a reply to a post that is deleted or
  hidden from us (``NotFound``: the target is gone, which is what the caller must know), and anything
  else, such as a token without the needed scope (``PermissionMissing``).
- Transport failures depend on whether the request may have reached X: a refused or timed-out
  *connection* never did (``RetryLater``); a timeout or disconnect after sending may have been applied,
  which for a write is ``OutcomeUnknown`` (reconcile with ``find_sent``) and for a read ``RetryLater``.
"""
from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import tweepy

from chorus.networks.errors import (
    ContentRejected,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PermissionMissing,
    RetryLater,
    TokenInvalid,
)

_SERVER_RETRY_S = 30.0


def outcome(exc: BaseException, *, write: bool, clock=time.time) -> NetworkError:
    """The Chorus outcome for an exception raised while calling X (``write``: the call changes state)."""
    if isinstance(exc, NetworkError):
        return exc
    if isinstance(exc, tweepy.HTTPException):
        return _http(exc, clock)
    if isinstance(exc, aiohttp.ClientResponseError) and exc.status >= 400:
        # tweepy reads error bodies as JSON; a proxy's HTML error page lands here, still with its status
        return _status(exc.status, f"X answered HTTP {exc.status}", {"status": exc.status})
    if isinstance(exc, aiohttp.ContentTypeError | json.JSONDecodeError | UnicodeDecodeError):
        return _unreadable("X answered with a body that is not JSON", write)
    if isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return RetryLater(f"cannot connect to X: {type(exc).__name__}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return _unreadable(f"the connection to X failed mid-request ({type(exc).__name__})", write)
    if isinstance(exc, tweepy.TweepyException):
        return _unreadable(f"tweepy failed: {exc}", write)
    raise exc  # a bug in Chorus, not a network outcome: let it surface


def _unreadable(detail: str, write: bool) -> NetworkError:
    if write:
        return OutcomeUnknown(detail + "; the request may have been applied: reconcile before retrying")
    return RetryLater(detail)


def _http(exc: tweepy.HTTPException, clock) -> NetworkError:
    status = getattr(exc.response, "status", None) or getattr(exc.response, "status_code", 0)
    messages = [str(m) for m in exc.api_messages][:3]
    raw = {"status": status, "codes": list(exc.api_codes)[:3], "messages": messages}
    detail = f"X answered HTTP {status}" + (f": {'; '.join(messages)}" if messages else "")
    if isinstance(exc, tweepy.TooManyRequests):
        reset = exc.reset_time
        wait = max(1.0, reset - clock()) if reset is not None else 60.0
        return RetryLater(detail, code=429, retry_after=wait, raw=raw)
    return _status(status, detail, raw)


def _status(status: int, detail: str, raw: dict) -> NetworkError:
    text = detail.lower()
    if status == 401:
        return TokenInvalid(detail, code=status, raw=raw)
    if status == 403:
        if "duplicate" in text:
            return ContentRejected(detail, code=status, raw=raw)
        if "deleted or not visible" in text:
            return NotFound(detail, code=status, raw=raw)
        return PermissionMissing(detail, code=status, raw=raw)
    if status == 404:
        return NotFound(detail, code=status, raw=raw)
    if status == 429:
        return RetryLater(detail, code=status, retry_after=60.0, raw=raw)
    if status >= 500:
        return RetryLater(detail, code=status, retry_after=_SERVER_RETRY_S, raw=raw)
    return ContentRejected(detail, code=status, raw=raw)
