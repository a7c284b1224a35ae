"""Per-token, per-endpoint request budgets for the X API, so Chorus stops before X says 429.

X counts requests per endpoint in 15-minute windows, per app for app-only bearer tokens and per user for
user tokens, and reports the state of the window on every response (``x-rate-limit-remaining`` and
``x-rate-limit-reset``). Two guards, both keyed by a fingerprint of the token (never the token itself):

- the headers X sent last: when ``remaining`` is at ``reserve`` and ``reset`` is ahead, wait for the reset;
- a local count of calls in the last window against 90% of the documented per-user limit, for the case
  where headers are missing or several Chorus processes share a token.

A wait up to ``max_wait`` seconds is slept through (short resets are cheaper to wait out than to
reschedule); a longer one raises ``RetryLater`` so ingest and the publisher reschedule instead of
holding a worker. Limiters are shared by every client in the process with the same token.
"""
from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from chorus.networks.errors import RetryLater

WINDOW_S = 15 * 60

#: 90% of the documented per-user limits per 15 minutes (docs.x.com "rate limits"; users/me is assumed 75).
BUDGETS: dict[str, int] = {
    "GET /2/users/me": 67,
    "GET /2/users/:id": 810,
    "GET /2/users/:id/mentions": 270,
    "GET /2/users/:id/tweets": 810,
    "GET /2/tweets": 810,
    "GET /2/tweets/search/recent": 270,
    "POST /2/tweets": 90,
    "POST /2/media/upload": 90,
}


def fingerprint(token: str) -> str:
    """A stable key for a token that reveals nothing about it."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass
class _Window:
    remaining: int | None = None
    reset: float | None = None
    calls: deque[float] = field(default_factory=deque)


class RateLimiter:
    """Decides, before each call, whether it may go now, must wait, or must be rescheduled."""

    def __init__(self, *, budgets: Mapping[str, int] = BUDGETS, window_s: float = WINDOW_S, reserve: int = 0,
                 max_wait: float = 30.0, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._budgets = dict(budgets)
        self._window_s = window_s
        self._reserve = reserve
        self.max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._windows: dict[tuple[str, str], _Window] = {}

    async def acquire(self, token_key: str, endpoint: str, max_wait: float | None = None) -> None:
        limit = self.max_wait if max_wait is None else max_wait
        window = self._windows.setdefault((token_key, endpoint), _Window())
        while True:
            now = self._clock()
            wait = self._wait_needed(window, endpoint, now)
            if wait <= 0:
                window.calls.append(now)
                if window.remaining is not None:
                    window.remaining -= 1  # concurrent callers see the call before its response arrives
                return
            if wait > limit:
                raise RetryLater(f"X rate limit for {endpoint} reached; it resets in {wait:.0f} s",
                                 code=429, retry_after=wait)
            await self._sleep(wait)

    def observe(self, token_key: str, endpoint: str, headers: Mapping[str, str]) -> None:
        """Take the window state from a response's ``x-rate-limit-*`` headers (any response, even an error)."""
        remaining, reset = _int(headers.get("x-rate-limit-remaining")), _int(headers.get("x-rate-limit-reset"))
        if remaining is None or reset is None:
            return
        window = self._windows.setdefault((token_key, endpoint), _Window())
        window.remaining, window.reset = remaining, float(reset)

    def _wait_needed(self, window: _Window, endpoint: str, now: float) -> float:
        wait = 0.0
        if window.reset is not None and window.reset <= now:
            window.remaining = window.reset = None  # the window X reported is over
        if window.remaining is not None and window.reset is not None and window.remaining <= self._reserve:
            wait = window.reset - now
        while window.calls and window.calls[0] <= now - self._window_s:
            window.calls.popleft()
        budget = self._budgets.get(endpoint)
        if budget is not None and len(window.calls) >= budget:
            wait = max(wait, window.calls[0] + self._window_s - now)
        return wait


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


#: One limiter per process: X counts per token, whichever Chorus client sends the call.
shared = RateLimiter()
