"""Keeping a Page token under the Graph API's limits: a pace per token, and a stop when usage nears 100%.

Facebook does not say how many calls are left; it says how much of the window is used, in percent,
in ``X-App-Usage`` (app level) and ``X-Business-Use-Case-Usage`` (per Page, with
``estimated_time_to_regain_access`` in minutes once throttled). Two guards per token fingerprint:

- a token bucket (``burst`` calls, refilled at ``per_second``): the default 1 call/s is far below the
  Pages limit (4800 calls per engaged user per 24 h) and keeps a poll of a busy page from bursting;
- once any reported percentage reaches ``stop_at`` (90), no call goes until the estimated time to regain
  access (or ``pause_s`` when none is given): stopping before 100% keeps replies possible while reads back off.

Waits up to ``max_wait`` are slept; longer ones raise ``RetryLater`` so the caller reschedules.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from chorus.networks.errors import RetryLater
from chorus.networks.facebook.outcomes import parse_header, regain_after


@dataclass
class _State:
    tokens: float
    updated: float
    blocked_until: float = 0.0


class UsageGate:
    def __init__(self, *, burst: int = 30, per_second: float = 1.0, stop_at: float = 90.0, pause_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._burst, self._rate, self._stop_at, self._pause = burst, per_second, stop_at, pause_s
        self._clock, self._sleep = clock, sleep
        self._states: dict[str, _State] = {}

    async def acquire(self, key: str, max_wait: float) -> None:
        while True:
            state = self._state(key)
            now = self._clock()
            state.tokens = min(self._burst, state.tokens + (now - state.updated) * self._rate)
            state.updated = now
            wait = max(state.blocked_until - now, 0.0 if state.tokens >= 1 else (1 - state.tokens) / self._rate)
            if wait <= 0:
                state.tokens -= 1
                return
            if wait > max_wait:
                raise RetryLater(f"Facebook usage of this Page credential is near its limit; retry in {wait:.0f} s",
                                 retry_after=wait)
            await self._sleep(wait)

    def observe(self, key: str, headers: Mapping[str, str]) -> None:
        """Read the usage headers of any answer; stop the token when a percentage reaches ``stop_at``."""
        percents: list[float] = []
        app = parse_header(headers.get("x-app-usage"))
        percents += [v for v in app.values() if isinstance(v, int | float)]
        for entries in parse_header(headers.get("x-business-use-case-usage")).values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    percents += [entry.get(k) for k in ("call_count", "total_cputime", "total_time")
                                 if isinstance(entry.get(k), int | float)]
        if percents and max(percents) >= self._stop_at:
            self.block(key, regain_after(headers) or self._pause)

    def block(self, key: str, seconds: float) -> None:
        state = self._state(key)
        state.blocked_until = max(state.blocked_until, self._clock() + seconds)

    def _state(self, key: str) -> _State:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _State(tokens=float(self._burst), updated=self._clock())
        return state


#: Shared by every client in the process: the limits count per token, not per Chorus object.
shared = UsageGate()
